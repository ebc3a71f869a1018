// The shared domain model. Every service and the CLI speak in these types; the wire bridge
// (KhaosanWire) converts them to and from protobuf-c structs.

/// A calendar day in the Gregorian calendar, with no time zone: thaigov dates are days.
package struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    package var year: Int
    package var month: Int
    package var day: Int

    package init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD`.
    package var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Days since 1970-01-01 (proleptic Gregorian); the storage and wire form.
    package var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Parses `YYYY-MM-DD` and checks the day exists.
    package init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              CivilDate.isValid(year: y, month: m, day: d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    package static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= daysInMonth(year: year, month: month)
    }

    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

package enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    case th
    case en
}

/// A release category: the Thai (or English) name exactly as found (trimmed), plus a stable
/// English slug for the known ones. Unknown categories are kept with a nil slug.
package struct Category: Sendable, Hashable, Codable {
    package var name: String
    package var slug: String?

    package init(name: String, slug: String?) {
        self.name = name
        self.slug = slug
    }
}

/// One press release, parsed and normalised.
package struct Release: Sendable, Hashable, Codable {
    /// The thaigov release id, from the source URL's last path component.
    package var id: Int64
    package var sourceURL: String
    package var title: String
    package var published: CivilDate
    package var category: Category
    package var language: Language
    package var paragraphs: [String]
    /// Names of people and organisations found in the text (may be empty).
    package var entities: [String]
    /// Hex digest over the canonical content (title, date, category, language, paragraphs);
    /// equal hashes mean "the same release again".
    package var contentHash: String

    package init(
        id: Int64, sourceURL: String, title: String, published: CivilDate, category: Category,
        language: Language, paragraphs: [String], entities: [String], contentHash: String
    ) {
        self.id = id
        self.sourceURL = sourceURL
        self.title = title
        self.published = published
        self.category = category
        self.language = language
        self.paragraphs = paragraphs
        self.entities = entities
        self.contentHash = contentHash
    }

    /// A release with a title and no body (thaigov's page had only a photo or a video): the
    /// title is its text. Kept, searchable by its title, and counted apart as `title-only`.
    package var isTitleOnly: Bool { paragraphs.isEmpty }
}

/// A release as it arrives at the ingester: either a raw thaigov text file or a structured
/// (JSON) release.
package enum RawRelease: Sendable, Hashable {
    /// `fileName` carries the category (text before `_<n>_<uuid>.txt`); `bytes` must be UTF-8.
    case thaigovFile(fileName: String, bytes: [UInt8])
    /// A JSON object; see StructuredRelease.
    case structuredJSON(fileName: String, bytes: [UInt8])

    package var fileName: String {
        switch self {
        case .thaigovFile(let name, _), .structuredJSON(let name, _): return name
        }
    }
}
