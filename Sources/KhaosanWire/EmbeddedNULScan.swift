internal import CProtobufC
#if canImport(Glibc)
internal import Glibc
#endif

/// Finds a NUL inside a string field before protobuf-c unpacks the message. protobuf-c keeps
/// strings as NUL-terminated `char *`, so a NUL sent by a peer silently cut the string there
/// (issue 13, item 8: a structured release's title came out shorter, no error) and nothing after
/// the unpack can see it. This walks the wire bytes with the message's descriptor, recursing into
/// sub-messages, and names the field (`items[3].release.title`) as the other string errors do.
/// Anything it cannot follow (a malformed encoding, a group) is left for the unpack to refuse.
enum EmbeddedNULScan {
    static func check(_ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(WireError) {
        try scan(bytes, descriptor, path: "", depth: 0)
    }

    private static func scan(
        _ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, path: String, depth: Int
    ) throws(WireError) {
        guard depth < 32 else { return }
        var at = 0
        // Occurrences of each repeated field so far, for the index in the path.
        var seen: [UInt32: Int] = [:]
        while at < bytes.count {
            guard let tag = varint(bytes, &at) else { return }
            let number = UInt32(truncatingIfNeeded: tag >> 3)
            switch tag & 7 {
            case 0: guard varint(bytes, &at) != nil else { return }
            case 1: at += 8
            case 5: at += 4
            case 2:
                guard let length = varint(bytes, &at), length <= UInt64(bytes.count - at) else { return }
                let body = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + Int(length))])
                at += Int(length)
                guard let field = field(number, in: descriptor) else { continue }
                let type = field.pointee.type
                guard type == PROTOBUF_C_TYPE_STRING || type == PROTOBUF_C_TYPE_MESSAGE else { continue }
                var name = (path.isEmpty ? "" : path + ".") + String(cString: field.pointee.name)
                if field.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                    let index = seen[number, default: 0]
                    seen[number] = index + 1
                    name += "[\(index)]"
                }
                if type == PROTOBUF_C_TYPE_STRING {
                    if let base = body.baseAddress, let nul = memchr(base, 0, body.count) {
                        throw WireError(code: .embeddedNUL, field: name, message: "string contains U+0000 at UTF-8 offset \(UnsafeRawPointer(nul) - base); protobuf-c strings cannot carry NUL")
                    }
                } else if let sub = field.pointee.descriptor {
                    try scan(body, sub.assumingMemoryBound(to: ProtobufCMessageDescriptor.self), path: name, depth: depth + 1)
                }
            default:
                return
            }
        }
    }

    private static func field(_ number: UInt32, in d: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafePointer<ProtobufCFieldDescriptor>? {
        let n = Int(d.pointee.n_fields)
        guard let fields = d.pointee.fields else { return nil }
        for i in 0..<n where fields[i].id == number { return fields + i }
        return nil
    }

    private static func varint(_ b: UnsafeRawBufferPointer, _ at: inout Int) -> UInt64? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while at < b.count, shift < 64 {
            let byte = b[at]
            at += 1
            v |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return v }
            shift += 7
        }
        return nil
    }
}
