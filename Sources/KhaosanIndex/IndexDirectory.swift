import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The index's files: immutable segment files and one manifest naming the segments in order
/// (oldest first), their sizes and checksums, and the position of the store's index log they
/// cover. A segment is written and fsync'ed before the manifest names it; the manifest is
/// replaced atomically (temp file, fsync, rename, fsync of the directory), so after a crash the
/// directory holds either the old or the new manifest, each naming only complete files. Files
/// the manifest does not name (a merge that died, a memory segment's spill file) are removed when
/// the index opens.
package struct IndexDirectory: Sendable {
    package struct Manifest: Codable, Sendable, Equatable {
        package struct Entry: Codable, Sendable, Equatable {
            package var file: String
            package var bytes: Int
            package var checksum: String
        }
        package var format = 1
        /// The next segment file number.
        package var generation: Int
        /// The store's index-log sequence that the segments cover (releases logged after it are
        /// indexed again from the store at start-up).
        package var coveredSequence: Int64
        package var segments: [Entry]
    }

    package static let manifestName = "manifest.json"
    package let path: String

    package init(path: String) { self.path = path }

    func file(_ name: String) -> String { path + "/" + name }

    package func create() throws(IndexError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw IndexError.io(path, "mkdir", Int32((error as NSError).code))
        }
    }

    /// The manifest, or nil when there is none (a new or wiped index).
    package func readManifest() throws(IndexError) -> Manifest? {
        let p = file(Self.manifestName)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        guard let data = FileManager.default.contents(atPath: p) else { throw IndexError.io(p, "read", errno) }
        do { return try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw IndexError.corrupt(p, "manifest is not valid: \(error)")
        }
    }

    package func writeManifest(_ m: Manifest) throws(IndexError) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try enc.encode(m) } catch { throw IndexError.corrupt(file(Self.manifestName), "cannot encode: \(error)") }
        let tmp = file(Self.manifestName + ".tmp")
        try writeDurably(tmp, Array(data))
        guard rename(tmp, file(Self.manifestName)) == 0 else { throw IndexError.io(tmp, "rename", errno) }
        try syncDirectory()
    }

    /// Writes a new file (never an existing one) and fsyncs it.
    package func writeDurably(_ p: String, _ bytes: [UInt8]) throws(IndexError) {
        try writeFile(p, bytes, sync: true)
    }

    /// Writes a new file (never an existing one), fsyncing it only when `sync`: a memory
    /// segment's spill file needs no fsync, as nothing names it and a start removes it.
    func writeFile(_ p: String, _ bytes: [UInt8], sync: Bool) throws(IndexError) {
        unlink(p)
        let fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw IndexError.io(p, "create", errno) }
        defer { close(fd) }
        var done = 0
        let result: Int32 = bytes.withUnsafeBytes { buf in
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return errno }
                done += n
            }
            return 0
        }
        guard result == 0 else { throw IndexError.io(p, "write", result) }
        guard !sync || fsync(fd) == 0 else { throw IndexError.io(p, "fsync", errno) }
    }

    package func syncDirectory() throws(IndexError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexError.io(path, "open directory", errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw IndexError.io(path, "fsync directory", errno) }
    }

    /// Removes every file but the manifest and the named segments.
    package func removeUnlisted(keeping names: Set<String>) {
        guard let all = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for f in all where f != Self.manifestName && !names.contains(f) { unlink(file(f)) }
    }

    /// Removes the manifest and all segments: the index is rebuilt from the store.
    package func wipe() {
        removeUnlisted(keeping: [])
        unlink(file(Self.manifestName))
    }

    /// 64-bit checksum of a segment's bytes (multiply-rotate over 8-byte words): catches torn
    /// and damaged files; not a cryptographic hash.
    package static func checksum(_ b: UnsafeRawBufferPointer) -> String {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(b.count)
        let words = b.count / 8
        for i in 0..<words {
            h = (h ^ b.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h = (h << 31) | (h >> 33)
        }
        for i in (words * 8)..<b.count { h = (h ^ UInt64(b[i])) &* 0xC4CE_B9FE_1A85_EC53 }
        h ^= h >> 29
        return String(h, radix: 16)
    }
}

extension IndexDirectory {
    func remove(_ name: String) { unlink(file(name)) }
}
