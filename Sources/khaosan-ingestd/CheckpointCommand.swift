import ArgumentParser
import KhaosanIngest

/// `khaosan-ingestd checkpoint FILE [--set N]`: the journal checkpoint file for Deploy/backup.sh
/// and restore.sh, so that its format is written in one place (JournalCheckpointFile).
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Prints the sequence a journal checkpoint file holds (0 when there is none), after checking it; with --set, first replaces it (temp file, fsync, rename, fsync of the directory).",
        discussion: "Only while khaosan-ingestd is stopped: the running service owns its checkpoint."
    )

    @Argument(help: "The checkpoint file: <state_dir>/journal/checkpoint.")
    var file: String
    @Option(help: "The sequence to write.")
    var set: UInt64?

    func run() throws {
        if let set {
            let slash = file.lastIndex(of: "/")
            let directory = slash.map { $0 == file.startIndex ? "/" : String(file[..<$0]) } ?? "."
            try JournalCheckpointFile.write(file, sequence: set, directory: directory)
        }
        print(try JournalCheckpointFile.read(file))
    }
}
