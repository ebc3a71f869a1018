import KhaosanModel
import KhaosanWire

/// Two spellings of the same Thai syllable (sara u + mai ek in either order): Swift's `==` calls
/// them equal, the wire must not.
let composedU = "\u{0E01}\u{0E38}\u{0E48}"
let reorderedU = "\u{0E01}\u{0E48}\u{0E38}"

func thaiRelease(id: Int64 = 6_001, paragraphs: Int = 3) -> Release {
    Release(
        id: id,
        sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)",
        title: "นายกรัฐมนตรีประชุมคณะรัฐมนตรี \(composedU)",
        published: CivilDate(year: 2023, month: 11, day: 10),
        category: Category(name: "ภาคการค้าการลงทุน", slug: "economy"),
        language: .th,
        paragraphs: (0..<paragraphs).map { i in
            i % 2 == 0 ? "ย่อหน้าที่ \(i) กระทรวงอุตสาหกรรม \(reorderedU) ลงพื้นที่ จ.ชุมพร" : "Paragraph \(i) in English."
        },
        entities: ["กระทรวงอุตสาหกรรม", "นางสาวพิมพ์ภัทรา วิชัยกุล"],
        contentHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    )
}

func thaiHit(_ i: Int) -> SearchHit {
    SearchHit(
        id: Int64(1000 + i), title: "ข่าว \(i) \(composedU)", published: CivilDate(year: 2021, month: 4, day: 29),
        category: Category(name: "ด้านความมั่นคง", slug: nil), language: i % 2 == 0 ? .th : .en, score: 1.5 / Double(i + 1),
        snippet: "…การประชุม\(reorderedU)…", highlights: [Highlight(start: 3, end: 12), Highlight(start: 20, end: 33)],
        sourceURL: "https://www.thaigov.go.th/news/contents/details/\(1000 + i)"
    )
}

/// Protobuf encoding by hand, to make bytes the Swift encoder refuses to produce.
enum Proto {
    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] { varint(field << 3 | wireType) }
    static func bytes(_ field: UInt64, _ payload: [UInt8]) -> [UInt8] { tag(field, 2) + varint(UInt64(payload.count)) + payload }
    static func string(_ field: UInt64, _ s: String) -> [UInt8] { bytes(field, Array(s.utf8)) }
    static func int(_ field: UInt64, _ v: UInt64) -> [UInt8] { tag(field, 0) + varint(v) }
}

/// Bytes that are not UTF-8: a lone continuation byte, an overlong form, a truncated sequence.
let badUTF8: [UInt8] = [0xE0, 0xB8]
