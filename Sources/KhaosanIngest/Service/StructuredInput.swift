import Foundation
import KhaosanModel

/// A release sent as a structured message goes through the same validation as a JSON release
/// (one set of rules, one set of error codes): it is rendered as that JSON and parsed.
enum StructuredInput {
    static func validate(_ r: Release, maxBytes: Int) throws(ReleaseError) -> Release {
        var object: [String: Any] = [
            "id": r.id,
            "source_url": r.sourceURL,
            "title": r.title,
            "published": r.published.description,
            "category": r.category.name,
            "paragraphs": r.paragraphs,
        ]
        object["language"] = r.language.rawValue
        if !r.entities.isEmpty { object["entities"] = r.entities }
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: object, options: [])
        } catch {
            throw ReleaseError(code: .badField, message: "release \(r.id) cannot be represented: \(error)")
        }
        return try ReleaseParser.parseStructured(fileName: "release \(r.id)", bytes: Array(data), maxBytes: maxBytes)
    }
}
