import Foundation
import KhaosanRPC
@testable import KhaosanUnixTransport
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// When a write fails because the peer has gone, NIO reads the socket dry inside that flush
/// before it closes the channel (BaseSocketChannel.flushNow), so a read arrives inside the
/// connection handler's `channelRead` while the rest of the current read has not been taken.
/// The frame reader took those bytes as if they came first: a frame's payload was read as
/// frames, and a call the peer never opened was started (found by the channel fuzzer,
/// Fuzz/channel, seed `read-inside-failed-write`).
@Suite("RPC: a read inside a failed write")
struct DrainedReadTests {
    /// Delivers the peer's unread bytes inside the first flush, as NIO does when the write
    /// fails, then (like NIO) closes the channel, or leaves it open to show the order kept.
    final class ReadInsideFlush: ChannelDuplexHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        typealias OutboundIn = ByteBuffer
        var unread: [UInt8]?
        let close: Bool
        init(unread: [UInt8], close: Bool) {
            self.unread = unread
            self.close = close
        }

        func flush(context: ChannelHandlerContext) {
            context.flush()
            guard let bytes = unread else { return }
            unread = nil
            context.fireChannelRead(wrapInboundOut(ByteBuffer(bytes: bytes)))
            context.fireChannelReadComplete()
            if close { context.close(promise: nil) }
        }
    }

    /// The first read ends with a MESSAGE frame's header: its payload, still in the socket, is
    /// a whole call's frames. Only a call the peer really opened after it may start.
    @Test(arguments: [true, false])
    func aPayloadReadInsideAFailedWriteIsNotTakenAsFrames(closes: Bool) throws {
        let probe = Probe()
        var router = RPCRouter()
        router.unary(Test.echo) { (req: Blob, _) in
            probe.record("echo:\(req.text)")
            return req
        }
        let channel = EmbeddedChannel()
        let config = RPCServerConfiguration(socketPath: "/nonexistent/s.sock")
        let peer = PeerCredentials(pid: 1, uid: getuid(), gid: getgid())
        let connection = ServerConnection(channel: channel, peer: peer, router: router, configuration: config, logger: Logger(label: "test.drained"))
        func call(_ stream: UInt32, _ text: String) -> [UInt8] {
            headersBytes(stream: stream, path: Test.echo.path) + frameBytes(kind: 2, stream: stream, payload: Array(text.utf8))
                + frameBytes(kind: 3, stream: stream, payload: [])
        }
        let payload = call(3, "smuggled")
        let message = frameBytes(kind: 2, stream: 7, payload: payload)
        // HEADERS that do not decode are answered at once (INVALID_ARGUMENT): that answer's
        // flush is the one that reads the socket.
        let firstRead = frameBytes(kind: 1, stream: 1, payload: []) + message.prefix(Frame.headerSize)
        let unread = Array(message.dropFirst(Frame.headerSize)) + call(5, "real")
        try channel.pipeline.syncOperations.addHandler(ReadInsideFlush(unread: unread, close: closes))
        try connection.installHandlers()
        try channel.writeInbound(ByteBuffer(bytes: firstRead))
        channel.embeddedEventLoop.run()
        channel.embeddedEventLoop.run()
        // Closed: nothing read after the failed write is looked at. Open: the frames after the
        // MESSAGE are, in their place.
        #expect(probe.events == (closes ? [] : ["echo:real"]))
        var written: [UInt8] = []
        while let part = try channel.readOutbound(as: ByteBuffer.self) { written += part.readableBytesView }
        #expect(decodeFrames(written).allSatisfy { $0.stream == 1 || $0.stream == 5 })
        _ = try? channel.finish()
    }
}
