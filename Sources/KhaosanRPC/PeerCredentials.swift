#if canImport(Glibc)
import Glibc
#endif

/// The process on the other end of a Unix socket, as the kernel reports it (SO_PEERCRED).
/// How a transport learns it is its own business (the Unix transport asks the kernel); handlers
/// and `PeerPolicy` only read it.
package struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    package var pid: Int32
    package var uid: UInt32
    package var gid: UInt32

    package init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    package var description: String { "pid=\(pid) uid=\(uid) gid=\(gid)" }

    package static var currentUID: UInt32 { getuid() }

    /// This process, as the kernel reports a local client (the in-process transport's peer).
    package static var currentProcess: PeerCredentials { PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid()) }
}

/// Which peers may call a service. Checked per call against the service named in the method path.
package struct PeerPolicy: Sendable, Hashable {
    /// uids allowed for every service without an entry of its own.
    package var defaultUIDs: Set<UInt32>
    package var perService: [String: Set<UInt32>]
    /// Root and the server's own uid may call anything (they can open the socket file anyway).
    /// Tests turn this off to see a refusal without switching users.
    package var alwaysAllowOwner: Bool

    package init(defaultUIDs: Set<UInt32> = [], perService: [String: Set<UInt32>] = [:], alwaysAllowOwner: Bool = true) {
        self.defaultUIDs = defaultUIDs
        self.perService = perService
        self.alwaysAllowOwner = alwaysAllowOwner
    }

    private func isOwner(_ uid: UInt32) -> Bool {
        alwaysAllowOwner && (uid == 0 || uid == PeerCredentials.currentUID)
    }

    package func allows(uid: UInt32, service: String) -> Bool {
        if isOwner(uid) { return true }
        return (perService[service] ?? defaultUIDs).contains(uid)
    }

    /// A connection is worth keeping when the peer may call at least one service.
    package func allowsAnything(uid: UInt32) -> Bool {
        if isOwner(uid) || defaultUIDs.contains(uid) { return true }
        return perService.values.contains { $0.contains(uid) }
    }
}
