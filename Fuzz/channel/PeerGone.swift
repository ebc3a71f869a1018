#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded

/// What NIO's socket channel does when the peer has gone (BaseSocketChannel.flushNow): the
/// flush whose `writev` fails with EPIPE first drains what the peer sent and the server has not
/// read yet (reads fired inside the flush, so inside whoever flushed: a handler answering from
/// `channelRead`, or a call's task writing a response), then closes the channel, still inside
/// that flush. First in the pipeline, in front of the server's handlers; on the event loop only.
final class PeerGone: ChannelDuplexHandler, @unchecked Sendable {
    // Unchecked: touched on the channel's event loop only (the driver sets `mode` there).
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Mode: Equatable {
        case healthy
        /// `n` more buffers are written; the one after that, and the flush, fail.
        case failAfter(Int)
        /// Every flush fails.
        case gone
    }

    var mode: Mode = .healthy
    private let socket: PeerSocket
    private var doomed: [EventLoopPromise<Void>?] = []
    /// Whether `channelInactive` has gone past: a real channel reads nothing after it.
    private(set) var sawInactive = false
    private(set) var failedFlushes = 0
    /// Inside a failing flush: what is written meanwhile (an answer to a drained read) stays
    /// pending and fails with the close, and a nested flush does nothing (NIO's `inFlushNow`).
    private var failing = false

    init(socket: PeerSocket) { self.socket = socket }

    func channelInactive(context: ChannelHandlerContext) {
        sawInactive = true
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch mode {
        case _ where failing:
            doomed.append(promise)
        case .failAfter(let n) where n > 0:
            mode = .failAfter(n - 1)
            context.write(data, promise: promise)
        case .healthy where doomed.isEmpty:
            context.write(data, promise: promise)
        default:
            doomed.append(promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard !failing else { return }
        // What was written before the failing buffer went out.
        context.flush()
        guard !doomed.isEmpty else { return }
        guard context.channel.isActive else {
            let promises = doomed
            doomed = []
            for p in promises { p?.fail(ChannelError.ioOnClosedChannel) }
            return
        }
        failedFlushes += 1
        failing = true
        if case .failAfter = mode { mode = .healthy }
        // NIO reads the socket dry before it closes, in reads of up to 2 KiB here (its
        // adaptive allocator's first size) while the channel wants reads.
        var read = false
        while !sawInactive, context.channel.isActive, Self.autoRead(context.channel), !socket.isEmpty {
            context.fireChannelRead(wrapInboundOut(ByteBuffer(bytes: socket.take(2048))))
            read = true
        }
        if read, !sawInactive, context.channel.isActive { context.fireChannelReadComplete() }
        let error = IOError(errnoCode: EPIPE, reason: "writev(descriptor:iovecs:)")
        let promises = doomed
        doomed = []
        for p in promises { p?.fail(error) }
        failing = false
        context.close(promise: nil)
    }

    /// The last autoRead the server set (the testing channel only records it): false while the
    /// connection's `InboundBudget` has paused reading.
    static func autoRead(_ channel: any Channel) -> Bool {
        guard let options = (channel as? NIOAsyncTestingChannel)?.options else { return true }
        return options.last { $0.option is ChannelOptions.Types.AutoReadOption }.flatMap { $0.value as? Bool } ?? true
    }
}
