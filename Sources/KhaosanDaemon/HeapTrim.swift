#if canImport(Glibc)
import Glibc
#endif

/// Gives freed heap back to the system, for both daemons: glibc keeps what a burst freed in the
/// process (an ingest stream of large releases: most of 1.2 GB stayed resident after it closed,
/// issue 13 item 7; a bulk apply, an index flush or rebuild in khaosan-queryd). Swift's Glibc
/// module does not declare `malloc_trim` (it is in <malloc.h>), so it is looked up by name.
package enum HeapTrim {
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    package static func returnFreedMemory() { _ = mallocTrim?(0) }

    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Allocations of at least this size get their own mapping, returned to the system when freed.
    static let mmapThreshold: Int32 = 1 << 20

    /// Serves every allocation of 1 MiB or more from its own mapping. glibc starts at 128 KiB but
    /// raises the threshold to each mapped block freed (up to 32 MiB), after which an index
    /// flush's large arrays come from the heap and stay resident when freed, between trims:
    /// khaosan-queryd peaked at 517-647 MB over a whole-corpus load, 371 MB with this at the
    /// same CPU time (BENCHMARKS.md "Session 14"). Setting the threshold fixes it (no more
    /// raising). An operator's `MALLOC_MMAP_THRESHOLD_` is left to win.
    package static func mapLargeAllocations() {
        #if canImport(Glibc)
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil else { return }
        #endif
        _ = mallopt?(-3 /* M_MMAP_THRESHOLD */, mmapThreshold)
    }
}
