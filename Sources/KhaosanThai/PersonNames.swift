package import Foundation

/// Thai family names (the Thai Male and Female Names Corpus, CC BY-SA 4.0, shipped in
/// Resources/lexicon/cc-by-sa-4.0): lets the name extractor tell a family name that starts
/// like a verb (พร้อมพันธุ์) from the verb that follows a bare given name (พร้อมด้วย).
package struct PersonNames: Sendable {
    package let familyNames: Set<String>

    package static let shared: PersonNames = {
        do { return try loadDefault() } catch { fatalError("\(error)") }
    }()

    package static func loadDefault() throws -> PersonNames {
        guard let dir = Bundle.module.url(forResource: "lexicon", withExtension: nil) else {
            throw ThaiAnalyzerError.missingResource("lexicon")
        }
        let url = dir.appendingPathComponent("cc-by-sa-4.0/family_names_th.txt")
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ThaiAnalyzerError.unreadable(url.path, "\(error)")
        }
        return PersonNames(familyNames: Set(text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
    }

    package init(familyNames: Set<String>) {
        self.familyNames = familyNames
    }
}
