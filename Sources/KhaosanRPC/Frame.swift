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
    package static let defaultMaxPayload = 4 * 1024 * 1024
}

/// Splits the inbound byte stream into frames, refusing oversize ones before buffering them.
package struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    package typealias InboundOut = Frame
    package let maxPayload: Int

    package init(maxPayload: Int = Frame.defaultMaxPayload) {
        self.maxPayload = maxPayload
    }

    package mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        let maxPayload = self.maxPayload
        let scanned = try buffer.withUnsafeReadableBytes { raw throws(FrameError) in try FrameScanner.scan(raw, maxPayload: maxPayload) }
        guard let header = scanned else { return nil }
        let payload = buffer.getSlice(at: buffer.readerIndex + header.payload.lowerBound, length: header.payload.count)!
        buffer.moveReaderIndex(forwardBy: header.consumed)
        return Frame(kind: Frame.Kind(rawValue: header.kind), stream: header.stream, payload: payload, flags: header.flags)
    }

    package mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if seenEOF, buffer.readableBytes > 0 {
            throw FrameError(reason: .malformed("connection closed inside a frame (\(buffer.readableBytes) bytes left)"))
        }
        return nil
    }
}

package struct FrameEncoder: MessageToByteEncoder {
    package typealias OutboundIn = Frame
    package init() {}

    package func encode(data frame: Frame, out: inout ByteBuffer) throws {
        out.reserveCapacity(minimumWritableBytes: Frame.headerSize + frame.payload.readableBytes)
        out.writeInteger(UInt32(6 + frame.payload.readableBytes))
        out.writeInteger(frame.kind.rawValue)
        out.writeInteger(frame.flags)
        out.writeInteger(frame.stream)
        var payload = frame.payload
        out.writeBuffer(&payload)
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
