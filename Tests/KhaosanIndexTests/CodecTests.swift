import KhaosanTestSupport
import Testing

@testable import KhaosanIndex

struct CodecTests {
    /// Every width, values at and near its limit and random ones, in streams of every length up
    /// to a block: `read` and `unpack` (plain and as deltas) give back what `BitWriter` wrote, and
    /// the stream takes exactly `bytes(count:width:)` bytes.
    @Test(arguments: Array(1...32))
    func bitPackingRoundTrips(width: Int) {
        var rng = SplitMix64(seed: UInt64(width))
        let top = width == 32 ? UInt32.max : UInt32((1 << width) - 1)
        for count in [0, 1, 2, 7, 8, 9, 63, 127, 128] {
            let values = (0..<count).map { i -> UInt32 in
                switch i % 4 {
                case 0: return top
                case 1: return 0
                default: return UInt32(truncatingIfNeeded: rng.next()) & top
                }
            }
            var w = BitWriter()
            for v in values { w.append(v, width: width) }
            var bytes = w.finish()
            #expect(bytes.count == BitPacking.bytes(count: count, width: width))
            bytes += [UInt8](repeating: 0, count: 8)  // the readers' 64-bit over-read
            bytes.withUnsafeBufferPointer { b in
                let base = b.baseAddress!
                for (j, v) in values.enumerated() { #expect(BitPacking.read(base, j * width, width) == v) }
                let out = UnsafeMutablePointer<UInt32>.allocate(capacity: max(count, 1))
                defer { out.deallocate() }
                BitPacking.unpack(base, count: count, width: width, into: out, delta: false)
                for (j, v) in values.enumerated() { #expect(out[j] == v, "width \(width) count \(count) value \(j)") }
                BitPacking.unpack(base, count: count, width: width, into: out, delta: true, start: 5)
                var sum: UInt32 = 5
                for (j, v) in values.enumerated() { sum &+= v; #expect(out[j] == sum) }
            }
        }
    }

    /// Values written one at a time into one stream at changing widths (as positions of docs of
    /// different lengths follow each other) read back at their running bit offsets.
    @Test func mixedWidthStreams() {
        var rng = SplitMix64(seed: 77)
        var w = BitWriter()
        var expected: [(bit: Int, width: Int, value: UInt32)] = []
        var bit = 0
        for _ in 0..<5_000 {
            let width = Int(rng.next() % 32) + 1
            let v = UInt32(truncatingIfNeeded: rng.next()) & (width == 32 ? .max : UInt32((1 << width) - 1))
            w.append(v, width: width)
            expected.append((bit, width, v))
            bit += width
        }
        let bytes = w.finish() + [UInt8](repeating: 0, count: 8)
        bytes.withUnsafeBufferPointer { b in
            for e in expected { #expect(BitPacking.read(b.baseAddress!, e.bit, e.width) == e.value) }
        }
    }

    /// Postings of many block sizes: next() and advance(to:) see every doc, and positions.
    @Test(arguments: [1, 127, 128, 129, 1_000])
    func cursorWalksAndSkipsBlocks(docs: Int) {
        var b = SegmentBuilder()
        for i in 0..<docs {
            // "xy" at positions i % 5 and 10 + i % 7 in every third doc.
            var body = [UInt32](repeating: 0x61, count: 30)
            if i % 3 == 0 { body[i % 5] = 0x78; body[i % 5 + 1] = 0x79; body[10 + i % 7] = 0x78; body[11 + i % 7] = 0x79 }
            b.add(IndexDocument(releaseID: Int64(i), days: 0, categoryName: "c", categorySlug: nil, language: 0, title: [0x74], body: body))
        }
        let seg = Segment(storage: SegmentStorage(bytes: b.build()))
        let info = seg.info(key: TermKey.make(0x78, 0x79))!
        let expected = (0..<docs).filter { $0 % 3 == 0 }.map(UInt32.init)
        #expect(info.df == expected.count)
        var c = seg.cursor(info)
        var seen: [UInt32] = []
        var pos: [UInt32] = []
        while c.doc != PostingsCursor.end {
            seen.append(c.doc)
            c.positions(into: &pos)
            let i = Int(c.doc)
            #expect(pos == [UInt32(2 + i % 5), UInt32(12 + i % 7)])
            c.next()
        }
        #expect(seen == expected)
        c = seg.cursor(info)
        for target in stride(from: 0, to: docs, by: 7) {
            let want = expected.first { $0 >= UInt32(target) } ?? PostingsCursor.end
            #expect(c.advance(to: UInt32(target)) == want)
        }
    }

    @Test func coverIncludesEveryCharacter() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let dfs = (0..<(1 + Int(rng.next() % 12))).map { _ in Int(rng.next() % 100) }
            let cover = SegmentEvaluator.cover(dfs)
            var covered = Set<Int>()
            for o in cover { covered.insert(o); covered.insert(o + 1) }
            #expect(covered == Set(0...dfs.count))
            #expect(cover.contains(dfs.indices.min { dfs[$0] < dfs[$1] }!))
        }
    }
}

struct PositionPackingTests {
    /// Runs of every shape (one value, dense, sparse, values at 0 and at u - 1, u of 1 and 2 and
    /// large) read back value by value at the bit offsets the reader computes from counts and
    /// universes alone, one run right after another; the packer's total matches.
    @Test(arguments: [1, 2, 3, 100, 4_097, 65_536, 1_000_000])
    func packedPositionsRoundTrip(streamLength: Int) {
        var rng = SplitMix64(seed: UInt64(streamLength))
        var positions: [UInt32] = [], docs: [UInt32] = [], tfs: [UInt32] = []
        for d in 0..<60 {
            let n = d % 7 == 0 ? streamLength : Int(rng.next() % 20)  // some runs hold every value
            guard n > 0, n <= 5_000 else { continue }
            var ps = Set((0..<n).map { _ in UInt32(rng.next() % UInt64(streamLength)) })
            if d % 5 == 0 { ps.insert(0); ps.insert(UInt32(streamLength - 1)) }
            if d % 7 == 0 { ps = Set((0..<UInt32(streamLength)).prefix(5_000)) }
            let sorted = ps.sorted()
            docs.append(UInt32(d)); tfs.append(UInt32(sorted.count)); positions += sorted
        }
        var packed = PositionPacking.pack(positions, docs: docs, tfs: tfs) { _ in UInt32(streamLength) }
        let total = tfs.reduce(0) { $0 + PositionPacking.runBits(count: Int($1), universe: UInt32(streamLength)) }
        #expect(packed.count == (total + 7) / 8)
        packed += [UInt8](repeating: 0, count: 8)
        packed.withUnsafeBufferPointer { b in
            var bit = 0, k = 0
            for tf in tfs {
                var run = PositionRun(b.baseAddress!, bit: bit, count: Int(tf), universe: UInt32(streamLength))
                for _ in 0..<Int(tf) {
                    #expect(run.next() == positions[k])
                    k += 1
                }
                #expect(run.next() == nil)
                // first(atLeast:) against a scan of the run, for targets between and on values.
                let values = Array(positions[(k - Int(tf))..<k])
                var probe = PositionRun(b.baseAddress!, bit: bit, count: Int(tf), universe: UInt32(streamLength))
                var target: UInt32 = 0
                while true {
                    let expected = values.first { $0 >= target }
                    #expect(probe.first(atLeast: target) == expected, "target \(target)")
                    guard let e = expected else { break }
                    target = e + 1 + UInt32(rng.next() % 3)
                }
                // And far apart, as a phrase check asks a frequent bigram: many values passed between.
                var far = PositionRun(b.baseAddress!, bit: bit, count: Int(tf), universe: UInt32(streamLength))
                target = UInt32(rng.next() % 200)
                while true {
                    let expected = values.first { $0 >= target }
                    #expect(far.first(atLeast: target) == expected, "far target \(target)")
                    guard let e = expected else { break }
                    target = e + 1 + UInt32(rng.next() % UInt64(1 + streamLength / 8))
                }
                bit += PositionPacking.runBits(count: Int(tf), universe: UInt32(streamLength))
            }
        }
    }

    /// Elias-Fano takes less room than fixed-width absolute positions except for runs of one or
    /// two values (where it costs at most two bits more each).
    @Test func runsAreSmallerThanFixedWidth() {
        for u: UInt32 in [100, 3_000, 20_000] {
            let w = 32 - (u - 1).leadingZeroBitCount
            for n in [1, 2, 5, 30, 300] where n < Int(u) {
                let ef = PositionPacking.runBits(count: n, universe: u)
                #expect(ef <= n * w + 2 * n, "u \(u) n \(n): \(ef) bits vs \(n * w)")
                if n >= 5 { #expect(ef < n * w, "u \(u) n \(n): \(ef) bits vs \(n * w)") }
            }
        }
    }
}
