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
}
