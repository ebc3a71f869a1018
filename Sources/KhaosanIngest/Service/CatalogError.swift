#if canImport(Glibc)
import Glibc
#endif

/// The intake catalog cannot be read or written: what was done to which file, and why.
struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    var path: String
    var operation: String
    /// The errno, when the system gave one.
    var errno: Int32?
    var message: String

    init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
        self.message = String(cString: strerror(errno))
    }

    init(path: String, operation: String, message: String) {
        self.path = path
        self.operation = operation
        self.errno = nil
        self.message = message
    }

    /// Disk full or over quota: the one cause an operator fixes by freeing space.
    var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    var description: String { "intake catalog \(path): \(operation) failed: \(message)" }
}
