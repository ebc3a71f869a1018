// Corpus-scale figures for Benchmarks/bench-corpus.sh: search latency measured in-process on a
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
    /// - `uncached-warm` (unless `warm` is false): the same queries once more in a second store
    ///   instance, so the index is evaluated again with warm page caches.
    /// With `facets`, every query asks for the category and month facets too.
    /// With `idsOut`, one JSON line per query of class `idsClass` (`all`: every class):
    /// `{"query":…, "kind":…, "total":N, "top":[ids of the first execution's page],
    /// "ids":[…], "ids_complete":bool}`; `ids` holds every match (paged `SearchQuery.maxLimit`
    /// at a time in `idsSort` order, a total order for the date sorts) up to `idsCap` (0: all).
    package static func run(
        databasePath: String, queryFile: String, limit: Int = 10, repetitions: Int = 5,
        idsOut: String? = nil, idsClass: String = "phrase", idsCap: Int = 2_000,
        idsSort: String = "relevance", facets: Bool = false, warm: Bool = true
    ) throws {
        guard let sort = SearchQuery.Sort(rawValue: idsSort) else { throw BenchError("ids sort must be relevance, newest or oldest, not \(idsSort)") }
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
        var totals: [Int] = []
        var tops: [[Int64]] = []
        var facetCounts: [String] = []
        for q in queries {
            let sq = SearchQuery(text: q.text, limit: limit, facets: facets)
            let (r, t) = try timed(store, sq, q)
            first.append((q.kind, t))
            serverTook.append(Double(r?.tookMicros ?? 0))
            totals.append(r?.total ?? -1)
            tops.append(r?.hits.map(\.id) ?? [])
            facetCounts.append(r.map { "\($0.categoryFacets.count)/\($0.monthFacets.count)" } ?? "-")
            for _ in 0..<repetitions {
                let (_, t2) = try timed(store, sq, q)
                cached.append((q.kind, t2))
            }
        }

        var warmSamples: [(kind: String, micros: Double)] = []
        if warm {
            let store2 = try ReleaseStore(path: databasePath, logger: logger, readOnly: true)
            for q in queries {
                let (_, t) = try timed(store2, SearchQuery(text: q.text, limit: limit, facets: facets), q)
                warmSamples.append((q.kind, t))
            }
        }

        print("search queries: \(queries.count), limit \(limit), repetitions \(repetitions), facets \(facets)")
        for (name, samples) in [("first", first), ("cached", cached), ("uncached-warm", warmSamples)] where !samples.isEmpty {
            report(name, samples)
        }
        print("search first tookMicros(p50/p99 us): \(fmt(percentile(serverTook, 50))) / \(fmt(percentile(serverTook, 99)))")
        // Per-query lines let the script show the slowest queries and join totals with the anchor.
        for (i, q) in queries.enumerated() {
            let w = warm ? Int(warmSamples[i].micros) : -1
            let c = cached[(i * repetitions)..<((i + 1) * repetitions)].map(\.micros)
            print("query\t\(q.kind)\t\(q.text)\ttotal=\(totals[i])\tfirst_us=\(Int(first[i].micros))\twarm_us=\(w)\tcached_p50_us=\(Int(percentile(c, 50)))\tfacets=\(facetCounts[i])")
        }

        if let idsOut {
            var lines: [String] = []
            let started = ContinuousClock.now
            let page = SearchQuery.maxLimit
            for (i, q) in queries.enumerated() where idsClass == "all" || q.kind == idsClass {
                var ids: [Int64] = []
                var total = 0
                var offset = 0
                do {
                    repeat {
                        let r = try store.search(SearchQuery(text: q.text, sort: sort, limit: page, offset: offset))
                        total = r.total
                        ids += r.hits.map(\.id)
                        offset += page
                        if r.hits.isEmpty { break }
                    } while offset < (idsCap > 0 ? min(total, idsCap) : total)
                } catch is QuerySyntaxError {
                    total = -1
                }
                let complete = ids.count == total && Set(ids).count == ids.count
                let idList = ids.map(String.init).joined(separator: ",")
                let topList = tops[i].map(String.init).joined(separator: ",")
                lines.append("{\"query\":\(jsonString(q.text)),\"kind\":\(jsonString(q.kind)),\"total\":\(total),\"first_total\":\(totals[i]),\"top\":[\(topList)],\"ids\":[\(idList)],\"ids_complete\":\(complete)}")
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: idsOut, atomically: true, encoding: .utf8)
            print("search ids written: \(lines.count) queries to \(idsOut) in \(fmt(ms(ContinuousClock.now - started))) ms (sort \(idsSort), cap \(idsCap > 0 ? String(idsCap) : "none"))")
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
