#if canImport(Glibc)
import Glibc
#endif

/// The journal's checkpoint file, `<journal>/checkpoint`: 16 bytes, "KJC1", the u64 LE sequence
/// up to which khaosan-queryd has applied the journal, and a u32 LE CRC32C of the first 12. The
/// format is defined only here: the journal uses it, and Deploy/backup.sh and restore.sh reach it
/// through `khaosan-ingestd checkpoint` instead of a second implementation in bash.
package enum JournalCheckpointFile {
    static let magic: [UInt8] = Array("KJC1".utf8)

    /// The stored sequence, after checking size, magic number and checksum; 0 when there is no file.
    package static func read(_ path: String) throws -> UInt64 {
        if access(path, F_OK) != 0 && errno == ENOENT { return 0 }
        let fd = try JournalIO.openFile(path, O_RDONLY)
        defer { JournalIO.closeFD(fd) }
        let size = try JournalIO.fileSize(fd, path: path)
        guard size == 16 else {
            throw JournalError(.corrupt, "checkpoint file has \(size) bytes, expected 16", path: path)
        }
        let bytes = try JournalIO.preadAll(fd, count: 16, at: 0, path: path)
        return try bytes.withUnsafeBytes { raw in
            guard Array(bytes[0..<4]) == magic else {
                throw JournalError(.corrupt, "checkpoint file has a bad magic number", path: path)
            }
            let stored = JournalRecordFormat.load(UInt32.self, raw, at: 12)
            let actual = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<12]))
            guard stored == actual else {
                throw JournalError(.corrupt, "checkpoint file fails its checksum", path: path)
            }
            return JournalRecordFormat.load(UInt64.self, raw, at: 4)
        }
    }

    static func encode(_ sequence: UInt64) -> [UInt8] {
        var bytes = magic
        bytes += [UInt8](repeating: 0, count: 12)
        JournalRecordFormat.store(sequence, into: &bytes, at: 4)
        JournalRecordFormat.store(bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<12])) }, into: &bytes, at: 12)
        return bytes
    }

    /// Replaces the file atomically and durably (temp file, fsync, rename, fsync of `directory`).
    package static func write(_ path: String, sequence: UInt64, directory: String) throws {
        try JournalIO.replaceFile(path, with: encode(sequence), directory: directory)
    }
}
