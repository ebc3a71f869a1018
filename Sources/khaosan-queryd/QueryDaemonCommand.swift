import ArgumentParser
import KhaosanQuery
import KhaosanDaemon
import Logging
import KhaosanDaemonCommand
import KhaosanPostgres

@main
struct QueryDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khaosan-queryd",
        abstract: "Khaosan query service: stores, indexes and searches Thai government press releases."
    )

    @Option(help: "Config file of key = value lines (socket, database, reader_uids, ingest_uids, log_level, metrics_textfile, store, store_password_file, replica). Flags override it.")
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
    @Option(help: "The shared archive of record (issue 19): postgres://USER@/DBNAME?host=/socket/dir, or postgres://USER@HOST:PORT/DBNAME?sslmode=verify-full|require (TLS unless sslmode=disable). Absent: the SQLite database is the archive. Config key: store.")
    var store: String?
    @Option(help: "File holding the store's password (mode 0600; refused when group or others may read it). Config key: store_password_file.")
    var storePasswordFile: String?
    @Flag(help: "Follow the store only: refuse ApplyBatch/ApplyStream (needs --store). Config key: replica = true.")
    var replica = false
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
        let replica = try self.replica || file.flag("replica", in: config)
        if let url = store ?? file["store"] {
            c.archive = try await Self.openStore(url, passwordFile: storePasswordFile ?? file["store_password_file"],
                                                 replica: replica, logger: logger)
        } else if replica {
            throw ValidationError("--replica needs --store (a replica follows a shared archive)")
        } else if storePasswordFile ?? file["store_password_file"] != nil {
            throw ValidationError("--store-password-file needs --store")
        }
        let daemon = try QueryDaemon(configuration: c, logger: logger)
        let textfile = try common.textfile(file, exposition: daemon.metricsExposition, logger: logger)
        try await DaemonRunner.run(daemon, logger: logger, metricsTextfile: textfile)
    }

    /// Opens the PostgreSQL archive before anything listens: a wrong URL, password, database or
    /// schema ends the process with the reason (naming the URL, never the password).
    static func openStore(_ text: String, passwordFile: String?, replica: Bool, logger: Logger) async throws -> SharedArchive {
        let url = try PostgresStoreURL(text)
        let password = try passwordFile.map { try PostgresStoreURL.readPassword(file: $0) }
        let archive = try await PostgresArchive.open(url: url, password: password, logger: logger)
        if archive.standby && !replica {
            throw PostgresStoreError("PostgreSQL store \(url) is a hot standby (read-only): a writer needs the primary; "
                + "add --replica to follow it", kind: .precondition)
        }
        logger.notice("archive of record: PostgreSQL", metadata: ["store": "\(url)", "replica": "\(replica)", "standby": "\(archive.standby)"])
        return SharedArchive(store: archive, replica: replica, services: [archive], savedSearches: archive)
    }
}

extension ConfigFile {
    /// A yes/no key: true, yes, 1 or false, no, 0 (absent: false).
    func flag(_ key: String, in path: String?) throws -> Bool {
        guard let v = self[key]?.lowercased() else { return false }
        switch v {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw ValidationError("\(path ?? "config file"): key \(key) = \(v): expected true or false")
        }
    }
}
