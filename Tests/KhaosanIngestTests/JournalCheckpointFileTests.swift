import Foundation
import KhaosanIngest
import Testing

/// The checkpoint file format that Deploy/backup.sh and restore.sh now reach through
/// `khaosan-ingestd checkpoint`. The expected bytes were written by the bash implementation the
/// scripts carried before (Deploy/common.sh at ddb513d), so the format cannot drift unnoticed.
struct JournalCheckpointFileTests {
    @Test(arguments: [
        (UInt64(4242), [75, 74, 67, 49, 146, 16, 0, 0, 0, 0, 0, 0, 71, 179, 199, 214] as [UInt8]),
        (UInt64.max, [75, 74, 67, 49, 255, 255, 255, 255, 255, 255, 255, 255, 50, 213, 220, 172] as [UInt8]),
    ])
    func writesTheBytesTheScriptsWrote(_ sequence: UInt64, _ expected: [UInt8]) throws {
        let dir = JournalTempDir()
        defer { dir.remove() }
        let path = dir.path + "/checkpoint"
        try JournalCheckpointFile.write(path, sequence: sequence, directory: dir.path)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == expected)
        #expect(try JournalCheckpointFile.read(path) == sequence)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func absentIsZeroAndDamageIsRefused() throws {
        let dir = JournalTempDir()
        defer { dir.remove() }
        let path = dir.path + "/checkpoint"
        #expect(try JournalCheckpointFile.read(path) == 0)
        try JournalCheckpointFile.write(path, sequence: 7, directory: dir.path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[5] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.self) { try JournalCheckpointFile.read(path) }
        try Data(bytes.prefix(15)).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.self) { try JournalCheckpointFile.read(path) }
    }
}
