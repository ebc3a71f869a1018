import Foundation
import KhaosanModel
package import KhaosanWire

/// A column of `khaosan export`: its name in `--fields`, the CSV header and the JSON key alike.
package enum ExportField: String, Sendable, CaseIterable {
    case id, version, current, date, category, slug, language, title, url, body

    /// Without `--fields`: the release's metadata and title, the body with `--full-text`, the
    /// version columns with `--versions`.
    package static func defaults(fullText: Bool, versions: Bool) -> [ExportField] {
        var f: [ExportField] = [.id]
        if versions { f += [.version, .current] }
        f += [.date, .category, .slug, .language, .title, .url]
        if fullText { f.append(.body) }
        return f
    }

    /// `--fields id,title,body`: names separated by commas (spaces allowed), each known and listed once.
    package static func parse(_ list: String) throws(CLIError) -> [ExportField] {
        var out: [ExportField] = []
        for raw in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty else { throw .usage("--fields: an empty field name in '\(list)'") }
            guard let f = ExportField(rawValue: name) else {
                throw .usage("--fields: unknown field '\(name)'; the fields are \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !out.contains(f) else { throw .usage("--fields: '\(name)' is listed twice") }
            out.append(f)
        }
        return out
    }

    /// The field's text in a CSV cell: dates ISO (YYYY-MM-DD), an unknown slug empty, booleans
    /// `true`/`false`.
    package func text(_ r: ExportRow) -> String {
        switch self {
        case .id: String(r.id)
        case .version: String(r.version)
        case .current: r.current ? "true" : "false"
        case .date: r.published.description
        case .category: r.category.name
        case .slug: r.category.slug ?? ""
        case .language: r.language.rawValue
        case .title: r.title
        case .url: r.sourceURL
        case .body: r.body
        }
    }

    /// The field as a JSON value: numbers for id and version, null for an unknown slug.
    package func json(_ r: ExportRow) -> JSONValue {
        switch self {
        case .id: .int(r.id)
        case .version: .uint(UInt64(r.version))
        case .current: .bool(r.current)
        case .slug: .string(r.category.slug)
        default: .string(text(r))
        }
    }
}
