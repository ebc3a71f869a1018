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
    package static func strippingTitle(_ name: String) -> String {
        var s = Substring(name)
        var again = true
        while again {
            again = false
            for t in titles where s.hasPrefix(t) && s.count > t.count {
                s = s.dropFirst(t.count).drop { $0 == " " }
                again = true
                break
            }
        }
        return String(s)
    }
}
