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
        case .csv: fields.map { Self.csvField($0.text(r)) }.joined(separator: ",") + "\r\n"
        case .jsonl: JSONValue.object(fields.map { ($0.rawValue, $0.json(r)) }).encoded() + "\n"
        }
    }

    /// `timeline --csv`'s quoting rule (`TimelineTable.csvField`: quoted when the field holds a
    /// comma, a quote or a line break, or starts or ends with a space; quotes doubled), decided
    /// and done on the UTF-8 bytes: a body is kilobytes of Thai, and walking it by Characters
    /// (grapheme breaking) made a full-text CSV export take twice as long as JSON Lines.
    package static func csvField(_ f: String) -> String {
        let u = f.utf8
        guard let first = u.first, let last = u.last else { return f }
        let special = u.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard special || first == 0x20 || last == 0x20 else { return f }
        var out: [UInt8] = []
        out.reserveCapacity(u.count + 16)
        out.append(0x22)
        for b in u {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }
}
