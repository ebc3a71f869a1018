#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The bytes of one segment, owned once: a heap buffer (recent batches of an index without a
/// directory, or whose spill file could not be written) or a read-only shared mapping of a
/// segment file or a memory segment's spill file. A mapping's pages belong to the page cache: the kernel can drop them
/// under pressure, and `release()` drops them from this process's resident set (the index does so
/// once a file is opened or written, the query service once writes stop), so resident memory
/// stays bounded however large the archive.
///
/// While searching, the service keeps the resident set within a budget by dropping the chunks
/// searched least recently (`releaseLeastRecentlyUsed`): a mapping records, per `chunkSize`
/// bytes, the search (`tick()`) that last read there. Dropping every page at once when over
/// the budget, as before, made every search after it fault in again the postings, hot-tier
/// sets and dictionary pages that nearly every query reads (BENCHMARKS.md "Session 17").
package final class SegmentStorage: @unchecked Sendable {
    // @unchecked: the bytes are never written after init; `base` and `lastUse` are freed only in
    // deinit, and `lastUse`'s elements are atomics.
    let base: UnsafeRawBufferPointer
    private let mapped: Bool
    /// Per chunk of a mapping, the tick of the last search that read it (0: none since mapped).
    private let lastUse: UnsafeMutablePointer<Atomic<UInt32>>?
    private let chunks: Int

    /// Recency is kept per 2 MiB, the size of a huge page: the kernel maps a file's large page-cache
    /// folios (ext4 has them since Linux 6.16) a whole 2 MiB at a time where the mapping is so
    /// aligned (a mapping's start is), and dropping any part of such a mapping drops all 2 MiB of
    /// it, so a smaller chunk would take its neighbours' pages with it.
    package static let chunkShift = 21
    package static var chunkSize: Int { 1 << chunkShift }

    /// Searches so far, process-wide: what `touch` records.
    private static let clock = Atomic<UInt32>(1)

    /// Starts a new search's tick: chunks read from now on count as more recent than any before.
    package static func tick() { clock.wrappingAdd(1, ordering: .relaxed) }

    init(bytes: [UInt8]) {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { src in if src.count > 0 { p.copyMemory(from: src) } }
        base = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[0..<bytes.count])
        mapped = false
        lastUse = nil
        chunks = 0
    }

    /// Maps `path` read-only. Throws naming the file when it cannot be opened or mapped.
    init(mapping path: String) throws(IndexError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexError.io(path, "open", errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IndexError.io(path, "fstat", errno) }
        let size = Int(st.st_size)
        guard size > 0 else { throw IndexError.corrupt(path, "empty file") }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw IndexError.io(path, "mmap", errno)
        }
        base = UnsafeRawBufferPointer(start: p, count: size)
        mapped = true
        chunks = (size + Self.chunkSize - 1) >> Self.chunkShift
        let uses = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: chunks)
        for c in 0..<chunks { (uses + c).initialize(to: Atomic(0)) }
        lastUse = uses
    }

    var count: Int { base.count }

    /// Records that the current search reads `count` bytes at `offset` (a mapping only). Called
    /// where a search resolves a range (a term's postings and positions, a hot-tier entry, a
    /// document's word bits), not per byte read: a superset of what was read is what matters.
    @inline(__always) func touch(_ offset: Int, _ count: Int) {
        guard let lastUse else { return }
        let now = Self.clock.load(ordering: .relaxed)
        var c = offset >> Self.chunkShift
        let last = min((offset + max(count, 1) - 1) >> Self.chunkShift, chunks - 1)
        while c <= last {
            // A load first: most chunks a search reads were already marked by it, and a store to
            // a line other threads read costs more than a load.
            if lastUse[c].load(ordering: .relaxed) != now { lastUse[c].store(now, ordering: .relaxed) }
            c += 1
        }
    }

    /// Drops the mapping's pages from the resident set (they stay in the page cache).
    package func release() { release(0, base.count) }

    /// Drops one chunk's pages from the resident set.
    private func release(chunk c: Int) {
        let from = c << Self.chunkShift
        release(from, min(Self.chunkSize, base.count - from))
    }

    private func release(_ from: Int, _ count: Int) {
        guard mapped, let p = base.baseAddress else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: p + from), count, MADV_DONTNEED)
    }

    /// Drops chunks of `storages`' mappings from the resident set, least recently searched first
    /// (never-read chunks before any), a batch at a time, until `resident()` is at most `target`
    /// or none is left. Returns the number of chunks dropped. Residency is asked of the process
    /// (`resident`), not guessed per chunk: a chunk marked read may hold few resident pages, and
    /// the page cache (what `mincore` reports) is not this process's resident set.
    @discardableResult
    package static func releaseLeastRecentlyUsed(_ storages: [SegmentStorage], downTo target: Int, batch: Int = 4,
                                                 resident: () -> Int?) -> Int {
        var order: [(tick: UInt32, storage: Int, chunk: Int)] = []
        for (s, storage) in storages.enumerated() {
            guard let uses = storage.lastUse else { continue }
            for c in 0..<storage.chunks { order.append((uses[c].load(ordering: .relaxed), s, c)) }
        }
        order.sort { ($0.tick, $0.storage, $0.chunk) < ($1.tick, $1.storage, $1.chunk) }
        // `batch` chunks (4: 8 MiB) between looks at the resident set: a look is a read of
        // /proc/self/statm, a drop one madvise per chunk.
        var k = 0
        while k < order.count {
            if let r = resident(), r <= target { break }
            let end = min(k + batch, order.count)
            for j in k..<end { storages[order[j].storage].release(chunk: order[j].chunk) }
            k = end
        }
        return k
    }

    deinit {
        if let lastUse {
            lastUse.deinitialize(count: chunks)
            lastUse.deallocate()
        }
        guard let p = base.baseAddress else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: p), base.count)
        } else {
            UnsafeMutableRawPointer(mutating: p).deallocate()
        }
    }
}
