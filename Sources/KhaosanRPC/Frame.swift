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

/// Why the byte stream could not be read as frames. Always fatal for the connection.
package struct FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Reason: Sendable, Hashable {
        /// The announced frame is larger than the limit; `stream` is the call it belongs to when
        /// the header was complete enough to say.
        case tooLarge(announced: UInt64, limit: Int, stream: UInt32?)
        case malformed(String)
    }
    package var reason: Reason

    package var description: String {
        switch reason {
        case .tooLarge(let announced, let limit, _):
            "frame of \(announced) payload bytes exceeds the limit of \(limit) bytes"
        case .malformed(let why): "malformed frame: \(why)"
        }
    }
}

/// Splits the inbound byte stream into frames, refusing oversize ones before buffering them.
package struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    package typealias InboundOut = Frame
    package let maxPayload: Int

    package init(maxPayload: Int = Frame.defaultMaxPayload) {
        self.maxPayload = maxPayload
    }

    package mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 6 else {
            throw FrameError(reason: .malformed("length \(length) is shorter than the frame header"))
        }
        let payloadLength = UInt64(length) - 6
        if payloadLength > UInt64(maxPayload) {
            let stream = buffer.getInteger(at: buffer.readerIndex + 6, as: UInt32.self)
            throw FrameError(reason: .tooLarge(announced: payloadLength, limit: maxPayload, stream: stream))
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        let kind = buffer.readInteger(as: UInt8.self)!
        let flags = buffer.readInteger(as: UInt8.self)!
        let stream = buffer.readInteger(as: UInt32.self)!
        let payload = buffer.readSlice(length: Int(payloadLength))!
        return Frame(kind: Frame.Kind(rawValue: kind), stream: stream, payload: payload, flags: flags)
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

/// The HEADERS payload: `u16 path length, path, u64 timeout in nanoseconds (0: none), metadata`.
package struct CallHeaders: Sendable, Hashable {
    package var path: String
    /// Remaining time the client allows, measured when it sent the frame. Carried as a duration,
    /// not a wall-clock instant, so the two ends need not agree on the time.
    package var timeoutNanos: UInt64
    package var metadata: Metadata

    package init(path: String, timeoutNanos: UInt64, metadata: Metadata) {
        self.path = path
        self.timeoutNanos = timeoutNanos
        self.metadata = metadata
    }

    package func encode(into buffer: inout ByteBuffer) {
        buffer.writeShortString(path)
        buffer.writeInteger(timeoutNanos)
        buffer.writeMetadata(metadata)
    }

    package static func decode(_ buffer: ByteBuffer) throws(FrameError) -> CallHeaders {
        var b = buffer
        guard let path = b.readShortString() else { throw FrameError(reason: .malformed("HEADERS: bad path")) }
        guard let timeout = b.readInteger(as: UInt64.self) else { throw FrameError(reason: .malformed("HEADERS: no timeout")) }
        guard let metadata = b.readMetadata() else { throw FrameError(reason: .malformed("HEADERS: bad metadata")) }
        return CallHeaders(path: path, timeoutNanos: timeout, metadata: metadata)
    }
}

/// The TRAILERS payload: `u16 status code, u32 message length, message, metadata`.
package struct CallTrailers: Sendable, Hashable {
    package var code: RPCError.Code
    package var message: String
    package var metadata: Metadata

    package init(code: RPCError.Code, message: String, metadata: Metadata) {
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    package func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(code.rawValue)
        let bytes = Array(message.utf8.prefix(65_536))
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        buffer.writeMetadata(metadata)
    }

    package static func decode(_ buffer: ByteBuffer) throws(FrameError) -> CallTrailers {
        var b = buffer
        guard let code = b.readInteger(as: UInt16.self),
              let length = b.readInteger(as: UInt32.self),
              let bytes = b.readBytes(length: Int(length)),
              let message = String(validating: bytes, as: UTF8.self),
              let metadata = b.readMetadata()
        else { throw FrameError(reason: .malformed("TRAILERS: truncated or not UTF-8")) }
        return CallTrailers(code: RPCError.Code(rawValue: code), message: message, metadata: metadata)
    }
}

extension ByteBuffer {
    fileprivate mutating func writeShortString(_ s: String) {
        let bytes = s.utf8.prefix(Int(UInt16.max))
        writeInteger(UInt16(bytes.count))
        writeBytes(bytes)
    }

    fileprivate mutating func readShortString() -> String? {
        guard let n = readInteger(as: UInt16.self), let bytes = readBytes(length: Int(n)) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    fileprivate mutating func writeMetadata(_ m: Metadata) {
        writeInteger(UInt16(min(m.pairs.count, Int(UInt16.max))))
        for (k, v) in m.pairs.prefix(Int(UInt16.max)) {
            writeShortString(k)
            let bytes = Array(v.utf8)
            writeInteger(UInt32(bytes.count))
            writeBytes(bytes)
        }
    }

    fileprivate mutating func readMetadata() -> Metadata? {
        guard let count = readInteger(as: UInt16.self) else { return nil }
        var m = Metadata()
        for _ in 0..<count {
            guard let k = readShortString(), let n = readInteger(as: UInt32.self), Int(n) <= readableBytes,
                  let bytes = readBytes(length: Int(n)), let v = String(validating: bytes, as: UTF8.self)
            else { return nil }
            m.add(k, v)
        }
        return m
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
