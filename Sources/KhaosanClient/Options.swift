import ArgumentParser
import Foundation
import KhaosanDaemon
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import Logging

/// Where the services are and how long to wait for them.
struct ServiceOptions: ParsableArguments {
    @Option(name: .customLong("ingest-socket"), help: ArgumentHelp(
        "Unix socket of khaosan-ingestd.",
        discussion: "Default: $KHAOSAN_INGEST_SOCKET, else $KHAOSAN_HOME/ingest.sock ($KHAOSAN_HOME defaults to ~/.local/state/khaosan).",
        valueName: "path"))
    var ingestSocket: String?

    @Option(name: .customLong("query-socket"), help: ArgumentHelp(
        "Unix socket of khaosan-queryd.",
        discussion: "Default: $KHAOSAN_QUERY_SOCKET, else $KHAOSAN_HOME/query.sock.",
        valueName: "path"))
    var querySocket: String?

    @Option(help: ArgumentHelp(
        "Seconds to wait for a reply before giving up.",
        discussion: "Default 30 for single calls; the bulk ingest stream and export have no deadline unless this is given.",
        valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)")
        }
    }

    var ingestPath: String { ingestSocket ?? KhaosanPaths.ingestSocket() }
    var queryPath: String { querySocket ?? KhaosanPaths.querySocket() }

    var callTimeout: Duration { .milliseconds(Int64((timeout ?? 30) * 1000)) }

    func ingest() -> Service { Service(name: "khaosan-ingestd", socketPath: ingestPath, timeout: callTimeout) }
    func query() -> Service { Service(name: "khaosan-queryd", socketPath: queryPath, timeout: callTimeout) }
}

/// Output format and colour.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON Lines (one object per line, stable keys) instead of text.")
    var json = false

    @Option(help: ArgumentHelp(
        "When to colour the output.",
        discussion: "auto colours only when stdout is a terminal and NO_COLOR is not set."))
    var color: ColorChoice = .auto

    var style: Style {
        Style(enabled: !json && color.enabled(isTerminal: Terminal.stdoutIsTerminal, environment: ProcessInfo.processInfo.environment))
    }

    /// Width for text layout: the terminal's when stdout is one, else 80.
    var width: Int { Terminal.stdoutIsTerminal ? max(40, Terminal.width(fd: 1)) : 80 }
}

/// One daemon as the CLI sees it: a name for messages, a socket, and a client that fails fast.
struct Service: Sendable {
    var name: String
    var socketPath: String
    var timeout: Duration

    /// Opens a client, runs `body`, closes the client, and turns RPC failures into CLI errors:
    /// UNAVAILABLE (not running, socket missing, connection lost) exits 3, anything else 1.
    func call<T: Sendable>(_ body: (RPCClient) async throws -> T) async throws -> T {
        var config = RPCClientConfiguration(socketPath: socketPath)
        // A dead service must fail in well under a second, not after five backoffs.
        config.maxAttempts = 2
        config.maxBackoff = .milliseconds(200)
        config.connectTimeout = .seconds(2)
        config.defaultTimeout = timeout
        config.metadata = [Metadata.requestIDKey: KhaosanCLI.requestID]
        let client = RPCClient(configuration: config, logger: Logger(label: "khaosan", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw cliError(for: error)
        }
    }

    func cliError(for error: any Error) -> any Error {
        guard let e = error as? RPCError else { return error }
        switch e.code {
        case .unavailable:
            if e.message.hasPrefix("cannot connect") {
                return CLIError("cannot reach \(name) at \(socketPath) (is it running? start it with Deploy/local.sh start)", exitCode: 3)
            }
            return CLIError("lost the connection to \(name) at \(socketPath): \(e.message)", exitCode: 3)
        case .invalidArgument:
            return CLIError("\(e.code): \(e.message)", exitCode: 2)
        default:
            return CLIError("\(e.code): \(e.message)", exitCode: 1)
        }
    }
}
