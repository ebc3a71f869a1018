// The name extractor on release files (issue 16, "Names"): `khaosan-bench names FILE...`
// (or `-`: the paths one a line on standard input) prints one JSON line per release with what `NameExtractor` finds (the input of
// Benchmarks/names/score.py), then, on standard error, the extraction time per release.
import Foundation
import KhaosanModel
import KhaosanQuery
import Logging

package enum NamesBench {
    /// `files`: paths, or `-` for paths one a line on standard input (thaigov names have spaces).
    package static func run(files given: [String]) throws {
        var files = given
        if files == ["-"] {
            files = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        }
        let out = FileHandle.standardOutput
        var total: Duration = .zero
        var n = 0
        var parsed: [Release] = []
        for p in files {
            guard let d = FileManager.default.contents(atPath: p) else { throw BenchError("\(p): cannot read") }
            let raw = ReleaseParser.rawRelease(fileName: (p as NSString).lastPathComponent, bytes: [UInt8](d))
            let r: Release
            do { r = try ReleaseParser.parse(raw) } catch {
                FileHandle.standardError.write(Data("\(p): skipped: \(error)\n".utf8))
                continue
            }
            let t = ContinuousClock.now
            let names = NameExtractor.extract(title: r.title, paragraphs: r.paragraphs, people: r.entities)
            total += ContinuousClock.now - t
            n += 1
            parsed.append(r)
            func list(_ k: Entity.Kind) -> [String] { names.filter { $0.kind == k }.map(\.name) }
            let line: [String: Any] = [
                "id": r.id, "file": p, "people": list(.person), "organisations": list(.organisation), "places": list(.place),
            ]
            let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            out.write(json + Data("\n".utf8))
        }
        let perRelease = n == 0 ? 0 : SearchBench.ms(total) / Double(n)
        FileHandle.standardError.write(Data("names: \(n) releases, extraction \(SearchBench.fmt(perRelease)) ms per release (the first loads the lexicons)\n".utf8))
        // The extractor's share of what the query service does to a batch before committing it
        // (`prepare`: texts encoded, search streams and word boundaries, names), in a scratch store.
        let dir = NSTemporaryDirectory() + "khaosan-names-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var logger = Logger(label: "khaosan-bench")
        logger.logLevel = .warning
        let store = try ReleaseStore(path: dir + "/bench.sqlite", logger: logger)
        let items = parsed.enumerated().map { (UInt64($0.offset + 1), $0.element) }
        var prepare: Duration = .zero
        var extract: Duration = .zero
        for _ in 0..<3 {
            let t0 = ContinuousClock.now
            _ = store.prepare(items)
            prepare += ContinuousClock.now - t0
            let t1 = ContinuousClock.now
            for r in parsed { _ = NameExtractor.extract(title: r.title, paragraphs: r.paragraphs, people: r.entities) }
            extract += ContinuousClock.now - t1
        }
        let share = SearchBench.ms(extract) / max(SearchBench.ms(prepare), 1e-9)
        FileHandle.standardError.write(Data("names: prepare \(SearchBench.fmt(SearchBench.ms(prepare) / Double(3 * max(n, 1)))) ms per release, of which extraction \(SearchBench.fmt(SearchBench.ms(extract) / Double(3 * max(n, 1)))) ms (\(SearchBench.fmt(share * 100))%)\n".utf8))
    }
}
