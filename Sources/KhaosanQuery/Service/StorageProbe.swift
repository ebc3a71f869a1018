import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the permission check of `ReleaseStore.checkWritable` cannot see when the service runs
/// as root (issue 13, item 8): root passes `access(W_OK)` on a file nobody may write, so a
/// database an operator made read-only (chmod a-w) was written anyway. Also a read-only mount.
enum StorageProbe {
    /// Why the database should be treated as read-only, or nil.
    static func readOnlyReason(databasePath: String) -> String? {
        var vfs = statvfs()
        let dir = (databasePath as NSString).deletingLastPathComponent
        if statvfs(dir.isEmpty ? "." : dir, &vfs) == 0, vfs.f_flag & UInt(ST_RDONLY) != 0 {
            return "the file system holding \(databasePath) is mounted read-only"
        }
        var st = stat()
        if stat(databasePath, &st) == 0, st.st_mode & 0o222 == 0 {
            return "\(databasePath) has no write permission for anyone (mode \(String(st.st_mode & 0o7777, radix: 8)))"
        }
        return nil
    }
}
