import KhaosanTestSupport
import Testing

@testable import KhaosanIndex

struct CodecTests {
    @Test(arguments: [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, UInt32.max])
    func varIntRoundTrips(value: UInt32) {
        var out: [UInt8] = []
        VarInt.append(value, to: &out)
        out.withUnsafeBufferPointer { b in
            var at = 0
            #expect(VarInt.read(b.baseAddress!, &at) == value)
            #expect(at == out.count)
        }
    }

    @Test func randomStreamsRoundTrip() {
        var rng = SplitMix64(seed: 11)
        var values: [UInt32] = []
        for _ in 0..<20_000 { values.append(UInt32(truncatingIfNeeded: rng.next() >> UInt64(rng.next() % 64))) }
        var bytes: [UInt8] = []
        for v in values { VarInt.append(v, to: &bytes) }
        bytes.withUnsafeBufferPointer { b in
            var at = 0
            for v in values { #expect(VarInt.read(b.baseAddress!, &at) == v) }
            #expect(at == bytes.count)
        }
    }

    /// The 8-at-a-time block decoder against the one-value reader: runs of one-byte values (its
    /// fast path) mixed with longer ones, every count up to a block, deltas and plain, with the
    /// buffer ending right after the last value (so no 8-byte load may pass it).
    @Test(arguments: [0.0, 0.05, 0.5])
    func blockDecodeMatchesReader(longShare: Double) {
        var rng = SplitMix64(seed: 29)
        for count in 0...130 {
            var values: [UInt32] = []
            for _ in 0..<count {
                let long = Double(rng.next() % 1000) / 1000 < longShare
                values.append(long ? UInt32(truncatingIfNeeded: rng.next() >> UInt64(rng.next() % 40)) | 0x80 : UInt32(rng.next() % 128))
            }
            var bytes: [UInt8] = []
            for v in values { VarInt.append(v, to: &bytes) }
            bytes.withUnsafeBufferPointer { b in
                let base = b.baseAddress ?? UnsafePointer(bitPattern: 8)!
                for delta in [false, true] {
                    let out = UnsafeMutablePointer<UInt32>.allocate(capacity: max(count, 1))
                    defer { out.deallocate() }
                    var at = 0
                    VarInt.readBlock(base, &at, end: bytes.count, count: count, into: out, delta: delta, start: 7)
                    #expect(at == bytes.count)
                    var prev: UInt32 = 7
                    for (k, v) in values.enumerated() {
                        prev &+= v
                        #expect(out[k] == (delta ? prev : v), "count \(count) value \(k)")
                    }
                }
            }
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
    /// Random docs of every width: what is packed reads back, value by value, and the byte counts
    /// the reader computes match the packer's.
    @Test(arguments: [1, 2, 3, 100, 4_097, 65_536, 1_000_000])
    func packedPositionsRoundTrip(streamLength: Int) {
        var rng = SplitMix64(seed: UInt64(streamLength))
        var positions: [UInt32] = [], docs: [UInt32] = [], tfs: [UInt32] = []
        for d in 0..<50 {
            let n = Int(rng.next() % 20)
            guard n > 0 else { continue }
            let ps = Set((0..<n).map { _ in UInt32(rng.next() % UInt64(streamLength)) }).sorted()
            docs.append(UInt32(d)); tfs.append(UInt32(ps.count)); positions += ps
        }
        let w = PositionPacking.width(UInt32(streamLength))
        #expect((1 << w) >= streamLength)
        var packed = PositionPacking.pack(positions, docs: docs, tfs: tfs) { _ in UInt32(streamLength) }
        packed += [UInt8](repeating: 0, count: 8)
        packed.withUnsafeBufferPointer { b in
            var at = 0, k = 0
            for tf in tfs {
                for j in 0..<Int(tf) {
                    #expect(PositionPacking.value(b.baseAddress! + at, j, w) == positions[k])
                    k += 1
                }
                at += PositionPacking.bytes(count: Int(tf), width: w)
            }
            #expect(at + 8 == b.count)
        }
    }
}
