import Foundation

/// `khaosan-bench [rpc|wire|all] [--iterations N] [--stream N]`: prints figures, asserts nothing.
@main
struct BenchMain {
    static func main() async throws {
        var args = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
            args.removeSubrange(i...(i + 1))
            return v
        }
        let iterations = option("--iterations", 5000)
        let stream = option("--stream", 50_000)
        let what = args.first ?? "all"
        let host = ProcessInfo.processInfo
        print("# khaosan-bench \(what) on \(host.hostName), \(host.activeProcessorCount) cores, \(Date())")
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
