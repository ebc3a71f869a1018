#if canImport(Glibc)
import Glibc
#endif

/// The bytes of one segment, owned once: a heap buffer (recent batches of an index without a
/// directory, or whose spill file could not be written) or a read-only shared mapping of a
/// segment file or a memory segment's spill file. A mapping's pages belong to the page cache: the kernel can drop them
/// under pressure, and `release()` drops them from this process's resident set (the query service
/// does so when it goes idle, and while searching whenever it is over its resident budget), so
/// resident memory stays bounded however large the archive.
package final class SegmentStorage: @unchecked Sendable {
    // @unchecked: the bytes are never written after init; `base` is freed only in deinit.
    let base: UnsafeRawBufferPointer
    private let mapped: Bool

    init(bytes: [UInt8]) {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { src in if src.count > 0 { p.copyMemory(from: src) } }
        base = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[0..<bytes.count])
        mapped = false
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
    }

    var count: Int { base.count }

    /// Drops the mapping's pages from the resident set (they stay in the page cache).
    package func release() {
        guard mapped, let p = base.baseAddress else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: p), base.count, MADV_DONTNEED)
    }

    deinit {
        guard let p = base.baseAddress else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: p), base.count)
        } else {
            UnsafeMutableRawPointer(mutating: p).deallocate()
        }
    }
}
