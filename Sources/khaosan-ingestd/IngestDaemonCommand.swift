import ArgumentParser
import KhaosanIngest
import KhaosanDaemon
import KhaosanRPC
import Logging

@main
struct IngestDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khaosan-ingestd",
        abstract: "Khaosan ingestion service: validates releases, journals them durably and forwards them to khaosan-queryd."
    )

    @Option(help: "Config file of key = value lines (socket, query_socket, state_dir, ingest_uids, reader_uids, journal_quota_mb, log_level). Flags override it.")
    var config: String?
    @Option(help: "Unix socket to listen on (default: $KHAOSAN_HOME/ingest.sock).")
    var socket: String?
    @Option(help: "khaosan-queryd's socket (default: $KHAOSAN_HOME/query.sock).")
    var querySocket: String?
    @Option(help: "Directory for the journal and its checkpoint (default: $KHAOSAN_HOME/ingest).")
    var stateDir: String?
    @Option(name: .customLong("ingest-uid"), help: "A uid that may ingest (repeatable); root and our own uid always may.")
    var ingestUIDs: [UInt32] = []
    @Option(name: .customLong("reader-uid"), help: "A uid that may read status and health only (repeatable).")
    var readerUIDs: [UInt32] = []
    @Option(help: "Disk quota for releases not yet taken by khaosan-queryd, in MiB (default 4096).")
    var journalQuotaMB: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        let file = try config.map { try ConfigFile(path: $0) } ?? ConfigFile()
        DaemonRunner.bootstrapLogging(level: logLevel ?? file["log_level"])
        let logger = Logger(label: "khaosan-ingestd")
        var c = IngestServiceConfiguration(
            socketPath: socket ?? file["socket"] ?? KhaosanPaths.ingestSocket(),
            querySocketPath: querySocket ?? file["query_socket"] ?? KhaosanPaths.querySocket(),
            stateDirectory: stateDir ?? file["state_dir"] ?? KhaosanPaths.home() + "/ingest"
        )
        c.ingestUIDs = Set(ingestUIDs).union(try file.uids("ingest_uids"))
        c.readerUIDs = Set(readerUIDs).union(try file.uids("reader_uids"))
        if let mb = journalQuotaMB ?? file["journal_quota_mb"].flatMap({ Int($0) }) { c.journalQuotaBytes = mb << 20 }
        let daemon = try IngestDaemon(configuration: c, logger: logger)
        try await DaemonRunner.run(daemon, logger: logger)
    }
}
