import KhaosanTestSupport
import Testing
@testable import KhaosanModel

/// `Entity.strippingTitle` works on UTF-8 with a grapheme-boundary check; this is the
/// Character-based definition it replaced, which it must agree with.
@Suite struct EntityTitleTests {
    static func naive(_ name: String) -> String {
        var s = Substring(name)
        var again = true
        while again {
            again = false
            for t in Entity.titles where s.hasPrefix(t) && s.count > t.count {
                s = s.dropFirst(t.count).drop { $0 == " " }
                again = true
                break
            }
        }
        return String(s)
    }

    @Test(arguments: [
        ("นายอนุทิน ชาญวีรกูล", "อนุทิน ชาญวีรกูล"),
        ("พลเอก ประยุทธ์ จันทร์โอชา", "ประยุทธ์ จันทร์โอชา"),
        ("ผศ.ดร.สมชาย ใจดี", "สมชาย ใจดี"),
        ("พล.ต.อ. ดร. สมศักดิ์ รุ่งเรือง", "สมศักดิ์ รุ่งเรือง"),
        ("นาย", "นาย"),                      // nothing after the title: kept
        ("นายิกา สุขใจ", "นายิกา สุขใจ"),      // ย with a vowel above: not the title นาย
        ("นางสาวสุดา ดี", "สุดา ดี"),
        ("คุณหญิงกัลยา", "หญิงกัลยา"),
        ("นายำ", "นายำ"),                    // SARA AM joins the consonant before it
        ("Mr. John Smith", "Mr. John Smith"),
        ("", ""),
    ])
    func table(name: String, stripped: String) {
        #expect(Entity.strippingTitle(name) == stripped)
        #expect(Entity.strippingTitle(name) == Self.naive(name))
    }

    @Test(arguments: 0..<300)
    func agreesWithTheCharacterDefinition(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let pieces = Entity.titles + ["ก", "า", "ิ", "่", "ำ", "ั", "์", " ", "  ", ".", "สมชาย", "ใจดี", "a", "\u{0E4D}"]
        let name = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        #expect(Entity.strippingTitle(name) == Self.naive(name), "\(name.debugDescription)")
    }
}
