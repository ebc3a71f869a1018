import Foundation
import ArgumentParser
import KhaosanIngest
import KhaosanDaemon
import Logging
import KhaosanDaemonCommand

@main
struct IngestDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khaosan-ingestd",
        abstract: "Khaosan ingestion service: validates releases, journals them durably and forwards them to khaosan-queryd.",
        subcommands: [Serve.self, RepairJournal.self, CheckpointCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// The service itself: `khaosan-ingestd [options]` (or `khaosan-ingestd serve [options]`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the ingestion service (the default)."
    )

    @Option(help: "Config file of key = value lines (socket, query_socket, state_dir, ingest_uids, reader_uids, journal_quota_mb, log_level, metrics_textfile). Flags override it.")
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
    @OptionGroup var common: DaemonOptions

    func run() async throws {
        let file = try config.map { try ConfigFile(path: $0) } ?? ConfigFile()
        common.bootstrapLogging(file)
        let logger = Logger(label: "khaosan-ingestd")
        let renderMetrics = PrometheusBackend.bootstrap()
        var c = IngestServiceConfiguration(
            socketPath: socket ?? file["socket"] ?? KhaosanPaths.ingestSocket(),
            querySocketPath: querySocket ?? file["query_socket"] ?? KhaosanPaths.querySocket(),
            stateDirectory: stateDir ?? file["state_dir"] ?? KhaosanPaths.home() + "/ingest"
        )
        c.ingestUIDs = Set(ingestUIDs).union(try file.uids("ingest_uids"))
        c.readerUIDs = Set(readerUIDs).union(try file.uids("reader_uids"))
        if let mb = journalQuotaMB ?? file["journal_quota_mb"].flatMap({ Int($0) }) { c.journalQuotaBytes = mb << 20 }
        c.renderMetrics = renderMetrics
        let daemon = try IngestDaemon(configuration: c, logger: logger)
        let textfile = try common.textfile(file, exposition: daemon.metricsExposition, logger: logger)
        try await DaemonRunner.run(daemon, logger: logger, metricsTextfile: textfile)
    }
}

/// Salvages a journal that start-up refused as damaged inside a segment.
struct RepairJournal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair-journal",
        abstract: "Salvage every intact record of a damaged journal (khaosan-ingestd must be stopped).",
        discussion: """
            Reads every segment of <state-dir>/journal, skipping damaged bytes to the next intact \
            record. Intact records keep their journal positions; each position with no intact \
            record gets a lost-record marker, which the forwarder sets aside as a dead letter \
            (code DATA_LOSS, shown by `khaosan status`). The original segments are moved to \
            <state-dir>/journal.damaged-<time>, never deleted. --dry-run only reports.

            Exit status: 0 repaired or nothing to repair, 1 the repair failed.
            """
    )

    @Option(help: "Config file (its state_dir is used).")
    var config: String?
    @Option(help: "The service's state directory (default: $KHAOSAN_HOME/ingest).")
    var stateDir: String?
    @Flag(help: "Report what would be salvaged and lost, change nothing.")
    var dryRun = false

    func run() async throws {
        let file = try config.map { try ConfigFile(path: $0) } ?? ConfigFile()
        let state = stateDir ?? file["state_dir"] ?? KhaosanPaths.home() + "/ingest"
        let dir = state + "/journal"
        let report = try JournalRepair.repair(directory: dir, dryRun: dryRun)
        print("\(dir): \(report)")
        // Which releases the lost records held cannot be read, so the catalog cannot forget just
        // them; it goes aside whole, or sending a lost release again would be called a
        // duplicate. It only labels intake (khaosan-queryd still stores each version once).
        if let moved = report.movedTo, !report.lost.isEmpty, FileManager.default.fileExists(atPath: state + "/catalog.bin") {
            try FileManager.default.moveItem(atPath: state + "/catalog.bin", toPath: moved + "/catalog.bin")
            print("intake catalog moved to \(moved)/catalog.bin: send the lost releases again; releases sent before count as accepted once more")
        }
        if dryRun && !report.isSound { print("(dry run: nothing changed)") }
    }
}

