#if canImport(Glibc)
import Glibc
#endif

/// Gives freed heap back to the system. glibc keeps what a stream of large releases freed in the
/// process (issue 13, item 7: most of 1.2 GB stayed resident after the stream closed); Swift's
/// Glibc module does not declare `malloc_trim` (it is in <malloc.h>), so it is looked up by name.
enum HeapTrim {
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    static func returnFreedMemory() { _ = mallocTrim?(0) }
}
