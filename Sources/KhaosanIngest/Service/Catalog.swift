#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// What the ingester has accepted: release id -> content hash and category of its latest
/// version. It decides accepted / updated / duplicate at intake, before anything is written, and
/// remembers the category so that a new version without one keeps it (issue 15).
///
/// Persistence is an append-only file, `KHCATLG2` then one entry per change: `u32 payload length,
/// u32 CRC32C of the payload, payload = i64 id, u64 hash, category name (UTF-8)`, all
/// little-endian. Entries are written after each journal commit and fsync'ed before the journal
/// deletes segments. Losing its tail in a crash costs only a label (a resent release reported as
/// accepted instead of duplicate; the query service still stores it once) and the remembered
/// category, never data: the journal is the source of truth, and records not yet forwarded are
/// folded back in at start-up.
///
/// Any write or fsync error leaves the catalog *broken* for the life of the process: every
/// later call that would persist throws, and `onBroken` runs once (the ingester goes
/// NOT_SERVING), since after a failed fsync Linux may have dropped the dirty pages and a retry
/// that succeeds proves nothing.
///
/// Older files (16-byte entries `i64 id, u64 hash`, no header, no checksum, no category) and
/// files with a torn or damaged entry are read as far as they are sound and rewritten whole in
/// the current format (temp file, fsync, rename, directory fsync) before the catalog opens.
final class Catalog: Sendable {
    enum Decision: Equatable { case new, changed, duplicate }

    /// A release's latest version as the catalog knows it.
    struct Entry: Equatable, Sendable {
        var hash: UInt64
        /// Index into `State.categories`; 0 is "unknown or none".
        var category: UInt32
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        /// Category names, interned: a few dozen for hundreds of thousands of releases.
        var categories: [String] = [""]
        var categoryIndex: [String: UInt32] = ["": 0]
        var pending: [UInt8] = []
        var broken: CatalogError?

        mutating func intern(_ name: String) -> UInt32 {
            if let i = categoryIndex[name] { return i }
            let i = UInt32(categories.count)
            categories.append(name)
            categoryIndex[name] = i
            return i
        }
    }

    static let magic: [UInt8] = Array("KHCATLG2".utf8)
    /// A longer category name is not stored (the entry keeps "unknown").
    static let maxCategoryBytes = 1024

    private let state = Mutex(State())
    private let fd: Int32
    private let onBroken: @Sendable (CatalogError) -> Void
    let path: String
    /// What opening found: "" for a current, sound file; otherwise what was rewritten and why.
    let migration: String

    init(path: String, onBroken: @escaping @Sendable (CatalogError) -> Void = { _ in }) throws(CatalogError) {
        self.path = path
        self.onBroken = onBroken
        var loaded = State()
        var rewriteReason = ""
        let existing = try Self.readFile(path)
        if let bytes = existing, !bytes.isEmpty {
            if bytes.starts(with: Self.magic) {
                let end = Self.decodeCurrent(bytes, into: &loaded)
                if end < bytes.count { rewriteReason = "entry at byte \(end) of \(bytes.count) is torn or damaged; kept the \(loaded.entries.count) entries before it" }
            } else {
                Self.decodeVersion1(bytes, into: &loaded)
                rewriteReason = "format 1 (no checksums, no categories) migrated, \(loaded.entries.count) entries"
            }
        }
        if existing == nil || existing?.isEmpty == true || !rewriteReason.isEmpty {
            try Self.writeWhole(path: path, state: loaded)
        }
        migration = rewriteReason
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw CatalogError(path: path, operation: "open for appending", errno: errno) }
        loaded.pending = []
        state.withLock { $0 = loaded }
    }

    deinit { close(fd) }

    var count: Int { state.withLock { $0.entries.count } }

    /// Why the catalog cannot be written, once it cannot.
    var failure: CatalogError? { state.withLock { $0.broken } }

    /// The value persisted for a content hash. The parser's hashes are 16 hex digits (FNV-1a
    /// 64), taken as they are; anything else is hashed with FNV-1a 64 over its UTF-8 bytes,
    /// which, unlike `String.hashValue`, is the same in every process. 0 means "forgotten", so
    /// a hash that is 0 is stored as 1 (the worst case: one release called changed once more).
    static func hashValue(_ hex: String) -> UInt64 {
        let h: UInt64
        if hex.utf8.count <= 16, let v = UInt64(hex, radix: 16) {
            h = v
        } else {
            var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in hex.utf8 { fnv = (fnv ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h = fnv
        }
        return h == 0 ? 1 : h
    }

    /// The category name of the latest version known for `id`; nil when none is known.
    func knownCategory(id: Int64) -> String? {
        state.withLock { s in
            guard let e = s.entries[id], e.category != 0 else { return nil }
            return s.categories[Int(e.category)]
        }
    }

    /// Classifies and reserves in one step, so two concurrent submissions of the same release
    /// are not both called new. Returns the previous entry for `release(_:)` on failure. Throws
    /// once the catalog is broken: nothing more may be acknowledged.
    func reserve(id: Int64, hash: String, category: String) throws(CatalogError) -> (Decision, previous: Entry?) {
        let h = Self.hashValue(hash)
        return try state.withLock { s throws(CatalogError) in
            if let broken = s.broken { throw broken }
            let previous = s.entries[id]
            if previous?.hash == h { return (.duplicate, previous) }
            s.entries[id] = Entry(hash: h, category: s.intern(Self.storable(category)))
            return (previous == nil ? .new : .changed, previous)
        }
    }

    /// Undoes a reservation whose journal append failed.
    func release(id: Int64, hash: String, previous: Entry?) {
        let h = Self.hashValue(hash)
        state.withLock { s in
            if s.entries[id]?.hash == h { s.entries[id] = previous }
        }
    }

    /// Adds entries found in the journal at start-up (already durable there); written by `sync()`.
    func fold(id: Int64, hash: String, category: String) {
        let h = Self.hashValue(hash)
        state.withLock { s in
            let c = s.intern(Self.storable(category))
            if s.entries[id] != Entry(hash: h, category: c) {
                s.entries[id] = Entry(hash: h, category: c)
                Self.encode(id, h, s.categories[Int(c)], into: &s.pending)
            }
        }
    }

    /// Forgets a release the query service refused for good (set aside as a dead letter), so that
    /// sending it again is tried again rather than called a duplicate. Written as hash 0, which
    /// loading reads as absent.
    func forget(id: Int64, hash: String) throws(CatalogError) {
        let h = Self.hashValue(hash)
        try persist { s in
            guard s.entries[id]?.hash == h else { return false }
            s.entries[id] = nil
            Self.encode(id, 0, "", into: &s.pending)
            return true
        }
    }

    /// Records an accepted release (after its journal commit). Written at once (survives a killed
    /// process via the page cache); made durable by `sync()`.
    func committed(id: Int64, hash: String, category: String) throws(CatalogError) {
        try persist { s in
            Self.encode(id, Self.hashValue(hash), Self.storable(category), into: &s.pending)
            return true
        }
    }

    /// Writes what is pending and fsyncs: after it returns, every entry so far is on disk.
    func sync() throws(CatalogError) {
        try persist(fsync: true) { _ in true }
    }

    /// Appends `pending` (filled by `change`) under the lock, so entries reach the file in the
    /// order their changes were made. A full disk keeps what could not be written pending (a
    /// short write leaves the file ending inside an entry, which the next write completes) and
    /// fails only `sync()`, which the checkpoint waits for: the entry is in memory, and the
    /// journal keeps its record until the catalog is durable. Any other error breaks the catalog.
    private func persist(fsync wantSync: Bool = false, _ change: (inout State) -> Bool) throws(CatalogError) {
        let failure: CatalogError? = state.withLock { s in
            if let broken = s.broken { return broken }
            guard change(&s) else { return nil }
            let (written, error) = Self.writeAll(fd, s.pending, path: path)
            s.pending.removeFirst(written)
            if let error {
                if error.isNoSpace { return wantSync ? error : nil }
                s.broken = error
                return error
            }
            if wantSync && fsync(fd) != 0 {
                // After a failed fsync the kernel may have dropped the pages: never trusted again.
                let e = CatalogError(path: path, operation: "fsync", errno: errno)
                s.broken = e
                return e
            }
            return nil
        }
        if let failure {
            if !failure.isNoSpace { onBrokenOnce(failure) }
            throw failure
        }
    }

    private let reported = Atomic<Bool>(false)
    private func onBrokenOnce(_ e: CatalogError) {
        if !reported.exchange(true, ordering: .relaxed) { onBroken(e) }
    }

    private static func storable(_ category: String) -> String {
        category.utf8.count <= maxCategoryBytes ? category : ""
    }

    /// Bytes written, and the error that stopped it short.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) -> (Int, CatalogError?) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return (off, CatalogError(path: path, operation: "write", errno: errno))
            }
            if n == 0 { return (off, CatalogError(path: path, operation: "write", errno: EIO)) }
            off += n
        }
        return (off, nil)
    }

    private static func encode(_ id: Int64, _ h: UInt64, _ category: String, into out: inout [UInt8]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(16 + category.utf8.count)
        withUnsafeBytes(of: id.littleEndian) { payload.append(contentsOf: $0) }
        withUnsafeBytes(of: h.littleEndian) { payload.append(contentsOf: $0) }
        payload.append(contentsOf: category.utf8)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: CRC32C.checksum(payload).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: payload)
    }

    /// Entries of a current file into `state`; returns where the sound part ends.
    private static func decodeCurrent(_ bytes: [UInt8], into state: inout State) -> Int {
        var i = magic.count
        while i + 8 <= bytes.count {
            let length = Int(load(UInt32.self, bytes, i))
            let crc = load(UInt32.self, bytes, i + 4)
            guard length >= 16, length <= 16 + maxCategoryBytes, i + 8 + length <= bytes.count else { return i }
            let payload = Array(bytes[(i + 8)..<(i + 8 + length)])
            guard CRC32C.checksum(payload) == crc else { return i }
            let id = Int64(bitPattern: load(UInt64.self, payload, 0))
            let hash = load(UInt64.self, payload, 8)
            let category = String(decoding: payload[16...], as: UTF8.self)
            state.entries[id] = hash == 0 ? nil : Entry(hash: hash, category: state.intern(category))
            i += 8 + length
        }
        return i
    }

    /// Format 1: 16-byte entries; a torn last entry is ignored.
    private static func decodeVersion1(_ bytes: [UInt8], into state: inout State) {
        var i = 0
        while i + 16 <= bytes.count {
            let id = Int64(bitPattern: load(UInt64.self, bytes, i))
            let hash = load(UInt64.self, bytes, i + 8)
            state.entries[id] = hash == 0 ? nil : Entry(hash: hash, category: 0)
            i += 16
        }
    }

    private static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// The file's bytes; nil when it does not exist. Read through the descriptor, so a directory
    /// or a device at the path is an error naming it rather than an endless or empty read.
    private static func readFile(_ path: String) throws(CatalogError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CatalogError(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CatalogError(path: path, operation: "stat", errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw CatalogError(path: path, operation: "open", message: "not a regular file")
        }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var off = 0
        while off < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + off, $0.count - off, off_t(off)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CatalogError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { out.removeLast(out.count - off); break }
            off += n
        }
        return out
    }

    /// The whole table as a new file, replacing the old one only once it is durable.
    private static func writeWhole(path: String, state: State) throws(CatalogError) {
        var bytes = magic
        for (id, e) in state.entries.sorted(by: { $0.key < $1.key }) {
            encode(id, e.hash, state.categories[Int(e.category)], into: &bytes)
        }
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CatalogError(path: tmp, operation: "create", errno: errno) }
        if case (_, let e?) = writeAll(fd, bytes, path: tmp) { close(fd); unlink(tmp); throw e }
        if fsync(fd) != 0 { let e = CatalogError(path: tmp, operation: "fsync", errno: errno); close(fd); unlink(tmp); throw e }
        close(fd)
        guard rename(tmp, path) == 0 else { let e = CatalogError(path: path, operation: "rename \(tmp) to", errno: errno); unlink(tmp); throw e }
        let dir = (path as NSString).deletingLastPathComponent
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw CatalogError(path: dir, operation: "open directory", errno: errno) }
        defer { close(dfd) }
        if fsync(dfd) != 0 { throw CatalogError(path: dir, operation: "fsync directory", errno: errno) }
    }
}
