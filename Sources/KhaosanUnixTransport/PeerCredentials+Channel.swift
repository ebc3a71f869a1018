#if canImport(Glibc)
import Glibc
#endif
import KhaosanRPC
import NIOCore

extension PeerCredentials {
    /// Swift's Glibc module does not expose `struct ucred`; this has its layout (pid_t, uid_t, gid_t).
    private struct UCred {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(RPCError(code: .internal, message: "channel does not expose socket options"))
        }
        return provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET),
            name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
        ).map { (cred: UCred) in PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid) }
    }
}
