package import KhaosanRPC
package import NIOCore

/// One unit on the wire. Layout (all integers big-endian):
///
///     u32 length   bytes that follow this field: 6 + payload
///     u8  kind
///     u8  flags    reserved, 0
///     u32 stream   call id, chosen by the client (odd, increasing); 0 for connection-level frames
///     ...payload
///
/// The length is checked against the configured maximum before any payload byte is buffered, so a
/// peer cannot make us allocate by announcing a huge frame.
package struct Frame: Sendable, Hashable {
    package struct Kind: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        package var rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Client -> server: opens a call (method path, deadline, metadata).
        package static let headers = Kind(rawValue: 1)
        /// Either way: one serialized message.
        package static let message = Kind(rawValue: 2)
        /// Client -> server: no more request messages.
        package static let halfClose = Kind(rawValue: 3)
        /// Server -> client: the call's status and trailing metadata; ends the call.
        package static let trailers = Kind(rawValue: 4)
        /// Client -> server: abandon the call.
        package static let cancel = Kind(rawValue: 5)
        /// Either way: the receiver can take `n` more messages on this stream (flow control).
        package static let window = Kind(rawValue: 6)
        /// Server -> client: the server is draining; open no new calls on this connection.
        package static let goAway = Kind(rawValue: 7)

        package var description: String {
            switch self {
            case .headers: "HEADERS"
            case .message: "MESSAGE"
            case .halfClose: "HALF_CLOSE"
            case .trailers: "TRAILERS"
            case .cancel: "CANCEL"
            case .window: "WINDOW"
            case .goAway: "GOAWAY"
            default: "KIND_\(rawValue)"
            }
        }
    }

    package var kind: Kind
    package var flags: UInt8
    package var stream: UInt32
    package var payload: ByteBuffer

    package init(kind: Kind, stream: UInt32, payload: ByteBuffer = ByteBuffer(), flags: UInt8 = 0) {
        self.kind = kind
        self.flags = flags
        self.stream = stream
        self.payload = payload
    }

    package static let headerSize = 10
    /// Default maximum message size, as gRPC's default maximum receive size.
    package static let defaultMaxPayload = FrameScanner.defaultMaxPayload
}

/// Takes the first whole frame off a byte buffer, refusing an oversize one before buffering it;
/// `FrameReader` feeds it a connection's reads.
package struct FrameDecoder {
    package let maxPayload: Int

    package init(maxPayload: Int = Frame.defaultMaxPayload) {
        self.maxPayload = maxPayload
    }

    package func decode(buffer: inout ByteBuffer) throws -> Frame? {
        let maxPayload = self.maxPayload
        let scanned = try buffer.withUnsafeReadableBytes { raw throws(FrameError) in try FrameScanner.scan(raw, maxPayload: maxPayload) }
        guard let header = scanned else { return nil }
        let payload = buffer.getSlice(at: buffer.readerIndex + header.payload.lowerBound, length: header.payload.count)!
        buffer.moveReaderIndex(forwardBy: header.consumed)
        return Frame(kind: Frame.Kind(rawValue: header.kind), stream: header.stream, payload: payload, flags: header.flags)
    }
}

/// A whole frame in one buffer: how `Channel.write(frame:)` sends small frames, and the byte
/// streams of the tests.
package struct FrameEncoder {
    package init() {}

    package func encode(data frame: Frame, out: inout ByteBuffer) {
        out.reserveCapacity(minimumWritableBytes: Frame.headerSize + frame.payload.readableBytes)
        Self.writeHeader(of: frame, into: &out)
        var payload = frame.payload
        out.writeBuffer(&payload)
    }

    static func writeHeader(of frame: Frame, into out: inout ByteBuffer) {
        out.writeInteger(UInt32(6 + frame.payload.readableBytes))
        out.writeInteger(frame.kind.rawValue)
        out.writeInteger(frame.flags)
        out.writeInteger(frame.stream)
    }
}

/// The inbound half of a connection's framing, kept by its channel handler: the pipeline carries
/// plain ByteBuffers both ways. (NIO's ByteToMessageHandler and MessageToByteHandler, generic
/// over the frame type, spent a tenth of a round trip's CPU on generic metadata look-ups and
/// dynamic casts.)
package struct FrameReader {
    private let decoder: FrameDecoder
    /// The start of a frame whose rest has not arrived yet.
    private var pending: ByteBuffer?
    /// Whether `pending` is a buffer of its own that the frame is being put together in (a large
    /// frame arriving over many reads is appended to in place), not the tail of a read buffer.
    private var pendingIsAssembly = false

    package init(maxPayload: Int = Frame.defaultMaxPayload) { decoder = FrameDecoder(maxPayload: maxPayload) }

    /// The next complete frame in what has been read so far, taking its bytes off `buffer` (the
    /// latest read); nil when more bytes are needed, the rest of `buffer` then kept for the next
    /// read. A frame's payload is a slice of the read buffer, not a copy; only a frame split
    /// between two reads is copied, and only that frame (appending whole reads to the leftover
    /// would grow one buffer without end while frames keep straddling reads).
    ///
    /// One frame per call, not a callback per frame: a channel handler that holds the reader
    /// handles each frame after this access has ended, so a frame whose answer closes the channel
    /// (a write failing with EPIPE makes NIO close it, and `channelInactive` run, inside the
    /// handler's `channelRead`) cannot meet the reader in the middle of a mutation (issue 13:
    /// "Simultaneous accesses", then SIGABRT).
    package mutating func next(from buffer: inout ByteBuffer) throws -> Frame? {
        if var earlier = pending {
            pending = nil
            if !pendingIsAssembly {
                // The leftover sits at the end of a read buffer: growing that would copy all of
                // it, so the frame is put together in a buffer of its own, sized for it.
                var own = ByteBuffer()
                own.reserveCapacity(earlier.readableBytes + (try missingBytes(earlier) ?? 0))
                own.writeImmutableBuffer(earlier)
                earlier = own
            }
            while let missing = try missingBytes(earlier) {
                guard buffer.readableBytes > 0 else {
                    pending = earlier
                    pendingIsAssembly = true
                    return nil
                }
                earlier.reserveCapacity(minimumWritableBytes: missing)
                var part = buffer.readSlice(length: min(missing, buffer.readableBytes))!
                earlier.writeBuffer(&part)
            }
            // Exactly one frame was assembled (never more bytes than it was missing).
            return try decoder.decode(buffer: &earlier)
        }
        if let frame = try decoder.decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 {
            pending = buffer
            pendingIsAssembly = false
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        return nil
    }

    /// nil when `buffer` begins with a whole frame; else how many more bytes would complete its
    /// header's length field or, once that is known (and within the limit), the frame.
    private func missingBytes(_ buffer: ByteBuffer) throws -> Int? {
        let maxPayload = decoder.maxPayload
        let scanned = try buffer.withUnsafeReadableBytes { raw throws(FrameError) in try FrameScanner.scan(raw, maxPayload: maxPayload) }
        if scanned != nil { return nil }
        guard buffer.readableBytes >= 4, let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return 4 - buffer.readableBytes
        }
        return 4 + Int(length) - buffer.readableBytes
    }

    /// What a connection that ends now leaves unread: a truncated frame, unless zero.
    package var unreadBytes: Int { pending?.readableBytes ?? 0 }

    static func truncated(_ bytes: Int) -> FrameError {
        FrameError(reason: .malformed("connection closed inside a frame (\(bytes) bytes left)"))
    }
}

extension Channel {
    /// Queues a frame as ByteBuffers. A large payload follows its header as a buffer of its own,
    /// which `writev` gathers, so a 9 KB message is not copied on its way to the kernel. Off the
    /// event loop the whole frame hops there as one task: NIO orders each thread's writes, but
    /// the header and payload of two threads' frames could otherwise interleave on the wire.
    func write(frame: Frame) {
        if eventLoop.inEventLoop {
            writeParts(of: frame)
        } else {
            eventLoop.execute { self.writeParts(of: frame) }
        }
    }

    func writeAndFlush(frame: Frame) {
        if eventLoop.inEventLoop {
            writeParts(of: frame)
            flush()
        } else {
            eventLoop.execute {
                self.writeParts(of: frame)
                self.flush()
            }
        }
    }

    private func writeParts(of frame: Frame) {
        let n = frame.payload.readableBytes
        let copy = n <= 1024
        var header = allocator.buffer(capacity: Frame.headerSize + (copy ? n : 0))
        FrameEncoder.writeHeader(of: frame, into: &header)
        if copy {
            header.writeImmutableBuffer(frame.payload)
            write(header, promise: nil)
        } else {
            write(header, promise: nil)
            write(frame.payload, promise: nil)
        }
    }
}

// MARK: - Payloads of control frames

extension CallHeaders {
    package func encode(into buffer: inout ByteBuffer) {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        buffer.writeBytes(bytes)
    }

    package static func decode(_ buffer: ByteBuffer) throws(FrameError) -> CallHeaders {
        try buffer.withUnsafeReadableBytes { raw throws(FrameError) in try decode(bytes: raw) }
    }
}

extension CallTrailers {
    package func encode(into buffer: inout ByteBuffer) {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        buffer.writeBytes(bytes)
    }

    package static func decode(_ buffer: ByteBuffer) throws(FrameError) -> CallTrailers {
        try buffer.withUnsafeReadableBytes { raw throws(FrameError) in try decode(bytes: raw) }
    }
}

extension ByteBuffer {
    /// A WINDOW frame's payload.
    package static func window(_ n: UInt32) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(n)
        return b
    }
}
