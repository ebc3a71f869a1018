import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC

/// The `khaosan` command line. Exit status: 0 success; 1 a release was rejected or the service
/// reported an error; 2 the command line is wrong (bad option, bad date, missing path) or the
/// query did not parse (INVALID_ARGUMENT); 3 a service could not be reached.
package enum KhaosanCLI {
    package static var version: String { KhaosanVersion.current }

    /// Sent as `x-request-id` on every call of this invocation, so the logs of both services
    /// can be joined for one command: $KHAOSAN_REQUEST_ID when set (a script's own id), else
    /// 16 random hex digits.
    package static let requestID: String = {
        // Sent as given: a server that finds it unusable logs its own instead.
        if let id = ProcessInfo.processInfo.environment["KHAOSAN_REQUEST_ID"], !id.isEmpty { return id }
        return RequestID.make()
    }()

    package static func main() async {
        await main(arguments: Array(CommandLine.arguments.dropFirst()))
    }

    package static func main(arguments: [String]) async {
        if let message = versionFlagMisuse(arguments) {
            StdErr.line("khaosan: \(message)")
            StdOut.flush()
            exit(2)
        }
        let code: Int32
        do {
            var command = try Khaosan.parseAsRoot(arguments)
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            code = 0
        } catch {
            code = report(error)
        }
        StdOut.flush()
        exit(code)
    }

    /// `khaosan get 73500 --version 2` would print khaosan's own version (ArgumentParser takes
    /// `--version` on every command before the command sees it), which looks like an answer:
    /// a number after `--version` on `get` is refused with a pointer to `--rev`.
    package static func versionFlagMisuse(_ arguments: [String]) -> String? {
        guard arguments.first == "get", let i = arguments.firstIndex(of: "--version") else { return nil }
        let next = i + 1 < arguments.count ? arguments[i + 1] : ""
        guard !next.isEmpty, next.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return "--version prints khaosan's own version; for stored version \(next) of a release use --rev \(next) (--versions lists them)"
    }

    /// Prints what went wrong and returns the exit status.
    static func report(_ error: any Error) -> Int32 {
        if let e = error as? CLIError {
            StdErr.line("khaosan: \(e.message)")
            return e.exitCode
        }
        let code = Khaosan.exitCode(for: error)
        if code == .success || error is ExitCode {
            // --help, --version, or a command's own ExitCode: ArgumentParser prints what it has.
            let message = Khaosan.fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { StdOut.line(message) } else { StdErr.line(message) }
            }
            return code.rawValue
        }
        if code == .validationFailure {
            // ArgumentParser's usage errors exit 64 (EX_USAGE); Khaosan documents 2, as grep does.
            StdErr.line(Khaosan.fullMessage(for: error))
            return 2
        }
        StdErr.line("khaosan: \(error)")
        return 1
    }
}

struct Khaosan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khaosan",
        abstract: "Archive and search Thai government press releases.",
        discussion: """
            Talks to khaosan-ingestd (ingest, status, metrics) and khaosan-queryd (search, timeline, export, \
            count, get, diff, similar, latest, stats, categories, status, metrics) over Unix sockets; parse and tokenize work locally. Every command \
            takes --json for JSON Lines output.

            Exit status: 0 success, 1 rejected releases or a service error, 2 usage error \
            (including a query that does not parse), 3 a service is not reachable.
            """,
        version: KhaosanCLI.version,
        subcommands: [
            IngestCommand.self, SearchCommand.self, TimelineCommand.self, CountCommand.self, ExportCommand.self, NamesCommand.self, EntityCommand.self, GetCommand.self, DiffCommand.self,
            SimilarCommand.self, LatestCommand.self,
            StatsCommand.self, CategoriesCommand.self, StatusCommand.self, MetricsCommand.self, ParseCommand.self, TokenizeCommand.self,
            SavedCommand.self, WatchCommand.self,
        ]
    )
}
