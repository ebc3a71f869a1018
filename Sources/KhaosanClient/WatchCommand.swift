import ArgumentParser
import Foundation
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import Logging
import Synchronization

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print each release that matches a query as it becomes searchable.",
        discussion: """
            Events come in the order releases were applied, each with its position (#N). With \
            --from-position N the matches after N come first, so a watcher that stopped gets \
            exactly what it missed; --existing starts with every current match. When \
            khaosan-queryd restarts, or the watcher falls behind, it reconnects by itself from \
            the last position it printed (nothing lost, nothing twice).

            With --json, one object per event: position, id, title, published, published_thai, \
            category, category_slug, language, snippet, source_url, updated. With --exec CMD, \
            CMD is run by /bin/sh for each event with that object on its standard input, one \
            at a time; its failure is reported and the watch goes on.
            """
    )

    @Argument(help: "The query (omit with --saved).")
    var query: String?
    @Option(help: ArgumentHelp("Watch a saved search instead of QUERY.", valueName: "name"))
    var saved: String?
    @Option(help: ArgumentHelp("Replay the matches after this position first.", valueName: "n"))
    var fromPosition: UInt64?
    @Flag(help: "Start with every existing match (as --from-position 0).")
    var existing = false
    @Option(help: ArgumentHelp("Run this shell command per event, the event as JSON on its standard input.", valueName: "cmd"))
    var exec: String?
    @Option(help: ArgumentHelp("Stop after this many events (for scripts).", valueName: "n"))
    var count: Int?
    @OptionGroup var filters: FilterOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if (query == nil) == (saved == nil) { throw ValidationError("give either QUERY or --saved NAME") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    struct Enough: Error {}

    /// The last position printed, shared with the call's body.
    final class Cursor: Sendable {
        let state = Mutex<(position: UInt64?, printed: Int)>((nil, 0))
    }

    func run() async throws {
        let (from, to) = try filters.dates()
        let base = WatchRequest(query: query ?? "", saved: saved ?? "", from: from, to: to, categories: filters.trimmedCategories,
                                language: filters.lang?.language, wholeWords: filters.wholeWords, existing: existing)
        let cursor = Cursor()
        cursor.state.withLock { $0.position = fromPosition }
        let (json, exec, count) = (output.json, exec, count)
        var backoff = Duration.milliseconds(100)
        let service = service.query()
        while true {
            var request = base
            request.fromPosition = cursor.state.withLock { $0.position }
            var config = RPCClientConfiguration(socketPath: service.socketPath)
            config.maxAttempts = 1
            config.connectTimeout = .seconds(2)
            config.metadata = [Metadata.requestIDKey: KhaosanCLI.requestID]
            let client = RPCClient(configuration: config, logger: Logger(label: "khaosan", factory: { _ in SwiftLogNoOpLogHandler() }))
            do {
                try await client.serverStreaming(
                    KhaosanMethods.watch, request, options: CallOptions(timeout: .seconds(100 * 365 * 86_400))
                ) { (stream: ResponseStream<WatchMessage>) in
                    for try await m in stream {
                        switch m.kind {
                        case .live:
                            cursor.state.withLock { $0.position = max($0.position ?? 0, m.position) }
                            StdErr.line("khaosan watch: live from position \(m.position)")
                        case .event:
                            guard let e = m.event else { continue }
                            let line = AlertJSON.event(e).encoded()
                            StdOut.line(json ? line : AlertJSON.line(e))
                            StdOut.flush()
                            if let exec { Self.runHook(exec, input: line) }
                            let printed = cursor.state.withLock { s -> Int in
                                s.position = e.position
                                s.printed += 1
                                return s.printed
                            }
                            // Thrown, as a watch never ends by itself: leaving the body cancels the call.
                            if let count, printed >= count { throw Enough() }
                        }
                    }
                }
                await client.close()
                backoff = .milliseconds(100)
            } catch is Enough {
                await client.close()
                return
            } catch let error as RPCError {
                await client.close()
                switch error.code {
                case .invalidArgument, .notFound, .permissionDenied, .resourceExhausted, .failedPrecondition, .unimplemented:
                    throw service.cliError(for: error)
                default:
                    let at = cursor.state.withLock { $0.position }.map { " from position \($0)" } ?? ""
                    StdErr.line("khaosan watch: \(error.code): \(error.message); reconnecting\(at)")
                }
            } catch {
                await client.close()
                throw error
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    static func runHook(_ command: String, input: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardInput = pipe
        do {
            try p.run()
            pipe.fileHandleForWriting.write(Data((input + "\n").utf8))
            try pipe.fileHandleForWriting.close()
            p.waitUntilExit()
            if p.terminationStatus != 0 { StdErr.line("khaosan watch: --exec exited with status \(p.terminationStatus)") }
        } catch {
            StdErr.line("khaosan watch: --exec could not run: \(error)")
        }
    }
}
