#if canImport(Glibc)
import Glibc
#endif

/// What can go wrong with the index's files. Each names the file; `corrupt` means the file must be
/// rebuilt from the store (SQLite is the source of truth), never trusted.
package enum IndexError: Error, Sendable, Hashable, CustomStringConvertible {
    case io(String, String, Int32)
    case corrupt(String, String)
    case cancelled

    package var description: String {
        switch self {
        case .io(let path, let op, let e): "\(path): \(op) failed: \(String(cString: strerror(e))) (errno \(e))"
        case .corrupt(let path, let why): "\(path): index file is damaged: \(why)"
        case .cancelled: "search cancelled (deadline or client gone)"
        }
    }
}
