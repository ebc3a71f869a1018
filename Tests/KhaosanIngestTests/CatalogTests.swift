import Foundation
import KhaosanRPC
import KhaosanTestSupport
import Logging
import Synchronization
import Testing
@testable import KhaosanIngest

/// Issue 15, item 3: the intake catalog persists what it must (stable hashes, categories),
/// migrates the older format on purpose, and every way its file can fail is an error, never a
/// silent acknowledgement.
@Suite("Intake catalog")
struct CatalogTests {
    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    @Test func entriesAndCategoriesSurviveReopening() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/catalog.bin"
        do {
            let c = try Catalog(path: path)
            #expect(try c.reserve(id: 1, hash: "00000000000000aa", category: "ด้านสังคม").0 == .new)
            try c.committed(id: 1, hash: "00000000000000aa", category: "ด้านสังคม")
            #expect(try c.reserve(id: 2, hash: "00000000000000bb", category: "").0 == .new)
            try c.committed(id: 2, hash: "00000000000000bb", category: "")
            #expect(try c.reserve(id: 1, hash: "00000000000000cc", category: "ด้านสังคม").0 == .changed)
            try c.committed(id: 1, hash: "00000000000000cc", category: "ด้านสังคม")
            try c.sync()
        }
        let c = try Catalog(path: path)
        #expect(c.migration.isEmpty)
        #expect(c.count == 2)
        #expect(try c.reserve(id: 1, hash: "00000000000000cc", category: "ด้านสังคม").0 == .duplicate)
        #expect(c.knownCategory(id: 1) == "ด้านสังคม")
        #expect(c.knownCategory(id: 2) == nil)
    }

    /// A hash that is not the parser's hex is FNV-1a 64 of its bytes, the same in every process
    /// (the published FNV-1a 64 value for "foobar"), never `String.hashValue`.
    @Test func nonHexHashesAreStable() {
        #expect(Catalog.hashValue("foobar") == 0x8594_4171_f739_67e8)
        #expect(Catalog.hashValue("00000000000000ff") == 0xff)
        #expect(Catalog.hashValue("0000000000000000") == 1, "0 means forgotten")
    }

    /// A file of the first format (16-byte entries, no header) is read and rewritten whole.
    @Test func version1FileIsMigrated() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/catalog.bin"
        var old: [UInt8] = []
        for (id, hash) in [(Int64(10), UInt64(0xabc)), (11, 0xdef), (10, 0x123), (12, 0x55), (12, 0)] {
            withUnsafeBytes(of: id.littleEndian) { old.append(contentsOf: $0) }
            withUnsafeBytes(of: hash.littleEndian) { old.append(contentsOf: $0) }
        }
        old.append(contentsOf: [1, 2, 3])  // a torn last entry
        try Data(old).write(to: URL(fileURLWithPath: path))
        let c = try Catalog(path: path)
        #expect(c.migration.contains("format 1"), "\(c.migration)")
        #expect(c.count == 2)
        #expect(try c.reserve(id: 10, hash: "0000000000000123", category: "x").0 == .duplicate)
        #expect(try c.reserve(id: 11, hash: "0000000000000def", category: "x").0 == .duplicate)
        #expect(try c.reserve(id: 12, hash: "0000000000000055", category: "x").0 == .new, "forgotten stays forgotten")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.starts(with: Catalog.magic))
        // And the rewritten file opens as current.
        #expect(try Catalog(path: path).migration.isEmpty)
    }

    /// A damaged entry (a flipped bit) ends what is believed: the entries before it are kept,
    /// and the file is rewritten without it.
    @Test func damagedEntryIsCutAndSaid() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/catalog.bin"
        do {
            let c = try Catalog(path: path)
            for id in Int64(1)...3 {
                _ = try c.reserve(id: id, hash: String(format: "%016x", id), category: "c")
                try c.committed(id: id, hash: String(format: "%016x", id), category: "c")
            }
            try c.sync()
        }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let entry = (bytes.count - Catalog.magic.count) / 3
        bytes[Catalog.magic.count + entry + 12] ^= 0x10  // inside the second entry's payload
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let c = try Catalog(path: path)
        #expect(c.migration.contains("byte \(Catalog.magic.count + entry)"), "\(c.migration)")
        #expect(c.count == 1)
    }

    @Test func aDirectoryInPlaceOfTheFileIsAnErrorNamingIt() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/catalog.bin"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            _ = try Catalog(path: path)
            Issue.record("opened a directory")
        } catch {
            #expect(error.path == path)
            #expect(error.description.contains(path))
            #expect(RPCError(wrapping: error).code == .failedPrecondition)
        }
    }

    /// The ingester refuses to start on a catalog it cannot open, rather than serve without it.
    @Test func theIngesterRefusesToStartOnABrokenCatalog() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        try FileManager.default.createDirectory(atPath: tmp.path + "/state/catalog.bin", withIntermediateDirectories: true)
        let config = IngestServiceConfiguration(socketPath: tmp.path + "/i.sock", querySocketPath: tmp.path + "/q.sock", stateDirectory: tmp.path + "/state")
        do {
            _ = try IngestDaemon(configuration: config, logger: Logger(label: "test"))
            Issue.record("started on a directory in place of the catalog")
        } catch {
            #expect("\(error)".contains(tmp.path + "/state/catalog.bin"), "\(error)")
        }
        // The journal it opened first was closed again: a second start finds it free.
        try FileManager.default.removeItem(atPath: tmp.path + "/state/catalog.bin")
        _ = try IngestDaemon(configuration: config, logger: Logger(label: "test"))
    }

    @Test(.enabled(if: canMount, "needs root to mount a tmpfs"))
    func aReadOnlyFileSystemIsAnErrorNamingIt() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let mountPoint = tmp.path + "/ro"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(JournalFullDiskTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", mountPoint]) == 0)
        defer { _ = JournalFullDiskTests.run("/bin/umount", [mountPoint]) }
        do {
            _ = try Catalog(path: mountPoint + "/catalog.bin")
            Issue.record("opened a catalog on a read-only file system")
        } catch {
            #expect(error.description.contains(mountPoint))
            #expect(error.errno == EROFS, "\(error)")
        }
    }

    /// A disk going bad under the running catalog: writes reach the page cache, the fsync fails.
    /// The catalog is broken from then on: `onBroken` runs once (the ingester goes NOT_SERVING),
    /// and nothing more is reserved or written (FAILED_PRECONDITION), even once the disk is back.
    @Test(.enabled(if: FailingDisk.available, "needs root, loop devices and mkfs.ext4"))
    func anFsyncErrorBreaksTheCatalogForGood() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let disk = try FailingDisk(in: tmp.path)
        defer { disk.remove() }
        let brokenCalls = Atomic<Int>(0)
        let c = try Catalog(path: disk.mountPoint + "/catalog.bin", onBroken: { _ in brokenCalls.add(1, ordering: .relaxed) })
        _ = try c.reserve(id: 1, hash: "0000000000000001", category: "c")
        try c.committed(id: 1, hash: "0000000000000001", category: "c")
        try c.sync()
        disk.exhaustBacking()
        for id in Int64(2)...400 {
            _ = try c.reserve(id: id, hash: String(format: "%016x", id), category: String(repeating: "ด", count: 200))
            try c.committed(id: id, hash: String(format: "%016x", id), category: String(repeating: "ด", count: 200))
        }
        do {
            try c.sync()
            Issue.record("fsync succeeded with the disk's backing full")
        } catch {
            #expect(error.operation == "fsync", "\(error)")
            #expect(RPCError(wrapping: error).code == .failedPrecondition)
        }
        #expect(c.failure != nil)
        #expect(brokenCalls.load(ordering: .relaxed) == 1)
        #expect(throws: CatalogError.self) { _ = try c.reserve(id: 999, hash: "00000000000003e7", category: "c") }
        #expect(throws: CatalogError.self) { try c.sync() }
        #expect(brokenCalls.load(ordering: .relaxed) == 1, "reported once")
    }

    /// A full disk: entries stay pending in memory (the journal has their records), `sync`
    /// fails with RESOURCE_EXHAUSTED so no checkpoint passes them, nothing is called broken,
    /// and once space is freed everything reaches the file.
    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aFullDiskHoldsEntriesUntilSpaceReturns() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let mountPoint = tmp.path + "/fs"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(JournalFullDiskTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]) == 0)
        defer { _ = JournalFullDiskTests.run("/bin/umount", [mountPoint]) }
        let path = mountPoint + "/catalog.bin"
        let brokenCalls = Atomic<Int>(0)
        let c = try Catalog(path: path, onBroken: { _ in brokenCalls.add(1, ordering: .relaxed) })
        let filler = mountPoint + "/filler"
        // Fill every block: write until ENOSPC.
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 7, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)

        let ids = Int64(1)...200
        for id in ids {
            let hash = String(format: "%016x", id)
            _ = try c.reserve(id: id, hash: hash, category: "ด้านเศรษฐกิจ")
            try c.committed(id: id, hash: hash, category: "ด้านเศรษฐกิจ")  // tolerated: held pending
        }
        do {
            try c.sync()
            Issue.record("sync succeeded on a full disk")
        } catch {
            #expect(error.isNoSpace)
            #expect(RPCError(wrapping: error).code == .resourceExhausted)
        }
        #expect(c.failure == nil, "a full disk does not break the catalog")
        #expect(brokenCalls.load(ordering: .relaxed) == 0)

        try FileManager.default.removeItem(atPath: filler)
        try c.sync()
        let reopened = try Catalog(path: path)
        #expect(reopened.migration.isEmpty, "no torn entry left: \(reopened.migration)")
        #expect(reopened.count == ids.count)
        #expect(reopened.knownCategory(id: 200) == "ด้านเศรษฐกิจ")
    }
}
