// Benchmark and comparison driver for KhaosanThai (see Benchmarks/thai-bench/README.md).
// Usage: ThaiBench <file-list> [boundaries-out.tsv]
import Foundation
import KhaosanThai

func rssKB() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ThaiBench <file-list> [boundaries-out.tsv]\n".utf8))
    exit(2)
}
let paths = try String(contentsOfFile: args[1], encoding: .utf8).split(separator: "\n").map(String.init)
var texts: [String] = []
var bytes = 0
for p in paths {
    let d = try Data(contentsOf: URL(fileURLWithPath: p))
    texts.append(String(decoding: d, as: UTF8.self))
    bytes += d.count
}
let mb = Double(bytes) / 1_000_000
print(String(format: "sample: %d files, %.2f MB (%d bytes)", texts.count, mb, bytes))

let rss0 = rssKB()
let t0 = now()
let analyzer = try ThaiAnalyzer.loadDefault()
let t1 = now()
let rss1 = rssKB()
print(String(format: "dictionary load: %.0f ms; trie %d nodes, %.1f MB arrays; RSS +%.1f MB (%.1f -> %.1f MB)",
             (t1 - t0) * 1000, analyzer.dictionaryNodes, Double(analyzer.dictionaryBytes) / 1e6,
             Double(rss1 - rss0) / 1024, Double(rss0) / 1024, Double(rss1) / 1024))

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

// One thread; wall time and this thread's CPU time (the machine is shared, so both are shown).
func measure(_ name: String, runs: Int = 5, _ body: () -> Int) {
    var best = Double.infinity, bestCPU = Double.infinity
    var n = 0
    for _ in 0..<runs {
        let a = now(), c = cpuNow()
        n = body()
        best = min(best, now() - a)
        bestCPU = min(bestCPU, cpuNow() - c)
    }
    print(String(format: "%@: %.1f MB/s wall, %.1f MB/s CPU (best of %d: %.3f s wall, %.3f s CPU), %d tokens",
                 name, mb / best, mb / bestCPU, runs, best, bestCPU, n))
}

// THAI_BENCH_ONLY=words|index runs just that measurement (for profiling).
let only = ProcessInfo.processInfo.environment["THAI_BENCH_ONLY"]
if only == "words" { measure("words()") { texts.reduce(0) { $0 + analyzer.words($1).count } }; exit(0) }
measure("clusters()") { texts.reduce(0) { $0 + analyzer.clusters($1).count } }
measure("words()") { texts.reduce(0) { $0 + analyzer.words($1).count } }
// What indexing runs per text: the search stream and the word starts (whole-word matching).
measure("SearchText.scalars()") { texts.reduce(0) { $0 + SearchText.scalars($1).count } }
measure("SearchText.wordStarts()") { texts.reduce(0) { $0 + SearchText.wordStarts($1, analyzer: analyzer).count } }
// (The comparison of character and cluster bigrams that chose the index's terms is in
// BENCHMARKS.md, issue 4; it measured the FTS5-era token stream, which is gone.)

if args.count >= 3 {
    var out = ""
    out.reserveCapacity(bytes * 2)
    for (p, t) in zip(paths, texts) {
        out += p + "\t"
        var first = true
        for w in analyzer.words(t) where w.kind != .latinWord && w.kind != .number {
            out += (first ? "" : " ") + "\(w.utf8Range.lowerBound):\(w.utf8Range.upperBound)"
            first = false
        }
        out += "\n"
    }
    try out.write(toFile: args[2], atomically: true, encoding: .utf8)
    print("word boundaries written to \(args[2])")
}
