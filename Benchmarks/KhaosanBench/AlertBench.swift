import Foundation
import KhaosanModel
import KhaosanQuery
import KhaosanRPC
import KhaosanWire
import Logging
import Synchronization

/// `khaosan-bench alerts DIR [--files N] [--saved N] [--repetitions N]`: the store's apply path
/// (prepare + commit + index, batches of 512 as the forwarder sends them) over a corpus,
/// interleaved without and with N saved searches (each with its Atom feed) and one watch; the
/// "with" time runs until the percolator and the feeds have caught up. Also the latency from a
/// batch's apply returning (what Sync waits for) to each of its events reaching the watch.
/// Saved searches: distinct entity names of the corpus (seeded sample), quoted.
enum AlertBench {
    static func run(directory: String, files: Int, saved: Int, repetitions: Int, feeds: Bool) throws {
        let all = try load(directory, limit: files)
        let queries = entityQueries(all, count: saved)
        // The last 40 are applied one at a time after the bulk load (latency when idle).
        let releases = Array(all.dropLast(40)), trickle = Array(all.suffix(40))
        print("alerts: \(releases.count) releases, \(queries.count) saved searches\(feeds ? "" : " (feeds off)"), batches of 512, \(repetitions) interleaved repetitions")
        var plain: [Double] = [], with: [Double] = [], latencies: [Double] = [], idle: [Double] = []
        var events = 0
        for rep in 1...repetitions {
            let a = try once(releases, trickle: trickle, queries: [], feeds: feeds)
            let b = try once(releases, trickle: trickle, queries: queries, feeds: feeds)
            idle += b.trickle
            plain.append(a.seconds)
            with.append(b.seconds)
            latencies += b.latencies
            events += b.latencies.count
            print("alerts rep \(rep): without \(SearchBench.fmt(a.seconds)) s, with \(SearchBench.fmt(b.seconds)) s (ratio \(SearchBench.fmt(b.seconds / a.seconds))), "
                  + "apply-only with \(SearchBench.fmt(b.applySeconds)) s, \(b.latencies.count) watch events, \(b.feeds) feeds")
        }
        let mp = plain.sorted()[plain.count / 2], mw = with.sorted()[with.count / 2]
        latencies.sort()
        idle.sort()
        func pct(_ p: Double, _ l: [Double] = latencies) -> Double { l.isEmpty ? 0 : l[min(l.count - 1, Int(Double(l.count) * p))] }
        print("alerts median: without \(SearchBench.fmt(mp)) s, with \(SearchBench.fmt(mw)) s, ratio \(SearchBench.fmt(mw / mp))")
        print("alerts event latency (apply returned -> watch has it), \(events) events: p50 \(SearchBench.fmt(pct(0.5) * 1000)) ms, "
              + "p99 \(SearchBench.fmt(pct(0.99) * 1000)) ms, max \(SearchBench.fmt((latencies.last ?? 0) * 1000)) ms (during the bulk load)")
        print("alerts event latency, releases applied one at a time after it, \(idle.count) events: p50 \(SearchBench.fmt(pct(0.5, idle) * 1000)) ms, "
              + "p99 \(SearchBench.fmt(pct(0.99, idle) * 1000)) ms, max \(SearchBench.fmt((idle.last ?? 0) * 1000)) ms")
    }

    static func load(_ directory: String, limit: Int) throws -> [Release] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { throw BenchError("\(directory): cannot list") }
        var paths: [String] = []
        for case let rel as String in walker where rel.hasSuffix(".txt") { paths.append(directory + "/" + rel) }
        paths.sort()
        if limit > 0 && paths.count > limit { paths = Array(paths.prefix(limit)) }
        var out: [Release] = []
        for p in paths {
            guard let d = fm.contents(atPath: p) else { continue }
            if let r = try? ReleaseParser.parse(ReleaseParser.rawRelease(fileName: (p as NSString).lastPathComponent, bytes: [UInt8](d))) {
                out.append(r)
            }
        }
        return out
    }

    static func entityQueries(_ releases: [Release], count: Int) -> [String] {
        var seen = Set<String>(), names: [String] = []
        for r in releases { for e in r.entities where e.count >= 4 && !e.contains("\"") && seen.insert(e).inserted { names.append(e) } }
        var state: UInt64 = 20_261_201
        func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
        for i in stride(from: names.count - 1, to: 0, by: -1) { names.swapAt(i, Int(next() % UInt64(i + 1))) }
        return names.prefix(count).map { "\"\($0)\"" }
    }

    static func once(_ releases: [Release], trickle: [Release], queries: [String], feeds withFeeds: Bool) throws
        -> (seconds: Double, applySeconds: Double, latencies: [Double], trickle: [Double], feeds: Int) {
        let dir = NSTemporaryDirectory() + "khaosan-alert-bench-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try ReleaseStore(path: dir + "/query.db", logger: logger)
        let feeds = AtomFeeds(directory: dir + "/feeds", store: store, ownUID: 0, logger: logger)
        if withFeeds { try feeds.start() }
        for (i, q) in queries.enumerated() { _ = try store.saveSearch(uid: 0, SavedSearch(name: "s\(i)", query: q), replace: false) }
        feeds.drain()
        // One watch with a common word: many events, to time.
        let arrivals = Mutex<[UInt64: ContinuousClock.Instant]>([:])
        var consumer: Task<Void, Never>?
        var end: (@Sendable () -> Void)?
        if !queries.isEmpty {
            let (events, stop) = try store.alerts.subscribe(uid: 0, query: "รัฐบาล")
            end = stop
            consumer = Task.detached {
                for await e in events { let now = ContinuousClock.now; arrivals.withLock { $0[e.position] = now } }
            }
        }
        var visible: [(through: UInt64, at: ContinuousClock.Instant)] = []
        var position: UInt64 = 0
        let t0 = ContinuousClock.now
        var sequence: UInt64 = 0
        for chunk in stride(from: 0, to: releases.count, by: 512) {
            let items = releases[chunk..<min(chunk + 512, releases.count)].map { r -> (sequence: UInt64, release: Release) in
                sequence += 1
                return (sequence, r)
            }
            let outcome = try store.apply(source: "bench", prepared: store.prepare(items))
            position += UInt64(outcome.inserted + outcome.updated)
            visible.append((position, ContinuousClock.now))
        }
        let applied = ContinuousClock.now
        feeds.drain()
        let done = ContinuousClock.now
        // Then releases one at a time, as a live feed of press releases arrives: the latency
        // when the percolator is not queued behind a bulk load.
        let bulkThrough = position
        for r in trickle {
            sequence += 1
            let outcome = try store.apply(source: "bench", prepared: store.prepare([(sequence, r)]))
            position += UInt64(outcome.inserted + outcome.updated)
            visible.append((position, ContinuousClock.now))
            usleep(50_000)
        }
        store.alerts.drain()
        usleep(50_000)
        end?()
        await_(consumer)
        var latencies: [Double] = [], trickleLatencies: [Double] = []
        for (p, at) in arrivals.withLock({ $0 }) {
            guard let batch = visible.first(where: { $0.through >= p }) else { continue }
            let l = max(0, (at - batch.at).inSeconds)
            if p > bulkThrough { trickleLatencies.append(l) } else { latencies.append(l) }
        }
        let feedCount = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/feeds").count) ?? 0
        store.writeIndexOut()
        return ((done - t0).inSeconds, (applied - t0).inSeconds, latencies, trickleLatencies, feedCount)
    }

    /// Waits for a task from synchronous code (the bench runs on the main thread).
    static func await_(_ task: Task<Void, Never>?) {
        guard let task else { return }
        let sem = DispatchSemaphore(value: 0)
        Task.detached { await task.value; sem.signal() }
        sem.wait()
    }
}
