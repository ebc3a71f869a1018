package import KhaosanWire

/// Turns export rows into the text of a CSV or JSON Lines file: a pure function of the rows, so
/// the file is the same whichever way the stream was cut into messages.
package struct ExportRenderer: Sendable {
    package var format: ExportFormat
    package var fields: [ExportField]
    /// A UTF-8 byte order mark first, so that Excel reads the CSV as UTF-8 (LibreOffice and
    /// pandas do anyway; pandas drops the mark with `encoding="utf-8-sig"`).
    package var bom: Bool

    package init(format: ExportFormat, fields: [ExportField], bom: Bool = false) {
        self.format = format
        self.fields = fields
        self.bom = bom
    }

    /// What the file starts with: the mark and the CSV header row (JSON Lines has none).
    package func header() -> String {
        var s = bom ? "\u{FEFF}" : ""
        if format == .csv { s += TimelineTable.csvRow(fields.map(\.rawValue)) }
        return s
    }

    /// One row, with its line end.
    package func row(_ r: ExportRow) -> String {
        switch format {
        case .csv: TimelineTable.csvRow(fields.map { $0.text(r) })
        case .jsonl: JSONValue.object(fields.map { ($0.rawValue, $0.json(r)) }).encoded() + "\n"
        }
    }
}
