import Foundation
import Logging
import KhaosanQuery
import KhaosanIngest

/// `khaosan-bench [rpc|wire|all] [--iterations N] [--stream N]`: prints figures, asserts nothing.
/// `khaosan-bench search DBPATH QUERYFILE [--limit N] [--repetitions N] [--facets] [--no-warm]
/// [--ids-out FILE [--ids-class CLASS|all] [--ids-cap N|0] [--ids-sort relevance|newest|oldest]]` and
/// `khaosan-bench timeline DBPATH QUERY... [--repetitions N]`,
/// `khaosan-bench names FILE...` (the name extractor, JSON lines),
/// `khaosan-bench alerts DIR [--files N] [--saved N] [--repetitions N] [--no-feeds]` (issue 17),
/// `khaosan-bench parse DIR [--passes N]`: the corpus-scale figures of Benchmarks/bench-corpus.sh.
@main
struct BenchMain {
    static func main() async throws {
        var args = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
            args.removeSubrange(i...(i + 1))
            return v
        }
        func stringOption(_ name: String) -> String? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
            defer { args.removeSubrange(i...(i + 1)) }
            return args[i + 1]
        }
        let iterations = option("--iterations", 5000)
        let stream = option("--stream", 50_000)
        let limit = option("--limit", 10)
        let repetitions = option("--repetitions", 5)
        let passes = option("--passes", 2)
        func flag(_ name: String) -> Bool {
            guard let i = args.firstIndex(of: name) else { return false }
            args.remove(at: i)
            return true
        }
        let idsOut = stringOption("--ids-out")
        let idsClass = stringOption("--ids-class") ?? "phrase"
        let idsCap = option("--ids-cap", 2_000)
        let idsSortName = stringOption("--ids-sort") ?? "relevance"
        let facets = flag("--facets")
        let noWarm = flag("--no-warm")
        let what = args.first ?? "all"
        let host = ProcessInfo.processInfo
        print("# khaosan-bench \(what) on \(host.hostName), \(host.activeProcessorCount) cores, \(Date())")
        if what == "search" {
            guard args.count == 3 else {
                FileHandle.standardError.write(Data("usage: KhaosanBench search DBPATH QUERYFILE [--limit N] [--repetitions N] [--facets] [--no-warm] [--ids-out FILE [--ids-class CLASS|all] [--ids-cap N|0] [--ids-sort relevance|newest|oldest]]\n".utf8))
                exit(2)
            }
            try SearchBench.run(
                databasePath: args[1], queryFile: args[2], limit: limit, repetitions: repetitions, idsOut: idsOut,
                idsClass: idsClass, idsCap: idsCap, idsSort: idsSortName, facets: facets, warm: !noWarm)
            return
        }
        if what == "timeline" {
            guard args.count >= 3 else {
                FileHandle.standardError.write(Data("usage: KhaosanBench timeline DBPATH QUERY... [--repetitions N]\n".utf8))
                exit(2)
            }
            try TimelineBench.run(databasePath: args[1], queries: Array(args[2...]), repetitions: repetitions)
            return
        }
        if what == "optimize" {
            // Merges the FTS5 index into one segment, to compare query latency before and after.
            guard args.count == 2 else {
                FileHandle.standardError.write(Data("usage: KhaosanBench optimize DBPATH\n".utf8))
                exit(2)
            }
            let start = ContinuousClock.now
            try ReleaseStore(path: args[1], logger: Logger(label: "bench")).optimize()
            print("optimize: \(ContinuousClock.now - start)")
            return
        }
        if what == "names" {
            try NamesBench.run(files: Array(args.dropFirst()))
            return
        }
        if what == "alerts" {
            let (files, saved, noFeeds) = (option("--files", 0), option("--saved", 1_000), flag("--no-feeds"))
            guard args.count == 2 else {
                FileHandle.standardError.write(Data("usage: KhaosanBench alerts DIR [--files N] [--saved N] [--repetitions N] [--no-feeds]\n".utf8))
                exit(2)
            }
            try AlertBench.run(directory: args[1], files: files, saved: saved, repetitions: repetitions, feeds: !noFeeds)
            return
        }
        if what == "parse" {
            guard args.count == 2 else {
                FileHandle.standardError.write(Data("usage: KhaosanBench parse DIR [--passes N]\n".utf8))
                exit(2)
            }
            try ParseBench.run(directory: args[1], passes: passes)
            return
        }
        if what == "journal" || what == "all" {
            // Group commit: 9 KB payloads, one appender vs 64 concurrent ones, real fdatasync.
            print("journal crc32c MB/s: \(String(format: "%.0f", JournalBenchmark.crc32cMegabytesPerSecond()))")
            for appenders in [1, 64] {
                let dir = "/tmp/khaosan-journal-bench-\(getpid())-\(appenders)"
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let total = appenders == 1 ? 2_000 : 20_000
                print("journal \(try await JournalBenchmark.appends(directory: dir, appenders: appenders, payloadBytes: 9_216, totalAppends: total))")
            }
        }
        if what == "wire" || what == "all" {
            for (name, value) in WireBench.run(iterations: iterations * 20) {
                print("wire \(name): \(String(format: "%.3f", value))")
            }
        }
        if what == "rpc" || what == "all" {
            for (name, value) in try await RPCBench.run(iterations: iterations, streamMessages: stream) {
                print("rpc \(name): \(value)")
            }
        }
    }
}
