package import Foundation

/// Thailand's provinces and the world's countries by their Thai names (PyThaiNLP's CC0 lists,
/// shipped in Resources/lexicon/cc0), for the name extractor's places.
package struct Gazetteer: Sendable {
    package enum PlaceKind: Sendable, Hashable { case province, country }

    package struct Place: Sendable, Hashable {
        /// The list's name (`กรุงเทพมหานคร`), what an alias resolves to.
        package var name: String
        package var kind: PlaceKind
    }

    /// Spelling as written (an alias too) → the place.
    package let byName: [String: Place]
    /// Names that are also everyday words or given names (เลย "at all", แพร่ "spread", ตาก "to
    /// dry"): counted only behind จังหวัด / จ. / ประเทศ.
    package let needsMarker: Set<String>

    package static let shared: Gazetteer = {
        do { return try loadDefault() } catch { fatalError("\(error)") }
    }()

    /// Thailand itself is left out: nearly every release names it, so as a place it says nothing.
    static let excluded: Set<String> = ["ไทย"]
    static let aliases: [String: String] = [
        "กรุงเทพฯ": "กรุงเทพมหานคร", "กทม.": "กรุงเทพมหานคร", "สหรัฐฯ": "สหรัฐอเมริกา",
        "เมียนมา": "พม่า", "บรูไน": "บรูไนดารุสซาลาม", "เกาหลี": "เกาหลีใต้", "อยุธยา": "พระนครศรีอยุธยา",
        "โคราช": "นครราชสีมา", "สาธารณรัฐประชาชนจีน": "จีน", "สปป.ลาว": "ลาว", "อังกฤษ": "สหราชอาณาจักร",
        "เช็ก": "สาธารณรัฐเช็ก", "ยูเออี": "สหรัฐอาหรับเอมิเรตส์",
    ]
    static let ambiguous: Set<String> = [
        "เลย", "แพร่", "ตาก", "น่าน", "ตรัง", "ชาด", "มาลี", "กานา", "กินี", "ตองกา", "โตโก", "กวม",
        "ปาเลา", "ซามัว", "จอร์เจีย", "ชัยนาท", "สุรินทร์", "พิจิตร", "ชุมพร", "ยะลา", "ระนอง", "สตูล",
        "อยุธยา", "เกาหลี", "อังกฤษ", "เช็ก",
    ]

    package static func loadDefault() throws -> Gazetteer {
        guard let dir = Bundle.module.url(forResource: "lexicon", withExtension: nil) else {
            throw ThaiAnalyzerError.missingResource("lexicon")
        }
        return try Gazetteer(lexiconDirectory: dir)
    }

    package init(lexiconDirectory dir: URL) throws {
        func lines(_ rel: String) throws -> [(Int, String)] {
            let url = dir.appendingPathComponent(rel)
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                throw ThaiAnalyzerError.unreadable(url.path, "\(error)")
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, l in
                let s = l.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
                return s.isEmpty ? nil : (i + 1, s)
            }
        }
        var places: [String: Place] = [:]
        let provinces = dir.appendingPathComponent("cc0/thailand_provinces_th.csv").path
        for (line, l) in try lines("cc0/thailand_provinces_th.csv") {
            let fields = l.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty else {
                throw ThaiAnalyzerError.unreadable(provinces, "line \(line): expected name,abbreviation,English name,...")
            }
            places[String(fields[0])] = Place(name: String(fields[0]), kind: .province)
        }
        for (_, l) in try lines("cc0/countries_th.txt") where !Self.excluded.contains(l) {
            places[l] = Place(name: l, kind: .country)
        }
        for (alias, name) in Self.aliases {
            if let p = places[name] { places[alias] = p }
        }
        byName = places
        needsMarker = Self.ambiguous
    }
}
