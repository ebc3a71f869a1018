// The byte-level half of the framing, free of NIO so the fuzzer (Fuzz/frames) can compile it on
// its own: frame header scanning and the HEADERS / TRAILERS payload codecs. Frame.swift adapts
// them to ByteBuffer.

/// Why the byte stream could not be read as frames. Always fatal for the connection.
package struct FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Reason: Sendable, Hashable {
        /// The announced frame is larger than the limit; `stream` is the call it belongs to when
        /// the header was complete enough to say.
        case tooLarge(announced: UInt64, limit: Int, stream: UInt32?)
        case malformed(String)
    }
    package var reason: Reason

    package init(reason: Reason) { self.reason = reason }

    package var description: String {
        switch reason {
        case .tooLarge(let announced, let limit, _):
            "frame of \(announced) payload bytes exceeds the limit of \(limit) bytes"
        case .malformed(let why): "malformed frame: \(why)"
        }
    }
}

/// Finds the first frame in a byte buffer: `u32 length, u8 kind, u8 flags, u32 stream, payload`.
package enum FrameScanner {
    /// Largest message payload taken by default: gRPC's default maximum receive size. KhaosanWire's
    /// `SizeLimits.maxMessageBytes` is the same number (a test checks; the fuzzers build that
    /// module without the frame code).
    package static let defaultMaxPayload = 4 << 20

    package struct Header: Sendable, Hashable {
        package var kind: UInt8
        package var flags: UInt8
        package var stream: UInt32
        /// Offsets of the payload within the scanned bytes.
        package var payload: Range<Int>
        /// Bytes the whole frame takes.
        package var consumed: Int
    }

    /// nil while the frame is incomplete. The length is checked against `maxPayload` as soon as
    /// its four bytes are there, before anything waits for (or allocates) the payload.
    package static func scan(_ bytes: UnsafeRawBufferPointer, maxPayload: Int) throws(FrameError) -> Header? {
        guard bytes.count >= 4 else { return nil }
        let length = be32(bytes, 0)
        guard length >= 6 else {
            throw FrameError(reason: .malformed("length \(length) is shorter than the frame header"))
        }
        let payloadLength = UInt64(length) - 6
        if payloadLength > UInt64(maxPayload) {
            let stream = bytes.count >= 10 ? be32(bytes, 6) : nil
            throw FrameError(reason: .tooLarge(announced: payloadLength, limit: maxPayload, stream: stream))
        }
        let total = 4 + Int(length)
        guard bytes.count >= total else { return nil }
        return Header(kind: bytes[4], flags: bytes[5], stream: be32(bytes, 6), payload: 10..<total, consumed: total)
    }

    static func be32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}

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

    package func encode(into out: inout [UInt8]) {
        out.writeShortString(path)
        out.writeBE(timeoutNanos)
        out.writeMetadata(metadata)
    }

    package static func decode(bytes: UnsafeRawBufferPointer) throws(FrameError) -> CallHeaders {
        var r = ByteReader(bytes)
        guard let path = r.shortString() else { throw FrameError(reason: .malformed("HEADERS: bad path")) }
        guard let timeout = r.be64() else { throw FrameError(reason: .malformed("HEADERS: no timeout")) }
        guard let metadata = r.metadata() else { throw FrameError(reason: .malformed("HEADERS: bad metadata")) }
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

    package func encode(into out: inout [UInt8]) {
        out.writeBE16(code.rawValue)
        let bytes = Array(message.utf8.prefix(65_536))
        out.writeBE32(UInt32(bytes.count))
        out.append(contentsOf: bytes)
        out.writeMetadata(metadata)
    }

    package static func decode(bytes: UnsafeRawBufferPointer) throws(FrameError) -> CallTrailers {
        var r = ByteReader(bytes)
        guard let code = r.be16(), let length = r.be32(), let text = r.utf8(Int(length)), let metadata = r.metadata() else {
            throw FrameError(reason: .malformed("TRAILERS: truncated or not UTF-8"))
        }
        return CallTrailers(code: RPCError.Code(rawValue: code), message: text, metadata: metadata)
    }
}

/// Bounds-checked big-endian reads; every read returns nil past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func be16() -> UInt16? {
        guard at + 2 <= bytes.count else { return nil }
        defer { at += 2 }
        return UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }

    mutating func be32() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        defer { at += 4 }
        return FrameScanner.be32(bytes, at)
    }

    mutating func be64() -> UInt64? {
        guard let hi = be32(), let lo = be32() else { return nil }
        return UInt64(hi) << 32 | UInt64(lo)
    }

    mutating func utf8(_ n: Int) -> String? {
        guard n >= 0, at + n <= bytes.count else { return nil }
        defer { at += n }
        return String(validating: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]), as: UTF8.self)
    }

    mutating func shortString() -> String? {
        guard let n = be16() else { return nil }
        return utf8(Int(n))
    }

    mutating func metadata() -> Metadata? {
        guard let count = be16() else { return nil }
        var m = Metadata()
        for _ in 0..<count {
            guard let k = shortString(), let n = be32(), let v = utf8(Int(n)) else { return nil }
            m.add(k, v)
        }
        return m
    }
}

extension Array where Element == UInt8 {
    mutating func writeBE16(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    mutating func writeBE32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    mutating func writeBE(_ v: UInt64) { writeBE32(UInt32(v >> 32)); writeBE32(UInt32(v & 0xFFFF_FFFF)) }

    mutating func writeShortString(_ s: String) {
        let bytes = s.utf8.prefix(Int(UInt16.max))
        writeBE16(UInt16(bytes.count))
        append(contentsOf: bytes)
    }

    mutating func writeMetadata(_ m: Metadata) {
        let pairs = m.pairs.prefix(Int(UInt16.max))
        writeBE16(UInt16(pairs.count))
        for (k, v) in pairs {
            writeShortString(k)
            let bytes = Array(v.utf8)
            writeBE32(UInt32(bytes.count))
            append(contentsOf: bytes)
        }
    }
}
