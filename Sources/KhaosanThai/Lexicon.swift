// The word dictionary as a compact trie over a 7-bit alphabet (Thai block offsets, plus the full
// stop for abbreviations such as น.ส. and พล.ต.อ.). One 8-byte record per node holds its label,
// word score and the position of its children, which are consecutive and sorted by label, so
// scanning the siblings and stepping to the one found touch the same cache line; nodes with many
// children (near the root) get a direct 128-entry table. Cache misses are what the segmenter's
// inner loop costs, hence the packing.

struct Lexicon: Sendable {
    struct Node {
        /// The children: firstChild ..< firstChild + childCount, or, when childCount == 255, the
        /// number of a 128-entry table in `denseTable`.
        var firstChild: UInt32 = 0
        /// Bits 0-14: for word-final nodes the word's score (see `scoreScale`), 0 for nodes that
        /// end no word; bit 15: the word is an honorific or rank.
        var scoreAndFlag: UInt16 = 0
        var label: UInt8 = 0
        var childCount: UInt8 = 0

        @inline(__always) var score: Int32 { Int32(scoreAndFlag & 0x7FFF) }
        @inline(__always) var isHonorific: Bool { scoreAndFlag & 0x8000 != 0 }
    }
    private(set) var nodes: [Node] = []
    private var denseTable: [UInt32] = []
    static let denseFanout = 12
    /// Word score = (1 + ln(frequency + 1)) * scoreScale; always >= scoreScale for a word.
    static let scoreScale: Float = 1000

    static let dot: UInt8 = 0x7F

    /// Symbol of a normalised scalar in the trie alphabet, or 0 if words never contain it.
    @inline(__always) static func symbol(_ c: UInt32) -> UInt8 {
        if c >= 0x0E01 && c <= 0x0E4E { return UInt8(c - 0x0E00) }
        if c == 0x2E { return dot }
        return 0
    }

    var nodeCount: Int { nodes.count }
    var byteSize: Int { nodeCount * MemoryLayout<Node>.stride + denseTable.count * 4 }

    /// Raw view for the segmenter's inner loop (valid only inside `withView`).
    struct View {
        let nodes: UnsafePointer<Node>
        let dense: UnsafePointer<UInt32>

        @inline(__always) func child(_ nd: Node, _ sym: UInt8) -> UInt32 {
            let cnt = nd.childCount
            if cnt == 255 { return dense[Int(nd.firstChild) &* 128 &+ Int(sym)] }
            var i = Int(nd.firstChild)
            let e = i &+ Int(cnt)
            while i < e {
                let l = nodes[i].label
                if l == sym { return UInt32(i) }
                if l > sym { return 0 }
                i &+= 1
            }
            return 0
        }
    }

    func withView<R>(_ body: (View) -> R) -> R {
        nodes.withUnsafeBufferPointer { n in
            denseTable.withUnsafeBufferPointer { d in
                body(View(nodes: n.baseAddress!, dense: d.baseAddress!))
            }
        }
    }

    func isHonorific(_ node: UInt32) -> Bool { nodes[Int(node)].isHonorific }

    /// Entries collected before the build, stored flat (one allocation, not one per word).
    struct Builder {
        var bytes: [UInt8] = []
        var offset: [Int32] = []
        var length: [UInt8] = []
        var score: [Float] = []
        /// bit 0: honorific, bit 1: a word (entries without it only lend their score).
        var flags: [UInt8] = []

        mutating func add(_ symbols: UnsafeBufferPointer<UInt8>, score s: Float, isWord: Bool, honorific: Bool) {
            guard !symbols.isEmpty, symbols.count < 256 else { return }
            offset.append(Int32(bytes.count)); length.append(UInt8(symbols.count))
            bytes.append(contentsOf: symbols)
            score.append(s); flags.append((honorific ? 1 : 0) | (isWord ? 2 : 0))
        }
    }

    @inline(__always)
    private static func compare(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var i = 0
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return 0
    }

    init(_ b: Builder) {
        let count = b.offset.count
        var order = Array(0..<count)
        b.bytes.withUnsafeBufferPointer { base in
            let p = base.baseAddress!
            order.sort { x, y in
                let lx = Int(b.length[x]), ly = Int(b.length[y])
                let r = Self.compare(p + Int(b.offset[x]), p + Int(b.offset[y]), min(lx, ly))
                return r != 0 ? r < 0 : lx < ly
            }
        }
        // Merge duplicates; keep only words.
        var words: [Int] = []       // representative entry index per unique word
        var wScore: [Float] = []
        var wFlags: [UInt8] = []
        words.reserveCapacity(count)
        b.bytes.withUnsafeBufferPointer { base in
            let p = base.baseAddress!
            var i = 0
            while i < count {
                let x = order[i]
                var j = i + 1
                var sc = b.score[x], fl = b.flags[x]
                while j < count {
                    let y = order[j]
                    guard b.length[y] == b.length[x],
                          Self.compare(p + Int(b.offset[x]), p + Int(b.offset[y]), Int(b.length[x])) == 0 else { break }
                    sc = max(sc, b.score[y]); fl |= b.flags[y]
                    j += 1
                }
                if fl & 2 != 0 { words.append(x); wScore.append(sc); wFlags.append(fl & 1) }
                i = j
            }
        }
        @inline(__always) func sym(_ w: Int, _ d: Int) -> UInt8 { b.bytes[Int(b.offset[words[w]]) + d] }
        @inline(__always) func len(_ w: Int) -> Int { Int(b.length[words[w]]) }

        // Children blocks are allocated when their parent is expanded, parents depth-first, so a
        // word's path through the trie stays within a small stretch of memory.
        // Each stack entry is a node covering the sorted range [lo, hi) at depth d.
        nodes = [Node()]
        nodes.reserveCapacity(b.bytes.count / 2)
        var stack: [(node: Int32, lo: Int32, hi: Int32, depth: Int32)] = [(0, 0, Int32(words.count), 0)]
        var pending: [(node: Int32, lo: Int32, hi: Int32, depth: Int32)] = []
        while let (node32, lo32, hi32, d32) = stack.popLast() {
            let node = Int(node32), hi = Int(hi32), d = Int(d32)
            var lo = Int(lo32)
            if lo < hi && len(lo) == d {
                let q = UInt16(min(32767, max(1, (wScore[lo] * Self.scoreScale).rounded())))
                nodes[node].scoreAndFlag = q | (wFlags[lo] != 0 ? 0x8000 : 0)
                lo += 1
            }
            let first = nodes.count
            pending.removeAll(keepingCapacity: true)
            var i = lo
            while i < hi {
                let s = sym(i, d)
                var j = i + 1
                while j < hi && sym(j, d) == s { j += 1 }
                pending.append((Int32(nodes.count), Int32(i), Int32(j), Int32(d + 1)))
                nodes.append(Node(label: s))
                i = j
            }
            let n = pending.count
            precondition(n < 255, "lexicon: more than 254 children at one trie node")
            nodes[node].firstChild = UInt32(first)
            nodes[node].childCount = UInt8(n)
            if n > Self.denseFanout {
                let base = denseTable.count
                denseTable.append(contentsOf: repeatElement(0, count: 128))
                for c in first..<(first + n) { denseTable[base + Int(nodes[c].label)] = UInt32(c) }
                nodes[node].firstChild = UInt32(base / 128)
                nodes[node].childCount = 255
            }
            stack.append(contentsOf: pending.reversed())
        }
    }
}
