import Foundation

/// Structured (JSON) input, for releases that do not arrive as thaigov files:
///
///     {"id": 73500, "source_url": "https://…/73500", "title": "…", "published": "2023-10-18",
///      "category": "ด้านสังคม", "language": "th", "paragraphs": ["…"], "entities": ["…"]}
///
/// `language` and `entities` are optional (detected/extracted when absent). Unknown keys are
/// ignored. Text fields are normalised like thaigov text; the same limits apply (size, UTF-8,
/// empty body, placeholder date 1970-01-01).
extension ReleaseParser {
    package static func parseStructured(
        fileName: String, bytes: some Collection<UInt8>, categoryOverride: String? = nil,
        maxBytes: Int = ReleaseParser.defaultMaxBytes
    ) throws(ReleaseError) -> Release {
        let data = Array(bytes)
        if data.count > maxBytes {
            throw ReleaseError(code: .tooLarge, message: "\(data.count) bytes, limit is \(maxBytes)")
        }
        if data.isEmpty { throw ReleaseError(code: .emptyFile, message: "the file is empty (0 bytes)") }
        if let bad = data.withUnsafeBufferPointer({ UTF8Scan.firstInvalidOffset($0) }) {
            throw ReleaseError(code: .invalidUTF8, message: "byte \(bad): invalid UTF-8 (0x\(String(data[bad], radix: 16, uppercase: true)))")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data), options: [])
        } catch {
            throw ReleaseError(code: .badJSON, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let dict = object as? [String: Any] else {
            throw ReleaseError(code: .badJSON, message: "the top level must be a JSON object")
        }

        func missing(_ f: String) -> ReleaseError {
            ReleaseError(code: .missingField, field: f, message: "field \"\(f)\" is missing")
        }
        func bad(_ f: String, _ why: String) -> ReleaseError {
            ReleaseError(code: .badField, field: f, message: "field \"\(f)\": \(why)")
        }
        // A NUL (\u0000) is refused, not dropped: the same promise as for protobuf strings
        // (INVALID_ARGUMENT naming the field), and a silently shortened text is worse.
        func noNUL(_ s: String, _ f: String) throws(ReleaseError) -> String {
            if let at = s.utf8.firstIndex(of: 0) {
                throw bad(f, "contains U+0000 at UTF-8 offset \(s.utf8.distance(from: s.utf8.startIndex, to: at))")
            }
            return s
        }
        func string(_ f: String) throws(ReleaseError) -> String {
            guard let v = dict[f], !(v is NSNull) else { throw missing(f) }
            guard let s = v as? String else { throw bad(f, "must be a string") }
            return try noNUL(s, f)
        }
        func stringArray(_ f: String) throws(ReleaseError) -> [String] {
            guard let v = dict[f], !(v is NSNull) else { throw missing(f) }
            guard let a = v as? [Any] else { throw bad(f, "must be an array of strings") }
            var out: [String] = []
            for (i, e) in a.enumerated() {
                guard let s = e as? String else { throw bad(f, "element \(i) is not a string") }
                out.append(try noNUL(s, "\(f)[\(i)]"))
            }
            return out
        }

        // id
        guard let idValue = dict["id"], !(idValue is NSNull) else { throw missing("id") }
        guard let num = idValue as? NSNumber, !isBool(num) else { throw bad("id", "must be an integer") }
        let d = num.doubleValue
        guard d == d.rounded(), d >= 1, d < 9.0e15 else { throw bad("id", "must be a positive integer, got \(num)") }
        let id = num.int64Value

        let sourceURL = TextNormalizer.normalizeLine(try string("source_url"))
        guard !sourceURL.contains(" "), sourceURL.hasPrefix("https://") || sourceURL.hasPrefix("http://"),
              sourceURL.split(separator: "/", omittingEmptySubsequences: false).count >= 3,
              !sourceURL.split(separator: "/", omittingEmptySubsequences: false)[2].isEmpty
        else { throw ReleaseError(code: .badSourceURL, field: "source_url", message: "not an http(s) URL: \"\(sourceURL)\"") }
        if let urlID = releaseID(fromSourceURL: sourceURL), urlID != id {
            throw bad("id", "\(id) differs from the release number \(urlID) in source_url")
        }

        let publishedText = try string("published")
        guard let published = CivilDate(iso: publishedText) else {
            throw bad("published", "expected YYYY-MM-DD, got \"\(publishedText)\"")
        }
        if published == CivilDate(year: 1970, month: 1, day: 1) {
            throw ReleaseError(code: .placeholderPage, field: "published", message: "placeholder date 1970-01-01")
        }

        let title = TextNormalizer.normalizeLine(try string("title"))
        let categoryName: String
        if let categoryOverride {
            categoryName = CategoryCatalog.trimmedName(categoryOverride)
        } else {
            categoryName = CategoryCatalog.trimmedName(try string("category"))
        }
        let paragraphs = try stringArray("paragraphs").map(TextNormalizer.normalizeLine).filter { !$0.isEmpty }
        // No paragraph with a title is a title-only release (see ReleaseParser); neither is nothing.
        guard !paragraphs.isEmpty || !title.isEmpty else {
            throw ReleaseError(code: .emptyBody, field: "paragraphs", message: "no title and no non-empty paragraph")
        }
        guard !title.isEmpty else { throw ReleaseError(code: .missingTitle, field: "title", message: "empty title") }

        let language: Language
        if let v = dict["language"], !(v is NSNull) {
            guard let s = v as? String, let l = Language(rawValue: s) else { throw bad("language", "must be \"th\" or \"en\"") }
            language = l
        } else {
            language = detectLanguage(title: title, paragraphs: paragraphs)
        }
        let entities: [String]
        if let v = dict["entities"], !(v is NSNull) {
            entities = try stringArray("entities").map(TextNormalizer.normalizeLine).filter { !$0.isEmpty }
        } else {
            entities = EntityExtractor.extract(from: paragraphs)
        }
        let category = CategoryCatalog.category(named: categoryName)
        return Release(
            id: id, sourceURL: sourceURL, title: title, published: published, category: category,
            language: language, paragraphs: paragraphs, entities: entities,
            // The name as found, as for a thaigov file (ReleaseParser.parse).
            contentHash: contentHash(title: title, published: published, category: categoryName, language: language, paragraphs: paragraphs))
    }

    private static func isBool(_ n: NSNumber) -> Bool {
        // On Linux, JSON true/false arrive as NSNumber too; its objCType is "c" for Bool.
        String(cString: n.objCType) == "c"
    }

    /// One line of `khaosan parse --json`: keys `file`, `id`, `source_url`, `title`, `published`,
    /// `category`, `language`, `paragraphs` in that order, or `file` and
    /// `error: {"code", "message"}` for a rejected file. UTF-8 kept as is (not \u-escaped).
    package static func jsonLine(file: String, result: Result<Release, ReleaseError>) -> String {
        var o = "{\"file\":"
        appendJSONString(file, to: &o)
        switch result {
        case .success(let r):
            o += ",\"id\":\(r.id),\"source_url\":"
            appendJSONString(r.sourceURL, to: &o)
            o += ",\"title\":"
            appendJSONString(r.title, to: &o)
            o += ",\"published\":\"\(r.published.description)\",\"category\":"
            appendJSONString(r.category.name, to: &o)
            o += ",\"language\":\"\(r.language.rawValue)\",\"paragraphs\":["
            for (i, p) in r.paragraphs.enumerated() {
                if i > 0 { o += "," }
                appendJSONString(p, to: &o)
            }
            o += "]}"
        case .failure(let e):
            o += ",\"error\":{\"code\":"
            appendJSONString(e.code.rawValue, to: &o)
            o += ",\"message\":"
            appendJSONString(e.message, to: &o)
            o += "}}"
        }
        return o
    }

    /// JSON string literal: `"` `\` and control characters escaped, everything else raw UTF-8.
    package static func appendJSONString(_ s: String, to o: inout String) {
        o += "\""
        var plainStart = s.unicodeScalars.startIndex
        var idx = plainStart
        let scalars = s.unicodeScalars
        while idx < scalars.endIndex {
            let u = scalars[idx]
            let esc: String?
            switch u.value {
            case 0x22: esc = "\\\""
            case 0x5C: esc = "\\\\"
            case 0x0A: esc = "\\n"
            case 0x0D: esc = "\\r"
            case 0x09: esc = "\\t"
            case 0x00...0x1F, 0x2028, 0x2029:
                let h = String(u.value, radix: 16)
                esc = "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: esc = nil
            }
            if let esc {
                o.unicodeScalars.append(contentsOf: scalars[plainStart..<idx])
                o += esc
                plainStart = scalars.index(after: idx)
            }
            idx = scalars.index(after: idx)
        }
        o.unicodeScalars.append(contentsOf: scalars[plainStart..<idx])
        o += "\""
    }
}
