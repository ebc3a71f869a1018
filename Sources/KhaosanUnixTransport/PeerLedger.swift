import Synchronization

/// Calls open per uid across all of a server's connections (issue 13, item 5: 128 connections
/// each holding one Health/Watch call refused every other client, the forwarder included). A
/// uid over its cap gets RESOURCE_EXHAUSTED at once for a new call; other uids are not affected.
package final class PeerLedger: Sendable {
    package let maxCallsPerUID: Int
    private let calls = Mutex<[UInt32: Int]>([:])

    package init(maxCallsPerUID: Int) { self.maxCallsPerUID = maxCallsPerUID }

    /// Counts a new call of `uid`; false (nothing counted) when it is at its cap.
    func startCall(uid: UInt32) -> Bool {
        calls.withLock { c in
            let n = c[uid, default: 0]
            guard n < maxCallsPerUID else { return false }
            c[uid] = n + 1
            return true
        }
    }

    func endCall(uid: UInt32) {
        calls.withLock { c in
            let n = c[uid, default: 0] - 1
            c[uid] = n > 0 ? n : nil
        }
    }

    package func openCalls(uid: UInt32) -> Int { calls.withLock { $0[uid, default: 0] } }
}
