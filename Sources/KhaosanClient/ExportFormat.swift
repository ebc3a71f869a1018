import ArgumentParser

/// How `khaosan export` writes its rows.
package enum ExportFormat: String, Sendable, CaseIterable, ExpressibleByArgument {
    /// RFC 4180: a header row, CRLF line ends, a field quoted when it holds a comma, a quote, a
    /// line break or edge spaces (quotes doubled); UTF-8.
    case csv
    /// One JSON object per line, keys in the order of the fields.
    case jsonl
}
