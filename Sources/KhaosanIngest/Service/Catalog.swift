#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// What the ingester has accepted: release id -> content hash of its latest version. It decides
/// accepted / updated / duplicate at intake, before anything is written.
///
/// Persistence is an append-only file of 16-byte entries (id, hash), written after each journal
/// commit and fsync'ed before the journal deletes segments. Losing its tail in a crash costs only
/// a label (a resent release reported as accepted instead of duplicate; the query service still
/// stores it once), never data: the journal is the source of truth, and records not yet forwarded
/// are folded back in at start-up.
final class Catalog: Sendable {
    enum Decision: Equatable { case new, changed, duplicate }

    private struct State {
        var hashes: [Int64: UInt64] = [:]
        var pending: [UInt8] = []
    }
    private let state = Mutex(State())
    private let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CatalogError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        var hashes: [Int64: UInt64] = [:]
        data.withUnsafeBytes { raw in
            // A torn last entry (shorter than 16 bytes) is ignored.
            var i = 0
            while i + 16 <= raw.count {
                let id = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: Int64.self))
                let hash = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                hashes[id] = hash == 0 ? nil : hash  // 0: forgotten (see `forget`)
                i += 16
            }
        }
        state.withLock { $0.hashes = hashes }
    }

    deinit { close(fd) }

    var count: Int { state.withLock { $0.hashes.count } }

    static func hashValue(_ hex: String) -> UInt64 { UInt64(hex, radix: 16) ?? UInt64(truncatingIfNeeded: hex.hashValue) }

    /// Classifies and reserves in one step, so two concurrent submissions of the same release
    /// are not both called new. Returns the previous hash for `release(_:)` on failure.
    func reserve(id: Int64, hash: String) -> (Decision, previous: UInt64?) {
        let h = Self.hashValue(hash)
        return state.withLock { s in
            let previous = s.hashes[id]
            if previous == h { return (.duplicate, previous) }
            s.hashes[id] = h
            return (previous == nil ? .new : .changed, previous)
        }
    }

    /// Undoes a reservation whose journal append failed.
    func release(id: Int64, hash: String, previous: UInt64?) {
        let h = Self.hashValue(hash)
        state.withLock { s in
            if s.hashes[id] == h { s.hashes[id] = previous }
        }
    }

    /// Adds entries found in the journal at start-up (already durable there).
    func fold(id: Int64, hash: String) {
        let h = Self.hashValue(hash)
        state.withLock { s in
            if s.hashes[id] != h {
                s.hashes[id] = h
                Self.encode(id, h, into: &s.pending)
            }
        }
    }

    /// Forgets a release the query service refused for good (set aside as a dead letter), so that
    /// sending it again is tried again rather than called a duplicate. Written as hash 0, which
    /// loading reads as absent.
    func forget(id: Int64, hash: String) {
        let h = Self.hashValue(hash)
        let bytes: [UInt8]? = state.withLock { s in
            guard s.hashes[id] == h else { return nil }
            s.hashes[id] = nil
            Self.encode(id, 0, into: &s.pending)
            defer { s.pending.removeAll(keepingCapacity: true) }
            return s.pending
        }
        if let bytes { writeAll(bytes) }
    }

    /// Records an accepted release (after its journal commit). Written at once (survives a killed
    /// process via the page cache); made durable by `sync()`.
    func committed(id: Int64, hash: String) {
        let bytes: [UInt8] = state.withLock { s in
            Self.encode(id, Self.hashValue(hash), into: &s.pending)
            defer { s.pending.removeAll(keepingCapacity: true) }
            return s.pending
        }
        writeAll(bytes)
    }

    func sync() {
        let bytes = state.withLock { s in defer { s.pending.removeAll() }; return s.pending }
        writeAll(bytes)
        fsync(fd)
    }

    private func writeAll(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }

    private static func encode(_ id: Int64, _ h: UInt64, into out: inout [UInt8]) {
        withUnsafeBytes(of: id.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: h.littleEndian) { out.append(contentsOf: $0) }
    }
}

struct CatalogError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
