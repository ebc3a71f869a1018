import KhaosanWire

/// Category counts as rows `count  slug  name`: the slug in a column of its own, never cut, as
/// it is what `--category` takes; only the name is shortened, to a terminal's width (`width`
/// nil: into a pipe, nothing is cut).
enum CategoryTable {
    static func lines(_ rows: [FacetCount], style: Style, width: Int?, indent: String = "  ") -> [String] {
        let countWidth = rows.map { groupedDigits($0.count).count }.max() ?? 1
        let slugs = rows.map { $0.key.isEmpty ? "-" : $0.key }
        let slugWidth = slugs.map { displayWidth($0) }.max() ?? 1
        let nameRoom = width.map { max(10, $0 - indent.count - countWidth - slugWidth - 4) }
        return zip(rows, slugs).map { f, slug in
            let name = f.label.isEmpty ? "(no category)" : (f.label == f.key ? "" : f.label)
            let line = indent + groupedDigits(f.count).leftPadded(toWidth: countWidth) + "  " + style.bold(slug.padded(toWidth: slugWidth))
                + (name.isEmpty ? "" : "  " + (nameRoom.map { name.truncated(toWidth: $0) } ?? name))
            return line
        }
    }
}
