/// A name found in a release, with what it names: the typed form of `Release.entities`, kept by
/// the query service (table `release_names`) and searched with `person:`, `org:`, `place:`.
package struct Entity: Sendable, Hashable, Codable {
    package enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case person, organisation, place

        /// The query language's prefix (`person:"..."`).
        package var filterPrefix: String {
            switch self {
            case .person: "person"
            case .organisation: "org"
            case .place: "place"
            }
        }

        /// Stored in SQLite as a small integer (0 person, 1 organisation, 2 place).
        package var code: Int {
            switch self {
            case .person: 0
            case .organisation: 1
            case .place: 2
            }
        }

        package init?(code: Int) {
            switch code {
            case 0: self = .person
            case 1: self = .organisation
            case 2: self = .place
            default: return nil
            }
        }
    }

    package var kind: Kind
    /// As written in the text (a person with the honorific or rank: `นายอนุทิน ชาญวีรกูล`); a
    /// place by its canonical name (`กรุงเทพมหานคร` for กรุงเทพฯ).
    package var name: String

    package init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Words an organisation's name starts with.
    package static let organisationPrefixes = ["กระทรวง", "กรม", "สำนักงาน", "สำนัก", "องค์การ", "บริษัท"]

    /// A name from before names were typed (the flat `entities` list of schema v3 and of old
    /// release versions, or a structured release's `entities`): the extractor then found
    /// people only, but structured input could list organisations, told apart by their first word.
    package static func legacy(_ name: String) -> Entity {
        for p in organisationPrefixes where name.hasPrefix(p) && name.count > p.count {
            return Entity(kind: .organisation, name: name)
        }
        return Entity(kind: .person, name: name)
    }

    /// Honorifics, ranks and titles, longest first, as people's names start with them.
    package static let titles: [String] = [
        "พลตำรวจเอก", "พลตำรวจโท", "พลตำรวจตรี", "พลอากาศเอก", "พลอากาศโท", "พลอากาศตรี", "พลเรือเอก",
        "พลเรือโท", "พลเรือตรี", "พลเอก", "พลโท", "พลตรี", "พันตำรวจเอก", "พันตำรวจโท", "พันเอก", "พันโท",
        "ร้อยตำรวจเอก", "ร้อยเอก", "ร้อยโท", "ร้อยตรี", "รองศาสตราจารย์", "ผู้ช่วยศาสตราจารย์", "ศาสตราจารย์เกียรติคุณ", "ศาสตราจารย์", "นายสัตวแพทย์", "สัตวแพทย์", "นายแพทย์", "แพทย์หญิง",
        "พล.ต.อ.", "พล.ต.ท.", "พล.ต.ต.", "พล.อ.อ.", "พล.อ.ท.", "พล.อ.ต.", "พล.ร.อ.", "พล.ร.ท.", "พล.ร.ต.",
        "พล.อ.", "พล.ท.", "พล.ต.", "พ.ต.อ.", "พ.ต.ท.", "พ.ต.ต.", "ร.ต.อ.", "พ.อ.", "พ.ท.", "พ.ต.", "ร.อ.", "ร.ท.", "ร.ต.",
        "ว่าที่ร้อยตรี", "ว่าที่", "ม.ร.ว.", "ม.ล.", "หม่อมราชวงศ์", "หม่อมหลวง",
        "ผศ.ดร.", "รศ.ดร.", "ศ.ดร.", "ผศ.", "รศ.", "ศ.", "นพ.", "พญ.", "ดร.", "น.ส.",
        "นางสาว", "นาย", "นาง", "คุณ",
    ]

    /// A person's name without the titles it starts with (they stack: พลตำรวจเอก ดร. ...).
    /// Compared as UTF-8 with a grapheme boundary after the title, which is what `hasPrefix`
    /// on Characters decides, without its per-character normalisation (this runs for every
    /// name candidate of every release at ingest).
    package static func strippingTitle(_ name: String) -> String {
        var name = name
        return name.withUTF8 { u -> String in
            var at = 0
            var again = true
            while again {
                again = false
                for t in titleBytes where u.count - at > t.count && startsWith(u, at, t) && characterBoundary(u, at + t.count) {
                    at += t.count
                    // A space carrying a combining mark is a character of its own, not a space.
                    while at < u.count && u[at] == 0x20 && characterBoundary(u, at + 1) { at += 1 }
                    again = true
                    break
                }
            }
            return at == 0 ? String(decoding: u, as: UTF8.self) : String(decoding: UnsafeBufferPointer(rebasing: u[at...]), as: UTF8.self)
        }
    }

    package static let titleBytes: [[UInt8]] = titles.map { Array($0.utf8) }

    @inline(__always) package static func startsWith(_ u: UnsafeBufferPointer<UInt8>, _ at: Int, _ p: [UInt8]) -> Bool {
        guard at + p.count <= u.count else { return false }
        for k in 0..<p.count where u[at + k] != p[k] { return false }
        return true
    }

    /// Whether a grapheme may start at byte `i` (after a title that ends a grapheme: the titles
    /// end in a consonant, a vowel or a full stop): not when the next scalar extends the one
    /// before (a Thai vowel or tone mark, SARA AM, any combining mark, ZWJ).
    package static func characterBoundary(_ u: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i < u.count else { return true }
        guard u[i] >= 0x80 else { return true }
        var it = UnsafeBufferPointer(rebasing: u[i...]).makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let s) = decoder.decode(&it) else { return true }
        switch s.value {
        case 0x0E31, 0x0E33...0x0E3A, 0x0E47...0x0E4E, 0x200C, 0x200D: return false
        default:
            switch s.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return false
            default: return true
            }
        }
    }
}
