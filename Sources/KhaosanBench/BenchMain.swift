import Foundation

/// `khaosan-bench [rpc|wire|all] [--iterations N] [--stream N]`: prints figures, asserts nothing.
/// `khaosan-bench search DBPATH QUERYFILE [--limit N] [--repetitions N] [--ids-out FILE]` and
/// `khaosan-bench parse DIR [--passes N]`: the corpus-scale figures of scripts/bench-corpus.sh.
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
        let idsOut = stringOption("--ids-out")
        let what = args.first ?? "all"
        let host = ProcessInfo.processInfo
        print("# khaosan-bench \(what) on \(host.hostName), \(host.activeProcessorCount) cores, \(Date())")
        if what == "search" {
            guard args.count == 3 else {
                FileHandle.standardError.write(Data("usage: KhaosanBench search DBPATH QUERYFILE [--limit N] [--repetitions N] [--ids-out FILE]\n".utf8))
                exit(2)
            }
            try SearchBench.run(databasePath: args[1], queryFile: args[2], limit: limit, repetitions: repetitions, idsOut: idsOut)
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
