import Foundation
import KhaosanRPC
@testable import KhaosanUnixTransport
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// Issue 13, item 1: one HEADERS frame whose answer is written at once, then a hang-up, killed
/// either daemon ("Simultaneous accesses", SIGABRT). The answer's write fails with EPIPE, NIO
/// closes the channel inside the handler's `channelRead`, and `channelInactive` ran into the
/// frame reader while `channelRead` was still mutating it.
@Suite("RPC: a close inside a read")
struct ReentrantCloseTests {
    /// What NIO's socket channel does when a flush fails with EPIPE (the peer has hung up): it
    /// closes the channel there and then, inside whoever flushed, which fires `channelInactive`
    /// before the flush returns. (The bytes are let through first, so the test can see them.)
    final class CloseOnFlush: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        func flush(context: ChannelHandlerContext) {
            context.flush()
            context.close(promise: nil)
        }
    }

    enum Answer: String, CaseIterable, Sendable {
        case unknownMethod, refusedCall, badHeaders
    }

    /// The real connection handler on an embedded channel: the answer is written from inside
    /// `channelRead`, and the channel closes inside that write.
    @Test(arguments: Answer.allCases)
    func anAnswerWhoseWriteClosesTheChannel(answer: Answer) throws {
        let channel = EmbeddedChannel()
        var config = RPCServerConfiguration(socketPath: "/nonexistent/s.sock")
        var router = RPCRouter()
        router.unary(Test.echo) { (req: Blob, _) in req }
        if answer == .refusedCall { config.peerPolicy = PeerPolicy(alwaysAllowOwner: false) }
        let peer = PeerCredentials(pid: 1, uid: getuid(), gid: getgid())
        let connection = ServerConnection(channel: channel, peer: peer, router: router, configuration: config, logger: Logger(label: "test.reentrant"))
        try channel.pipeline.syncOperations.addHandler(CloseOnFlush())
        try channel.pipeline.syncOperations.addHandler(ServerFrameHandler(connection: connection, maxPayload: Frame.defaultMaxPayload))
        var bytes: [UInt8]
        switch answer {
        case .unknownMethod: bytes = headersBytes(stream: 1, path: "/x/y")
        case .refusedCall: bytes = headersBytes(stream: 1, path: Test.echo.path)
        case .badHeaders: bytes = frameBytes(kind: 1, stream: 1, payload: [0xFF, 0xFF])
        }
        // A second call and the start of a third frame in the same read: neither may be looked
        // at once the channel has closed, and the torn tail must still be reported safely.
        bytes += headersBytes(stream: 3, path: "/x/z")
        bytes += Array(headersBytes(stream: 5, path: "/x/w").prefix(7))
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        #expect(!channel.isActive)
        var written: [UInt8] = []
        while let part = try channel.readOutbound(as: ByteBuffer.self) { written += part.readableBytesView }
        let frames = decodeFrames(written)
        #expect(frames.count == 1 && frames.first?.kind == .trailers && frames.first?.stream == 1)
        _ = try? channel.finish()
    }

    /// The probe from the issue against a real server on a real socket: HEADERS for an unknown
    /// method and a hang-up at once, many times; the server must still answer afterwards.
    @Test func headersThenHangUpOnARealSocket() async throws {
        try await withServer { _, path in
            for round in 0..<50 {
                let raw = try RawSocket(path: path)
                raw.send(headersBytes(stream: 1, path: round.isMultiple(of: 2) ? "/x/y" : "/khaosan.v1.Nope/Nope"))
                raw.send(Array(headersBytes(stream: 3, path: "/x/y").prefix(5)))
            }
            let client = makeClient(path)
            let ok: Blob = try await client.unary(Test.echo, Blob("still here"))
            #expect(ok.text == "still here")
            await client.close()
        }
    }
}
