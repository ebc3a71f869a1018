#if canImport(Glibc)
import Glibc
#endif
import KhaosanRPC

/// File-system side of a listening Unix socket: the directory, stale files, permissions.
enum UnixSocketFile {
    enum Probe { case absent, stale, live, notASocket }

    /// Connects to an existing path to tell a crashed server's leftover file (refused) from a
    /// running one (answered). Only a stale file may be removed.
    static func probe(_ path: String) -> Probe {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .absent }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else { return .notASocket }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .live }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if rc == 0 { return .live }
        return errno == ECONNREFUSED || errno == ENOENT ? .stale : .live
    }

    /// Creates the socket's directory with mode 0750 when missing (group members may traverse it,
    /// nobody else may).
    static func prepareDirectory(for path: String) throws(RPCError) {
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        guard !dir.isEmpty else { return }
        var st = stat()
        if stat(dir, &st) == 0 { return }
        var partial = dir.hasPrefix("/") ? "" : "."
        for component in dir.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o750) == 0 {
                // mkdir's mode is filtered by the umask, which another thread may have narrowed.
                chmod(partial, 0o750)
            } else if errno != EEXIST {
                throw RPCError(code: .unavailable, message: "cannot create socket directory \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }

    static let maxPathBytes = MemoryLayout<sockaddr_un>.size - MemoryLayout<sa_family_t>.size - 1
}
