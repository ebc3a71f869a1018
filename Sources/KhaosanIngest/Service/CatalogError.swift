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

    /// A write refused for a full disk or quota: the one cause that passes once space is freed.
    /// A failed fsync never passes, whatever its errno (the kernel may have dropped the pages).
    var isNoSpace: Bool { operation == "write" && (errno == ENOSPC || errno == EDQUOT) }

    var description: String { "intake catalog \(path): \(operation) failed: \(message)" }
}
