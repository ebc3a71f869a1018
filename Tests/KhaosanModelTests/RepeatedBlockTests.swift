import KhaosanTestSupport
import Testing
@testable import KhaosanModel

/// The thaigov parser's repeated-block check (issue 13, item 6: it used to scan back 4,096
/// lines from every line, 237 s for a 4 MiB file of 1.4 M two-character lines).
// Serialized: these are synchronous CPU work on the cooperative pool (two threads here); run in
// parallel they held both and delayed the RPC deadline tests in the same test process.
@Suite("thaigov parser: repeated blocks in linear time", .serialized)
struct RepeatedBlockTests {
    typealias Line = ThaigovParse.Line

    /// The check as it was before it was made linear, kept as the specification: at each line,
    /// scan back through the kept lines for up to 64 equal ones at most 4,096 lines back, and
    /// drop the input's next block when it repeats the kept lines from there to the end.
    static func reference(_ ls: [Line], norm: [UInt8]) -> [Line] {
        // Lines compared by the id of their text, looked up once: the same relation as comparing
        // bytes, at a cost that keeps this quadratic reference quick in a debug build.
        var ids: [ArraySlice<UInt8>: Int] = [:]
        let id = ls.map { l in
            let text = norm[l.start..<l.end]
            if let known = ids[text] { return known }
            ids[text] = ids.count
            return ids.count - 1
        }
        // The lines built here are numbered 1...n in order.
        func equal(_ a: Line, _ b: Line) -> Bool { id[a.number - 1] == id[b.number - 1] }
        guard ls.count > 1 else { return ls }
        var out: [Line] = []
        var i = 0
        outer: while i < ls.count {
            var tries = 0
            var j = out.count - 1
            let floor = max(0, out.count - 4096)
            while j >= floor && tries < 64 {
                if equal(out[j], ls[i]) {
                    tries += 1
                    let m = out.count - j
                    if i + m <= ls.count {
                        var same = true
                        for t in 1..<max(m, 1) where !equal(out[j + t], ls[i + t]) {
                            same = false
                            break
                        }
                        if same {
                            i += m
                            continue outer
                        }
                    }
                }
                j -= 1
                if out.count - j > ls.count - i { break }
            }
            out.append(ls[i])
            i += 1
        }
        return out
    }

    /// Lines drawn from a small alphabet of texts, so repeats of every length are common.
    static func lines(count: Int, alphabet: [String], using rng: inout SplitMix64) -> ([Line], [UInt8]) {
        var norm: [UInt8] = []
        var ls: [Line] = []
        for n in 0..<count {
            let text = Array(alphabet[Int(rng.next() % UInt64(alphabet.count))].utf8)
            ls.append(Line(start: norm.count, end: norm.count + text.count, number: n + 1))
            norm += text
        }
        return (ls, norm)
    }

    @Test(arguments: [1, 2, 3, 5, 26])
    func sameLinesKeptAsTheReference(alphabetSize: Int) {
        var rng = SplitMix64(seed: UInt64(alphabetSize) &* 0x9E37)
        let alphabet = (0..<alphabetSize).map { "line \($0)" }
        for round in 0..<120 {
            let (ls, norm) = Self.lines(count: 1 + round % 97 + Int(rng.next() % 200), alphabet: alphabet, using: &rng)
            let got = ThaigovParse.removeRepeatedBlocks(ls, norm: norm).map(\.number)
            let want = Self.reference(ls, norm: norm).map(\.number)
            #expect(got == want, "round \(round)")
        }
    }

    /// Doubled and tripled blocks built on purpose, longer than the random ones, and runs past
    /// the 64 tries and the 4,096-line reach.
    @Test func builtRepeatsKeptAsTheReference() {
        var rng = SplitMix64(seed: 13)
        var cases: [[String]] = []
        let para = (0..<40).map { "paragraph \($0)" }
        cases.append(para + para)
        cases.append(para + para + para + ["end"])
        cases.append(Array(repeating: "x", count: 500))
        cases.append((0..<5000).map { "l\($0)" } + (0..<5000).map { "l\($0)" })
        cases.append((0..<300).flatMap { _ in ["a", "b", "c"] } + ["d"] + (0..<100).map { _ in "a" })
        cases.append((0..<2000).map { _ in ["ab", "cd", "ab", "ef"][Int(rng.next() % 4)] })
        for (n, texts) in cases.enumerated() {
            var norm: [UInt8] = []
            var ls: [Line] = []
            for (k, t) in texts.enumerated() {
                ls.append(Line(start: norm.count, end: norm.count + t.utf8.count, number: k + 1))
                norm += Array(t.utf8)
            }
            #expect(ThaigovParse.removeRepeatedBlocks(ls, norm: norm).map(\.number) == Self.reference(ls, norm: norm).map(\.number), "case \(n)")
        }
    }

    /// The probe's shape (two-character lines from 26 letters) at a twentieth of its size: a
    /// fraction of a second in a debug build now, some 12 s before. No time is asserted (the
    /// full-size figures are in the commit that made the check linear), and the size is kept
    /// moderate so the tests running beside it are not starved.
    @Test func manyShortLinesParse() throws {
        var rng = SplitMix64(seed: 6)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        var bytes = Array("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-ทดสอบ\nวันอังคารที่ 7 พฤศจิกายน 2566\n".utf8)
        for _ in 0..<70_000 {
            bytes.append(letters[Int(rng.next() % 26)])
            bytes.append(letters[Int(rng.next() % 26)])
            bytes.append(0x0A)
        }
        bytes += Array("ที่มา : https://www.thaigov.go.th/news/contents/details/74279\n".utf8)
        let release = try ReleaseParser.parseThaigov(fileName: "x_1.txt", bytes: bytes)
        // Immediate repeats ("ab" then "ab") are dropped, so fewer paragraphs than lines remain.
        #expect(release.paragraphs.count > 60_000 && release.paragraphs.count < 70_000)
    }
}
