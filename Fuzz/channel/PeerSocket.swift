import KhaosanRPC
import KhaosanUnixTransport
import Synchronization

/// The peer's bytes the server has not read yet, as they would wait in the socket. Taken by the
/// driver's reads and, when a write fails, by `PeerGone` draining the socket on the event loop.
final class PeerSocket: Sendable {
    private let state: Mutex<(bytes: [UInt8], at: Int)>
    private let maxPayload: Int

    init(_ bytes: [UInt8], maxPayload: Int) {
        state = Mutex((bytes, 0))
        self.maxPayload = maxPayload
    }

    var isEmpty: Bool { state.withLock { $0.at >= $0.bytes.count } }

    /// Up to `n` bytes.
    func take(_ n: Int) -> [UInt8] {
        state.withLock { s in
            let end = s.at + min(s.bytes.count - s.at, max(n, 0))
            defer { s.at = end }
            return Array(s.bytes[s.at..<end])
        }
    }

    /// The next frame as its header tells (from wherever the reads have got to, which may be
    /// inside a frame); what is left when no whole frame is.
    func takeFrame() -> [UInt8] {
        state.withLock { s in
            let rest = s.bytes[s.at...]
            let n = rest.withUnsafeBytes { raw in
                ((try? FrameScanner.scan(raw, maxPayload: maxPayload)) ?? nil)?.consumed ?? raw.count
            }
            defer { s.at += n }
            return Array(rest.prefix(n))
        }
    }

    /// What the peer's frames name, in the frames a server reads before the first one it cannot:
    /// their stream ids (an oversize frame's header still names its call: the server answers no
    /// other) and the calls their HEADERS open (the server starts no other).
    static func named(in bytes: [UInt8], maxPayload: Int) -> (streams: Set<UInt32>, calls: Set<Census.CallKey>) {
        var ids: Set<UInt32> = []
        var calls: Set<Census.CallKey> = []
        bytes.withUnsafeBytes { all in
            var rest = all[...]
            while true {
                do {
                    let bytes = UnsafeRawBufferPointer(rebasing: rest)
                    guard let header = try FrameScanner.scan(bytes, maxPayload: maxPayload) else { return }
                    ids.insert(header.stream)
                    if header.kind == Frame.Kind.headers.rawValue,
                       let h = try? CallHeaders.decode(bytes: UnsafeRawBufferPointer(rebasing: bytes[header.payload])) {
                        calls.insert(Census.CallKey(path: h.path, metadata: h.metadata))
                    }
                    rest = rest.dropFirst(header.consumed)
                } catch let error as FrameError {
                    if case .tooLarge(_, _, let stream?) = error.reason { ids.insert(stream) }
                    return
                } catch {
                    return
                }
            }
        }
        return (ids, calls)
    }
}
