// Corpus-scale figures for scripts/bench-corpus.sh: search latency measured in-process on a
// database that khaosan-queryd built (the same `ReleaseStore.search` the Search RPC runs, so the
// time is the server-side time without the socket), and single-thread parser throughput.
import Foundation
import KhaosanModel
import KhaosanQuery
import Logging

package enum SearchBench {
    /// One line of the query file: `class<TAB>query` (query in Khaosan syntax). Blank lines and
    /// lines starting with `#` are skipped.
    package struct BenchQuery: Sendable {
        package var kind: String
        package var text: String
    }

    package static func loadQueries(_ path: String) throws -> [BenchQuery] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [BenchQuery] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                throw BenchError("\(path):\(n + 1): expected class<TAB>query")
            }
            out.append(BenchQuery(kind: String(line[..<tab]), text: String(line[line.index(after: tab)...])))
        }
        return out
    }

    /// Runs every query three ways and prints percentiles of the in-process wall time of `search`
    /// (top `limit` with snippets), overall and per class:
    /// - `first`: the first execution of each query in a freshly opened store (nothing in the
    ///   store's result cache; SQLite and OS page caches as the caller left them);
    /// - `cached`: `repetitions` further executions, answered from the store's result cache
    ///   (ids and total cached; the snippets are still built from the stored text each time);
    /// - `uncached-warm`: the same queries once more in a second store instance, so the FTS5
    ///   expression is evaluated again with warm page caches.
    /// With `idsOut`, the ids of every match of the queries of class `idsClass` are written as
    /// JSON lines `{"query":…, "total":N, "ids":[…]}` (paged 100 at a time, up to `idsCap`).
    package static func run(
        databasePath: String, queryFile: String, limit: Int = 10, repetitions: Int = 5,
        idsOut: String? = nil, idsClass: String = "phrase", idsCap: Int = 2_000
    ) throws {
        let queries = try loadQueries(queryFile)
        var logger = Logger(label: "khaosan-bench")
        logger.logLevel = .warning
        guard FileManager.default.fileExists(atPath: databasePath) else { throw BenchError("\(databasePath): no such database") }

        let openStarted = ContinuousClock.now
        let store = try ReleaseStore(path: databasePath, logger: logger, readOnly: true)
        print("search open-store-ms: \(fmt(ms(ContinuousClock.now - openStarted)))")

        var first: [(kind: String, micros: Double)] = []
        var cached: [(kind: String, micros: Double)] = []
        var serverTook: [Double] = []
        var totals: [String: Int] = [:]
        for q in queries {
            var sq = SearchQuery(text: q.text, limit: limit)
            sq.limit = limit
            let (r, t) = try timed(store, sq, q)
            first.append((q.kind, t))
            serverTook.append(Double(r?.tookMicros ?? 0))
            totals[q.text] = r?.total ?? -1
            for _ in 0..<repetitions {
                let (_, t2) = try timed(store, sq, q)
                cached.append((q.kind, t2))
            }
        }

        let store2 = try ReleaseStore(path: databasePath, logger: logger, readOnly: true)
        var warm: [(kind: String, micros: Double)] = []
        for q in queries {
            let (_, t) = try timed(store2, SearchQuery(text: q.text, limit: limit), q)
            warm.append((q.kind, t))
        }

        print("search queries: \(queries.count), limit \(limit), repetitions \(repetitions)")
        for (name, samples) in [("first", first), ("cached", cached), ("uncached-warm", warm)] {
            report(name, samples)
        }
        print("search first tookMicros(p50/p99 us): \(fmt(percentile(serverTook, 50))) / \(fmt(percentile(serverTook, 99)))")
        // Per-query lines let the script show the slowest queries and join totals with the anchor.
        for (i, q) in queries.enumerated() {
            let w = warm[i].micros
            let c = cached[(i * repetitions)..<((i + 1) * repetitions)].map(\.micros)
            print("query\t\(q.kind)\t\(q.text)\ttotal=\(totals[q.text] ?? -1)\tfirst_us=\(Int(first[i].micros))\twarm_us=\(Int(w))\tcached_p50_us=\(Int(percentile(c, 50)))")
        }

        if let idsOut {
            var lines: [String] = []
            let started = ContinuousClock.now
            for q in queries where q.kind == idsClass {
                var ids: [Int64] = []
                var total = 0
                var offset = 0
                repeat {
                    let r = try store2.search(SearchQuery(text: q.text, limit: SearchQuery.maxLimit, offset: offset))
                    total = r.total
                    ids += r.hits.map(\.id)
                    offset += SearchQuery.maxLimit
                    if r.hits.isEmpty { break }
                } while offset < min(total, idsCap)
                let idList = ids.map(String.init).joined(separator: ",")
                lines.append("{\"query\":\(jsonString(q.text)),\"total\":\(total),\"ids\":[\(idList)]}")
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: idsOut, atomically: true, encoding: .utf8)
            print("search ids written: \(lines.count) queries to \(idsOut) in \(fmt(ms(ContinuousClock.now - started))) ms")
        }
    }

    private static func timed(_ store: ReleaseStore, _ sq: SearchQuery, _ q: BenchQuery) throws -> (SearchResults?, Double) {
        let t0 = ContinuousClock.now
        do {
            let r = try store.search(sq)
            return (r, micros(ContinuousClock.now - t0))
        } catch let e as QuerySyntaxError {
            // A query the language rejects still costs a parse: timed, and said once.
            print("search note: [\(q.kind)] \(q.text): \(e)")
            return (nil, micros(ContinuousClock.now - t0))
        }
    }

    private static func report(_ name: String, _ samples: [(kind: String, micros: Double)]) {
        func line(_ label: String, _ xs: [Double]) {
            print("search \(name) \(label) n=\(xs.count) p50=\(fmt(percentile(xs, 50) / 1000)) ms p90=\(fmt(percentile(xs, 90) / 1000)) ms p99=\(fmt(percentile(xs, 99) / 1000)) ms max=\(fmt((xs.max() ?? 0) / 1000)) ms")
        }
        line("all", samples.map(\.micros))
        var kinds: [String] = []
        for s in samples where !kinds.contains(s.kind) { kinds.append(s.kind) }
        for k in kinds { line(k, samples.filter { $0.kind == k }.map(\.micros)) }
    }

    /// Nearest-rank percentile.
    package static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        let rank = Int((p / 100 * Double(s.count)).rounded(.up))
        return s[min(max(rank, 1), s.count) - 1]
    }

    static func micros(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
    }

    static func ms(_ d: Duration) -> Double { micros(d) / 1000 }

    static func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// `KhaosanBench parse DIR`: every file under DIR read into memory first, then
/// `ReleaseParser.parse` over all of them on one thread, so the figure is the parser alone.
package enum ParseBench {
    package static func run(directory: String, passes: Int = 2) throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { throw BenchError("\(directory): cannot list") }
        var paths: [String] = []
        for case let rel as String in walker {
            var isDir: ObjCBool = false
            let p = directory + "/" + rel
            if fm.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue { paths.append(p) }
        }
        paths.sort()
        var raws: [RawRelease] = []
        raws.reserveCapacity(paths.count)
        var bytes = 0
        for p in paths {
            guard let d = fm.contents(atPath: p) else { throw BenchError("\(p): cannot read") }
            bytes += d.count
            raws.append(ReleaseParser.rawRelease(fileName: (p as NSString).lastPathComponent, bytes: [UInt8](d)))
        }
        print("parse files: \(raws.count), bytes: \(bytes) (\(SearchBench.fmt(Double(bytes) / 1e6)) MB) in \(directory)")
        for pass in 1...max(passes, 1) {
            var ok = 0
            var errors: [String: Int] = [:]
            var paragraphs = 0
            let t0 = ContinuousClock.now
            for raw in raws {
                do throws(ReleaseError) {
                    let r = try ReleaseParser.parse(raw)
                    ok += 1
                    paragraphs &+= r.paragraphs.count
                } catch {
                    errors[error.code.rawValue, default: 0] += 1
                }
            }
            let secs = SearchBench.micros(ContinuousClock.now - t0) / 1e6
            let errText = errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("parse pass \(pass): \(SearchBench.fmt(secs)) s, \(SearchBench.fmt(Double(bytes) / 1e6 / secs)) MB/s, \(Int(Double(raws.count) / secs)) releases/s, ok \(ok), rejected \(raws.count - ok) [\(errText)], paragraphs \(paragraphs)")
        }
    }
}

package struct BenchError: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}
