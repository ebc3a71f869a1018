import KhaosanModel

/// A release as a user may name it on the command line: its id (`73500`), the id as `search`
/// prints it (`#73500`), or its thaigov URL (`https://www.thaigov.go.th/news/contents/details/73500`,
/// as `source_url`).
package enum ReleaseReference {
    /// The release id, or a message saying what was expected.
    package static func id(from text: String) -> Result<Int64, CLIError> {
        let t = CategoryCatalog.trimmedName(text)
        var digits = Substring(t)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard digits.count <= 18, let id = Int64(digits), id > 0 else {
                return .failure(.usage("ID must be a positive number, got \(t)"))
            }
            return .success(id)
        }
        if t.hasPrefix("http://") || t.hasPrefix("https://") {
            let host = t.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map { $0.lowercased() } ?? ""
            guard host == "thaigov.go.th" || host.hasSuffix(".thaigov.go.th") else {
                return .failure(.usage("\(t) is not a thaigov.go.th URL; give the release id, #id or its thaigov URL"))
            }
            guard let id = ReleaseParser.releaseID(fromSourceURL: t) else {
                return .failure(.usage("\(t) does not end in a release id (…/news/contents/details/<id>)"))
            }
            return .success(id)
        }
        return .failure(.usage("ID must be a release id (73500), #73500 or its thaigov URL, got \(t)"))
    }
}
