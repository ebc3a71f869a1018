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
        case .csv: return fields.map { Self.csvField($0.text(r)) }.joined(separator: ",") + "\r\n"
        case .jsonl:
            // The keys are ASCII names and only strings need escaping: written as bytes (the
            // generic JSONValue walks strings by Unicode scalars, 2.5x this export's time).
            var out: [UInt8] = [0x7B]
            for (i, f) in fields.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(0x22)
                out.append(contentsOf: f.rawValue.utf8)
                out.append(contentsOf: "\":".utf8)
                if case .string(let text) = f.json(r) { Self.appendJSONString(text, to: &out) } else { out.append(contentsOf: f.json(r).encoded().utf8) }
            }
            out.append(contentsOf: "}\n".utf8)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `s` as a JSON string, escaped exactly as `ReleaseParser.appendJSONString` escapes
    /// (quote, backslash, \n \r \t, other controls as \u00XX, U+2028 and U+2029 as \u escapes:
    /// JavaScript reads them as line ends), working on the UTF-8 bytes.
    package static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        let bytes = Array(s.utf8)
        var plain = 0
        var i = 0
        func escape(_ e: String, skip: Int) {
            out.append(contentsOf: bytes[plain..<i])
            out.append(contentsOf: e.utf8)
            i += skip
            plain = i
        }
        let hex = Array("0123456789abcdef".utf8)
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x22: escape("\\\"", skip: 1)
            case 0x5C: escape("\\\\", skip: 1)
            case 0x0A: escape("\\n", skip: 1)
            case 0x0D: escape("\\r", skip: 1)
            case 0x09: escape("\\t", skip: 1)
            case 0x00..<0x20:
                escape("\\u00" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self), skip: 1)
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                escape(bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", skip: 3)
            default: i += 1
            }
        }
        out.append(contentsOf: bytes[plain..<i])
        out.append(0x22)
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
