package import KhaosanWire

/// `khaosan diff` as text: a unified diff of the changed fields (a `@@` header per field or
/// paragraph, the old text on a `-` line, the new on a `+` line, unchanged paragraphs left
/// out). With colour, the `-` line is red and the `+` line green, and the removed and added
/// words themselves in reverse video, so the edit shows inside a long Thai paragraph.
package func renderDiff(_ d: DiffResponse, style: Style) -> [String] {
    var lines = [
        style.bold("--- #\(d.id) version \(d.oldVersion) (stored \(isoTimestamp(unixMillis: d.oldStoredAtUnixMs)))"),
        style.bold("+++ #\(d.id) version \(d.newVersion) (stored \(isoTimestamp(unixMillis: d.newStoredAtUnixMs)))"),
    ]
    var changed = 0
    for f in d.fields where f.edits.contains(where: { $0.kind != .equal }) {
        changed += 1
        let header: String
        if f.name == "paragraph" {
            let o = f.oldNumber == 0 ? "" : "-\(f.oldNumber)", n = f.newNumber == 0 ? "" : "+\(f.newNumber)"
            let what = f.oldNumber == 0 ? " (added)" : f.newNumber == 0 ? " (removed)" : ""
            header = "@@ paragraph \([o, n].filter { !$0.isEmpty }.joined(separator: " "))\(what) @@"
        } else {
            header = "@@ \(f.name) @@"
        }
        lines.append(style.cyan(header))
        if f.name != "paragraph" || f.oldNumber != 0 {
            lines.append(side(f.edits, keep: .delete, sign: "-", style: style, color: style.red))
        }
        if f.name != "paragraph" || f.newNumber != 0 {
            lines.append(side(f.edits, keep: .insert, sign: "+", style: style, color: style.green))
        }
    }
    if changed == 0 { lines.append("(no differences in the text or the fields compared)") }
    return lines
}

/// One version's side of a field: its equal and its own (deleted or inserted) runs, the latter
/// marked. A newline inside a field (none in a paragraph) is shown as ⏎ to keep one line.
private func side(_ edits: [DiffEdit], keep: DiffEdit.Kind, sign: String, style: Style, color: (String) -> String) -> String {
    var out = style.enabled ? color(sign) : sign
    for e in edits where e.kind == .equal || e.kind == keep {
        let text = e.text.replacingNewlines()
        if e.kind == .equal {
            out += color(text)
        } else {
            // Reverse video in the line's colour: the edited words stand out without a second hue.
            out += style.enabled ? "\u{1B}[7m" + color(text) + "\u{1B}[0m" : text
        }
    }
    return out
}

extension String {
    fileprivate func replacingNewlines() -> String {
        contains("\n") ? split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "⏎") : self
    }
}
