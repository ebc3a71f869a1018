import Foundation
import KhaosanRPC
#if canImport(Glibc)
import Glibc
#endif

/// Where a Backup may write (issue 13, item 8: it wrote through a dangling symlink, and took
/// `..` as given). The path must be absolute; its directory is resolved to a real, existing
/// directory (`..` and symlinks in it resolved), and nothing at all may be at the final name,
/// not even a symlink to nowhere, so the backup is a new file where the caller said.
package enum BackupTarget {
    package static func resolve(_ requested: String) throws -> String {
        guard requested.hasPrefix("/") else {
            throw RPCError(code: .invalidArgument, message: "path: must be absolute: \(requested)")
        }
        let normalized = (requested as NSString).standardizingPath
        let name = (normalized as NSString).lastPathComponent
        guard !name.isEmpty, name != "/", name != "..", name != "." else {
            throw RPCError(code: .invalidArgument, message: "path: names no file: \(requested)")
        }
        let parent = (normalized as NSString).deletingLastPathComponent
        guard let real = realpath(parent, nil) else {
            throw RPCError(code: .invalidArgument, message: "path: directory \(parent) does not exist: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: real)
        free(real)
        let target = (directory == "/" ? "" : directory) + "/" + name
        var st = stat()
        if lstat(target, &st) == 0 {
            let what = (st.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "something"
            throw RPCError(code: .alreadyExists, message: "path: \(target) is already \(what); a backup is only written to a new file")
        }
        return target
    }
}
