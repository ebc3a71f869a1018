// The server's connection pipeline under libFuzzer (issue 13: the frame reader fuzzer drives the
// real channel handler, including close during a read). Fuzz/run-channel-fuzz.sh builds this
// target with -sanitize=fuzzer,address and -DKHAOSAN_FUZZ, debug, exclusivity checks on.
// Without KHAOSAN_FUZZ (a plain `swift build`) it replays inputs given as files, and
// `--make-seeds DIR` writes the seed corpus (Fuzz/channel/seeds).
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

enum ChannelFuzz {
    /// One input, start to finish, before the next: libFuzzer calls from one thread and waits.
    static func run(_ bytes: UnsafeRawBufferPointer) {
        let input = FuzzInput(bytes: bytes)
        let done = DispatchSemaphore(value: 0)
        Task {
            await ChannelDriver(input: input).run()
            done.signal()
        }
        done.wait()
    }
}

#if KHAOSAN_FUZZ
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChannel(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ChannelFuzz.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}
#else
@main
enum Replay {
    static func main() throws {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--make-seeds", args.count == 2 {
            try SeedMaker.write(to: args[1])
            return
        }
        guard !args.isEmpty else {
            print("usage: KhaosanChannelFuzz INPUT... | --make-seeds DIR")
            exit(2)
        }
        for path in args {
            let bytes = try SeedMaker.read(path)
            bytes.withUnsafeBytes { ChannelFuzz.run($0) }
            print("\(path): \(bytes.count) bytes, all checks held")
        }
    }
}
#endif
