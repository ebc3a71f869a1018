// Wire codec figures: encode and decode of one realistic Thai release (~9 KB), the shape that
// dominates ingest -> query traffic. Prints nothing; the caller formats the pairs.
import Foundation
package import KhaosanModel
import KhaosanWire

package enum WireBench {
    /// A corpus file of about 9 KB, split into paragraphs by lines; a synthetic Thai release of the
    /// same size when the corpus is not on this machine.
    package static func sampleRelease(corpus: String = ProcessInfo.processInfo.environment["KHAOSAN_CORPUS_SAMPLE"] ?? "../shared/corpus/sample") -> Release {
        if let text = corpusText(near: 9_300, in: corpus) {
            let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
            if lines.count > 2 {
                return Release(
                    id: 77_001, sourceURL: "https://www.thaigov.go.th/news/contents/details/77001", title: lines[0],
                    published: CivilDate(year: 2023, month: 11, day: 10), category: Category(name: "ภาคการค้าการลงทุน", slug: "economy"),
                    language: .th, paragraphs: Array(lines.dropFirst()), entities: ["กระทรวงอุตสาหกรรม"],
                    contentHash: String(repeating: "ab", count: 32)
                )
            }
        }
        let paragraph = "นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล เพื่อพิจารณามาตรการกระตุ้นเศรษฐกิจ"
        return Release(
            id: 77_001, sourceURL: "https://www.thaigov.go.th/news/contents/details/77001", title: "ข่าวทำเนียบรัฐบาล",
            published: CivilDate(year: 2023, month: 11, day: 10), category: Category(name: "ภาคการค้าการลงทุน", slug: "economy"),
            language: .th, paragraphs: Array(repeating: paragraph, count: 33), entities: [], contentHash: String(repeating: "ab", count: 32)
        )
    }

    /// The corpus file whose size is closest to `target` bytes (sorted by path for repeatability).
    private static func corpusText(near target: Int, in root: String) -> String? {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root) else { return nil }
        var best: (path: String, distance: Int)?
        for case let rel as String in walker where rel.hasSuffix(".txt") {
            let path = root + "/" + rel
            guard let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? Int else { continue }
            let d = abs(size - target)
            if best == nil || d < best!.distance || (d == best!.distance && path < best!.path) { best = (path, d) }
        }
        guard let best else { return nil }
        return try? String(contentsOfFile: best.path, encoding: .utf8)
    }

    /// Median microseconds per encode, decode and round trip, plus GB/s over the encoded size.
    /// Each sample times a batch of 16 operations so clock overhead stays out of the figure.
    package static func run(iterations: Int) -> [(String, Double)] {
        let release = sampleRelease()
        guard let bytes = try? release.wireBytes() else { return [("wire.error", 1)] }
        let batch = 16
        let samples = max(iterations / batch, 5)
        let clock = ContinuousClock()
        var sink = 0

        func measure(_ op: () -> Int) -> Double {
            for _ in 0..<batch { sink &+= op() } // warm-up
            var perOp: [Double] = []
            perOp.reserveCapacity(samples)
            for _ in 0..<samples {
                let start = clock.now
                for _ in 0..<batch { sink &+= op() }
                let d = clock.now - start
                let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
                perOp.append(ns / Double(batch) / 1000)
            }
            perOp.sort()
            return perOp[perOp.count / 2]
        }

        let encode = measure { (try? release.wireBytes())?.count ?? 0 }
        let decode = measure { (try? Release(wireBytes: bytes))?.paragraphs.count ?? 0 }
        let roundTrip = measure {
            guard let b = try? release.wireBytes(), let r = try? Release(wireBytes: b) else { return 0 }
            return r.paragraphs.count
        }
        let size = Double(bytes.count)
        func gbps(_ us: Double) -> Double { size / (us * 1000) }
        precondition(sink != 0)
        return [
            ("wire.message_bytes", size),
            ("wire.encode_p50_us", encode),
            ("wire.decode_p50_us", decode),
            ("wire.roundtrip_p50_us", roundTrip),
            ("wire.encode_GBps", gbps(encode)),
            ("wire.decode_GBps", gbps(decode)),
            ("wire.roundtrip_GBps", gbps(roundTrip)),
        ]
    }
}
