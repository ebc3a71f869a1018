package import Foundation

package struct ThaiToken: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        /// A dictionary word (dotted abbreviations such as ก.พ. included).
        case thaiWord
        /// A run of Thai clusters no dictionary word covers (never split below a cluster).
        case thaiUnknown
        /// An honorific, academic title or rank (นาย, น.ส., พล.ต.อ., ดร., mr, dr, ...).
        case honorific
        case latinWord
        case number
    }

    /// The normalised token text (what goes into the index).
    package var text: String
    /// Byte offsets into the ORIGINAL input string's UTF-8.
    package var utf8Range: Range<Int>
    package var kind: Kind

    package init(text: String, utf8Range: Range<Int>, kind: Kind) {
        self.text = text
        self.utf8Range = utf8Range
        self.kind = kind
    }
}

package enum ThaiAnalyzerError: Error, CustomStringConvertible {
    case missingResource(String)
    case unreadable(String, String)

    package var description: String {
        switch self {
        case .missingResource(let name): "KhaosanThai: lexicon resource \(name) is missing from the bundle"
        case .unreadable(let path, let why): "KhaosanThai: cannot read lexicon file \(path): \(why)"
        }
    }
}

/// Thai text analysis: clusters and dictionary words (with honorifics apart), for snippets'
/// word breaks, whole-word matching (`SearchText.wordStarts`) and `khaosan tokenize`. What the
/// search index matches is not these words but the character stream of `SearchText`: any phrase
/// is found wherever it starts or ends, and the segmentation only tells whole words apart.
package final class ThaiAnalyzer: Sendable {
    let lexicon: Lexicon
    private let latinTitles: Set<String>

    package static let shared: ThaiAnalyzer = {
        do { return try loadDefault() } catch { fatalError("\(error)") }
    }()

    /// Loads the dictionary shipped in the package resources.
    package static func loadDefault() throws -> ThaiAnalyzer {
        guard let dir = Bundle.module.url(forResource: "lexicon", withExtension: nil) else {
            throw ThaiAnalyzerError.missingResource("lexicon")
        }
        return try ThaiAnalyzer(lexiconDirectory: dir)
    }

    /// Loads a lexicon directory laid out like Resources/lexicon.
    package init(lexiconDirectory dir: URL) throws {
        // Lines as (validated) UTF-8 byte slices: no String or Character per line.
        func forEachLine(_ rel: String, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
            let url = dir.appendingPathComponent(rel)
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw ThaiAnalyzerError.unreadable(url.path, "\(error)")
            }
            var text = String(decoding: data, as: UTF8.self)
            try text.withUTF8 { b in
                var i = 0, line = 1
                while i < b.count {
                    var j = i
                    while j < b.count && b[j] != 0x0A { j += 1 }
                    var e = j
                    if e > i && b[e - 1] == 0x0D { e -= 1 }
                    if e > i { try body(UnsafeBufferPointer(rebasing: b[i..<e]), line) }
                    i = j + 1; line += 1
                }
            }
        }
        var builder = Lexicon.Builder()
        builder.bytes.reserveCapacity(2_000_000)
        let cap = 1024
        let sc = UnsafeMutablePointer<UInt32>.allocate(capacity: cap + 1)
        let st = UnsafeMutablePointer<Int32>.allocate(capacity: cap + 1)
        let en = UnsafeMutablePointer<Int32>.allocate(capacity: cap + 1)
        let sy = UnsafeMutablePointer<UInt8>.allocate(capacity: cap + 1)
        defer { sc.deallocate(); st.deallocate(); en.deallocate(); sy.deallocate() }
        // The same normalisation as the text, so dictionary and text spellings meet.
        func add(_ word: UnsafeBufferPointer<UInt8>, score: Float, isWord: Bool, honorific: Bool) {
            guard word.count <= cap else { return }
            let n = NormalizedText.fill(word, sc, st, en)
            for k in 0..<n {
                let s = Lexicon.symbol(sc[k])
                if s == 0 { return } // spaces, Latin: not one Thai word
                sy[k] = s
            }
            builder.add(UnsafeBufferPointer(start: sy, count: n), score: score, isWord: isWord, honorific: honorific)
        }
        try forEachLine("cc0/words_th.txt") { w, _ in add(w, score: 1, isWord: true, honorific: false) }
        for file in ["cc-by-sa-4.0/family_names_th.txt", "cc-by-sa-4.0/person_names_female_th.txt",
                     "cc-by-sa-4.0/person_names_male_th.txt", "project/names_th.txt"] {
            try forEachLine(file) { w, _ in add(w, score: 1, isWord: true, honorific: false) }
        }
        var latin = Set<String>()
        try forEachLine("project/titles.txt") { w, _ in
            if w.first == 0x23 { return } // # comment
            if w.allSatisfy({ $0 < 0x80 }) {
                latin.insert(String(decoding: w, as: UTF8.self).lowercased().replacingOccurrences(of: ".", with: "")
                    .trimmingCharacters(in: .whitespaces))
            } else {
                add(w, score: 1, isWord: true, honorific: true)
            }
        }
        let freqPath = dir.appendingPathComponent("cc0/tnc_freq.txt").path
        try forEachLine("cc0/tnc_freq.txt") { l, line in
            guard let tab = l.firstIndex(of: 0x09), tab + 1 < l.count else {
                throw ThaiAnalyzerError.unreadable(freqPath, "line \(line): expected word<TAB>frequency")
            }
            var f = 0.0
            for k in (tab + 1)..<l.count {
                let d = l[k]
                guard d >= 0x30 && d <= 0x39 else {
                    throw ThaiAnalyzerError.unreadable(freqPath, "line \(line): frequency is not a whole number")
                }
                f = f * 10 + Double(d - 0x30)
            }
            add(UnsafeBufferPointer(rebasing: l[..<tab]), score: Float(1 + log(f + 1)), isWord: false, honorific: false)
        }
        lexicon = Lexicon(builder)
        latinTitles = latin
    }

    /// Size of the loaded trie arrays in bytes.
    package var dictionaryBytes: Int { lexicon.byteSize }
    package var dictionaryNodes: Int { lexicon.nodeCount }

    // MARK: - Clusters

    /// Thai Character Cluster boundaries as UTF-8 ranges of the original text. Outside Thai each
    /// remaining character is its own cluster; dropped zero-width characters belong to none.
    package func clusters(_ text: String) -> [Range<Int>] {
        let norm = NormalizedText(text)
        var out: [Range<Int>] = []
        norm.scalars.withUnsafeBufferPointer { s in
            var i = 0
            let n = s.count
            while i < n {
                if ThaiChar.isThai(s[i]) {
                    let e = Self.segmentEnd(s, i)
                    var p = i
                    while p < e {
                        let q = TCC.clusterEnd(UnsafeBufferPointer(rebasing: s[..<e]), p, e)
                        out.append(norm.range(p, q))
                        p = q
                    }
                    i = e
                } else {
                    out.append(norm.range(i, i + 1))
                    i += 1
                }
            }
        }
        return out
    }

    /// A Thai segment for clusters and words: Thai characters, and full stops that follow one
    /// (so dotted abbreviations in the dictionary can match).
    @inline(__always)
    static func segmentEnd(_ s: UnsafeBufferPointer<UInt32>, _ start: Int) -> Int {
        var j = start + 1
        let n = s.count
        while j < n {
            let c = s[j]
            if ThaiChar.isThai(c) { j += 1; continue }
            if c == 0x2E && ThaiChar.isThai(s[j - 1]) { j += 1; continue }
            break
        }
        return j
    }

    // MARK: - Words

    /// Dictionary segmentation: Thai words (names whole, honorifics apart), unknown Thai runs cut
    /// at clusters, Latin words and numbers. Spaces and punctuation are dropped.
    package func words(_ text: String) -> [ThaiToken] {
        let norm = NormalizedText(text)
        var out: [ThaiToken] = []
        out.reserveCapacity(norm.count / 4)
        let dp = SegmenterScratch(capacity: norm.count)
        defer { dp.deallocate() }
        norm.scalars.withUnsafeBufferPointer { s in
            var i = 0
            let n = s.count
            while i < n {
                let c = s[i]
                if ThaiChar.isThai(c) {
                    let e = Self.segmentEnd(s, i)
                    segment(s, i, e, norm, dp, &out)
                    i = e
                } else if ThaiChar.isWordChar(c) {
                    var j = i + 1
                    while j < n && ThaiChar.isWordChar(s[j]) { j += 1 }
                    let t = Self.string(s, i, j)
                    var kind: ThaiToken.Kind = Self.allDigits(s, i, j) ? .number : .latinWord
                    if kind == .latinWord && latinTitles.contains(t) { kind = .honorific }
                    out.append(ThaiToken(text: t, utf8Range: norm.range(i, j), kind: kind))
                    i = j
                } else {
                    i += 1
                }
            }
        }
        return out
    }

    struct Cost {
        var unknown: Int32
        var words: Int32
        var score: Int32
        @inline(__always) func better(than o: Cost) -> Bool {
            if unknown != o.unknown { return unknown < o.unknown }
            if words != o.words { return words < o.words }
            return score > o.score
        }
    }

    /// Per-call work arrays for the segmenter, sized for the whole text once.
    struct SegmenterScratch {
        let clusterStart: UnsafeMutablePointer<Int32>   // relative scalar offsets of cluster starts, + end
        let boundaryIndex: UnsafeMutablePointer<Int32>  // per relative scalar position: cluster index or -1
        let best: UnsafeMutablePointer<Cost>
        let prev: UnsafeMutablePointer<Int32>
        let node: UnsafeMutablePointer<UInt32>          // trie node of the word ending here, 0 = unknown cluster
        let symbols: UnsafeMutablePointer<UInt8>        // trie symbol per scalar, 0 after the segment

        init(capacity n: Int) {
            symbols = .allocate(capacity: n + 2)
            clusterStart = .allocate(capacity: n + 2)
            boundaryIndex = .allocate(capacity: n + 2)
            best = .allocate(capacity: n + 2)
            prev = .allocate(capacity: n + 2)
            node = .allocate(capacity: n + 2)
        }

        func deallocate() {
            clusterStart.deallocate(); boundaryIndex.deallocate(); best.deallocate(); prev.deallocate(); node.deallocate()
            symbols.deallocate()
        }
    }

    /// Maximal matching over cluster boundaries: fewest uncovered clusters, then fewest words,
    /// then the most frequent words (sum of log frequencies).
    private func segment(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, _ norm: NormalizedText,
                         _ w: SegmenterScratch, _ out: inout [ThaiToken]) {
        let len = b - a
        let seg = UnsafeBufferPointer(rebasing: s[a..<b])
        let cs = w.clusterStart, bix = w.boundaryIndex, best = w.best, prev = w.prev, wnode = w.node
        let syms = w.symbols
        for q in 0..<len { bix[q] = -1; syms[q] = Lexicon.symbol(seg[q]) }
        syms[len] = 0
        var m = 0
        var p = 0
        while p < len {
            bix[p] = Int32(m)
            cs[m] = Int32(p)
            m += 1
            p = TCC.clusterEnd(seg, p, len)
        }
        bix[len] = Int32(m)
        cs[m] = Int32(len)
        let inf = Cost(unknown: .max, words: .max, score: 0)
        for k in 0...m { best[k] = inf }
        best[0] = Cost(unknown: 0, words: 0, score: 0)
        lexicon.withView { lex in
            for k in 0..<m {
                let cur = best[k]
                let start = Int(cs[k])
                // Unknown: one cluster (a lone full stop is punctuation and costs nothing).
                let isDot = seg[start] == 0x2E
                let u = Cost(unknown: cur.unknown &+ (isDot ? 0 : 1), words: cur.words &+ 1, score: cur.score)
                if u.better(than: best[k + 1]) { best[k + 1] = u; prev[k + 1] = Int32(k); wnode[k + 1] = 0 }
                var node = lex.child(lex.nodes[0], syms[start])
                var q = start + 1
                while node != 0 {
                    let nd = lex.nodes[Int(node)]
                    let sc = nd.score
                    if sc > 0 {
                        let bi = Int(bix[q])
                        if bi >= 0 {
                            let c = Cost(unknown: cur.unknown, words: cur.words &+ 1, score: cur.score &+ sc)
                            if c.better(than: best[bi]) { best[bi] = c; prev[bi] = Int32(k); wnode[bi] = node }
                        }
                    }
                    let sym = syms[q] // 0 at the segment's end
                    if sym == 0 { break }
                    node = lex.child(nd, sym)
                    q += 1
                }
            }
        }
        let lex = lexicon
        // Walk back (reversing the links in place), then emit in order, merging neighbouring
        // unknown clusters into one token.
        var k = m
        var next: Int32 = -1
        while k > 0 {
            let pk = Int(prev[k])
            prev[k] = next
            next = Int32(k)
            k = pk
        }
        var from = 0
        var to = Int(next)
        var unknownStart = -1
        func flushUnknown(_ end: Int, _ out: inout [ThaiToken]) {
            if unknownStart >= 0 {
                let x = a + Int(cs[unknownStart]), y = a + Int(cs[end])
                out.append(ThaiToken(text: Self.string(s, x, y), utf8Range: norm.range(x, y), kind: .thaiUnknown))
                unknownStart = -1
            }
        }
        while to > 0 {
            let nd = wnode[to]
            if nd == 0 {
                if seg[Int(cs[from])] == 0x2E { flushUnknown(from, &out) } else if unknownStart < 0 { unknownStart = from }
            } else {
                flushUnknown(from, &out)
                let x = a + Int(cs[from]), y = a + Int(cs[to])
                out.append(ThaiToken(text: Self.string(s, x, y), utf8Range: norm.range(x, y),
                                     kind: lex.isHonorific(nd) ? .honorific : .thaiWord))
            }
            from = to
            to = Int(prev[to])
        }
        flushUnknown(m, &out)
    }

    // MARK: - Helpers

    @inline(__always)
    static func allDigits(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ j: Int) -> Bool {
        for p in i..<j where !(s[p] >= 0x30 && s[p] <= 0x39) { return false }
        return true
    }

    static func string(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ j: Int) -> String {
        String(unsafeUninitializedCapacity: (j - i) * 4) { buf in
            var n = 0
            for p in i..<j { n = encode(s[p], buf, n) }
            return n
        }
    }

    @inline(__always)
    static func encode(_ c: UInt32, _ buf: UnsafeMutableBufferPointer<UInt8>, _ at: Int) -> Int {
        if c < 0x80 {
            buf[at] = UInt8(c); return at + 1
        } else if c < 0x800 {
            buf[at] = UInt8(0xC0 | (c >> 6)); buf[at + 1] = UInt8(0x80 | (c & 0x3F)); return at + 2
        } else if c < 0x10000 {
            buf[at] = UInt8(0xE0 | (c >> 12)); buf[at + 1] = UInt8(0x80 | ((c >> 6) & 0x3F))
            buf[at + 2] = UInt8(0x80 | (c & 0x3F)); return at + 3
        } else {
            buf[at] = UInt8(0xF0 | (c >> 18)); buf[at + 1] = UInt8(0x80 | ((c >> 12) & 0x3F))
            buf[at + 2] = UInt8(0x80 | ((c >> 6) & 0x3F)); buf[at + 3] = UInt8(0x80 | (c & 0x3F)); return at + 4
        }
    }
}

extension NormalizedText {
    /// The original UTF-8 range covered by normalised scalars [i, j).
    @inline(__always)
    func range(_ i: Int, _ j: Int) -> Range<Int> {
        var lo = starts[i], hi = ends[i]
        var p = i + 1
        while p < j { lo = min(lo, starts[p]); hi = max(hi, ends[p]); p += 1 }
        return Int(lo)..<Int(hi)
    }
}
