import ArgumentParser
import KhaosanQuery
import KhaosanDaemon
import Logging
import KhaosanDaemonCommand

@main
struct QueryDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khaosan-queryd",
        abstract: "Khaosan query service: stores, indexes and searches Thai government press releases."
    )

    @Option(help: "Config file of key = value lines (socket, database, reader_uids, ingest_uids, log_level, metrics_textfile). Flags override it.")
    var config: String?
    @Option(help: "Unix socket to listen on (default: $KHAOSAN_HOME/query.sock).")
    var socket: String?
    @Option(help: "SQLite database file (default: $KHAOSAN_HOME/query.db).")
    var database: String?
    @Option(name: .customLong("reader-uid"), help: "A uid that may search (repeatable); root and our own uid always may.")
    var readerUIDs: [UInt32] = []
    @Option(name: .customLong("ingest-uid"), help: "A uid that may apply batches, i.e. khaosan-ingestd's (repeatable).")
    var ingestUIDs: [UInt32] = []
    @Option(name: .customLong("max-message-bytes"), help: "Largest message accepted (default 4194304, the limit khaosan-ingestd's records are sized for).")
    var maxMessageBytes: Int?
    @Option(help: "Documents the search index keeps in memory before writing a segment file (default 4096; small values make the crash test flush and merge while it kills).")
    var indexFlushDocuments: Int?
    @OptionGroup var common: DaemonOptions

    func run() async throws {
        let file = try config.map { try ConfigFile(path: $0) } ?? ConfigFile()
        common.bootstrapLogging(file)
        let logger = Logger(label: "khaosan-queryd")
        let renderMetrics = PrometheusBackend.bootstrap()
        let home = KhaosanPaths.home()
        var c = QueryServiceConfiguration(
            socketPath: socket ?? file["socket"] ?? KhaosanPaths.querySocket(),
            databasePath: database ?? file["database"] ?? home + "/query.db"
        )
        c.readerUIDs = Set(readerUIDs).union(try file.uids("reader_uids"))
        c.ingestUIDs = Set(ingestUIDs).union(try file.uids("ingest_uids"))
        if let n = indexFlushDocuments ?? file["index_flush_documents"].flatMap({ Int($0) }) {
            guard n >= 1 else { throw ValidationError("--index-flush-documents must be at least 1") }
            c.indexFlushDocuments = n
        }
        if let m = maxMessageBytes ?? file["max_message_bytes"].flatMap({ Int($0) }) {
            guard m >= 64 << 10 else { throw ValidationError("--max-message-bytes must be at least 65536") }
            c.maxMessageBytes = m
        }
        c.renderMetrics = renderMetrics
        let daemon = try QueryDaemon(configuration: c, logger: logger)
        let textfile = try common.textfile(file, exposition: daemon.metricsExposition, logger: logger)
        try await DaemonRunner.run(daemon, logger: logger, metricsTextfile: textfile)
    }
}

