import Foundation
import KhaosanTestSupport
import Testing

@testable import KhaosanIndex

/// A service over its resident budget drops the mapped chunks searched least recently, not every
/// page: checked against the kernel's own record of which pages of the mapping are present
/// (/proc/self/pagemap), not against the storage's bookkeeping.
struct SegmentStorageResidencyTests {
    static let chunks = 8

    /// A mapped file of `chunks` chunks with every page read (present in this process).
    static func mappedFile(_ dir: URL) throws -> SegmentStorage {
        let path = dir.appendingPathComponent("segment.bin").path
        var bytes = [UInt8](repeating: 0, count: chunks * SegmentStorage.chunkSize)
        for p in stride(from: 0, to: bytes.count, by: 4096) { bytes[p] = UInt8(truncatingIfNeeded: p >> 12) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let storage = try SegmentStorage(mapping: path)
        // Reading a byte of every page makes it present; each holds its page's number.
        let wrong = stride(from: 0, to: storage.count, by: Int(getpagesize())).filter { storage.base[$0] != UInt8(truncatingIfNeeded: $0 >> 12) }
        #expect(wrong.isEmpty)
        return storage
    }

    /// Per chunk, how many of its pages are present in this process's page tables.
    static func presentPages(_ storage: SegmentStorage) throws -> [Int] {
        let page = Int(getpagesize())
        let fd = open("/proc/self/pagemap", O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoPermission) }
        defer { close(fd) }
        let first = Int(bitPattern: storage.base.baseAddress!) / page
        let pages = storage.count / page
        var entries = [UInt64](repeating: 0, count: pages)
        let n = entries.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(first * 8)) }
        guard n == pages * 8 else { throw CocoaError(.fileReadUnknown) }
        let perChunk = SegmentStorage.chunkSize / page
        return (0..<chunks).map { c in (0..<perChunk).filter { entries[c * perChunk + $0] >> 63 == 1 }.count }
    }

    static func residentBytes(_ storage: SegmentStorage) -> Int? {
        (try? presentPages(storage)).map { $0.reduce(0, +) * Int(getpagesize()) }
    }

    @Test func theChunksSearchedLeastRecentlyGoFirst() throws {
        let dir = try Fixtures.temporaryDirectory("residency")
        defer { try? FileManager.default.removeItem(at: dir) }
        let storage = try Self.mappedFile(dir)
        let perChunk = SegmentStorage.chunkSize / Int(getpagesize())
        #expect(try Self.presentPages(storage) == Array(repeating: perChunk, count: Self.chunks))
        // Three searches: the first reads chunks 0-3, the second 4-7, the third chunk 1 again.
        SegmentStorage.tick()
        storage.touch(0, 4 * SegmentStorage.chunkSize)
        SegmentStorage.tick()
        storage.touch(4 * SegmentStorage.chunkSize, 4 * SegmentStorage.chunkSize)
        SegmentStorage.tick()
        storage.touch(SegmentStorage.chunkSize + 100, 10)
        let dropped = SegmentStorage.releaseLeastRecentlyUsed([storage], downTo: 5 * SegmentStorage.chunkSize, batch: 1) {
            Self.residentBytes(storage)
        }
        #expect(dropped == 3)
        let present = try Self.presentPages(storage)
        #expect(present == [0, perChunk, 0, 0, perChunk, perChunk, perChunk, perChunk])
        // Reading a dropped chunk again finds the same bytes (the page cache kept them).
        #expect(storage.base[2 * SegmentStorage.chunkSize + 7] == (try Data(contentsOf: dir.appendingPathComponent("segment.bin")))[2 * SegmentStorage.chunkSize + 7])
    }

    @Test func chunksNoSearchMarkedGoBeforeAnyMarkedOne() throws {
        let dir = try Fixtures.temporaryDirectory("residency")
        defer { try? FileManager.default.removeItem(at: dir) }
        let storage = try Self.mappedFile(dir)
        SegmentStorage.tick()
        storage.touch(5 * SegmentStorage.chunkSize, 1)
        SegmentStorage.tick()
        storage.touch(2 * SegmentStorage.chunkSize, 1)
        let perChunk = SegmentStorage.chunkSize / Int(getpagesize())
        SegmentStorage.releaseLeastRecentlyUsed([storage], downTo: 2 * SegmentStorage.chunkSize, batch: 2) {
            Self.residentBytes(storage)
        }
        #expect(try Self.presentPages(storage) == [0, 0, perChunk, 0, 0, perChunk, 0, 0])
        // Under the target already: nothing more is dropped.
        #expect(SegmentStorage.releaseLeastRecentlyUsed([storage], downTo: 2 * SegmentStorage.chunkSize) {
            Self.residentBytes(storage)
        } == 0)
    }
}
