/// Bytes a transport hands the core without copying them (the Unix transport's read buffers):
/// read in place for as long as the message is held.
package protocol MessageBufferStorage: Sendable {
    var count: Int { get }
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// One serialized message as the core passes it between a transport and the codecs. Encoded
/// messages are arrays (what `RPCMessage.serializedBytes()` makes); received ones are whatever
/// the transport read them into, so the core stays free of NIO while a message read off a socket
/// is decoded from the read buffer itself, as before the split (no copy on the hot path).
package struct MessageBuffer: Sendable {
    package enum Storage: Sendable {
        case bytes([UInt8])
        case foreign(any MessageBufferStorage)
    }

    package var storage: Storage

    package init(_ bytes: [UInt8] = []) { storage = .bytes(bytes) }
    package init(foreign: some MessageBufferStorage) { storage = .foreign(foreign) }

    package var count: Int {
        switch storage {
        case .bytes(let b): b.count
        case .foreign(let f): f.count
        }
    }

    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .bytes(let b): try b.withUnsafeBytes(body)
        case .foreign(let f): try f.withUnsafeBytes(body)
        }
    }

    /// A copy as an array (tests, and a transport that needs its own bytes).
    package var bytes: [UInt8] {
        switch storage {
        case .bytes(let b): b
        case .foreign(let f): f.withUnsafeBytes { Array($0) }
        }
    }
}
