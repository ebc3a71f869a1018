import KhaosanRPC
package import NIOCore

/// A message payload read off the socket, lent to the core as it is: a slice of the read buffer
/// (see `FrameReader`), decoded in place.
struct ByteBufferMessage: MessageBufferStorage {
    let buffer: ByteBuffer
    var count: Int { buffer.readableBytes }
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeReadableBytes(body)
    }
}

extension MessageBuffer {
    init(_ buffer: ByteBuffer) { self.init(foreign: ByteBufferMessage(buffer: buffer)) }
}

extension ByteBuffer {
    /// An encoded message as a payload to write: its array copied once into a buffer, as it
    /// always was; a received message sent on goes out as the buffer it came in.
    init(message: MessageBuffer) {
        switch message.storage {
        case .bytes(let bytes): self.init(bytes: bytes)
        case .foreign(let f):
            if let b = f as? ByteBufferMessage { self = b.buffer } else { self = f.withUnsafeBytes { ByteBuffer(bytes: $0) } }
        }
    }
}
