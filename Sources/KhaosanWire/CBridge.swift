// Everything that touches protobuf-c memory lives here, in WireFields.swift, in the conversions
// generated into Generated/ (scripts/gen-wire.py) and in the few hand mappings in Mappings/; only
// Swift values leave them. Encoding builds the C structs in a bump arena (one malloc per ~16 KiB instead
// of one per string); decoding unpacks on a budgeted allocator and frees exactly once.
internal import CProtobufC
internal import CKhaosanProto
internal import KhaosanModel
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A generated protobuf-c message struct. `initialize` is the generated `..._init`: Swift's
/// zero-initialised `C()` has no descriptor, and packing it would crash.
protocol CMessage {
    init()
    static func initialize(_ message: UnsafeMutablePointer<Self>)
    var base: ProtobufCMessage { get }
}

// MARK: - Encoding

/// Bump allocator for the C side of one encode. Chunks are never moved, so pointers into them stay
/// valid until the arena dies, which is after `pack` returns.
final class Arena {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer
    private var remaining: Int
    private var nextChunkSize: Int

    init(initialCapacity: Int = 16 << 10) {
        let size = max(initialCapacity, 256)
        cursor = Arena.mallocOrDie(size)
        chunks.append(cursor)
        remaining = size
        nextChunkSize = size * 2
    }

    deinit {
        for chunk in chunks { free(chunk) }
    }

    private static func mallocOrDie(_ size: Int) -> UnsafeMutableRawPointer {
        guard let p = malloc(size) else { fatalError("KhaosanWire: out of memory allocating \(size) bytes") }
        return p
    }

    @inline(__always)
    func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        var p = cursor.alignedUp(toMultipleOf: alignment)
        if (p - cursor) + byteCount > remaining {
            grow(atLeast: byteCount + alignment)
            p = cursor.alignedUp(toMultipleOf: alignment)
        }
        remaining -= (p - cursor) + byteCount
        cursor = p + byteCount
        return p
    }

    private func grow(atLeast n: Int) {
        let size = max(nextChunkSize, n)
        nextChunkSize = min(nextChunkSize * 2, 1 << 20)
        cursor = Arena.mallocOrDie(size)
        chunks.append(cursor)
        remaining = size
    }

    func message<C: CMessage>(_: C.Type) -> UnsafeMutablePointer<C> {
        let raw = allocate(byteCount: MemoryLayout<C>.stride, alignment: MemoryLayout<C>.alignment)
        let p = raw.bindMemory(to: C.self, capacity: 1)
        p.initialize(to: C())
        C.initialize(p)
        return p
    }

    /// Storage for a repeated field (`T **` or `char **`).
    func array<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        guard count > 0 else { return nil }
        let raw = allocate(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// A NUL-terminated copy; throws `.embeddedNUL` because protobuf-c would cut the string there.
    func cString(_ s: String, field: String) throws(WireError) -> UnsafeMutablePointer<CChar> {
        // withContiguousStorageIfAvailable is `rethrows`, which loses the typed error: use Result.
        if let r = s.utf8.withContiguousStorageIfAvailable({ b in Result { () throws(WireError) in try copyCString(b, field: field) } }) {
            return try r.get()
        }
        var s = s
        s.makeContiguousUTF8()
        return try s.utf8.withContiguousStorageIfAvailable({ b in Result { () throws(WireError) in try copyCString(b, field: field) } })!.get()
    }

    private func copyCString(_ b: UnsafeBufferPointer<UInt8>, field: String) throws(WireError) -> UnsafeMutablePointer<CChar> {
        let n = b.count
        if n > 0, let nul = memchr(b.baseAddress!, 0, n) {
            let offset = UnsafeRawPointer(nul) - UnsafeRawPointer(b.baseAddress!)
            throw WireError(code: .embeddedNUL, field: field, message: "string contains U+0000 at UTF-8 offset \(offset); protobuf-c strings cannot carry NUL")
        }
        let dst = allocate(byteCount: n + 1, alignment: 1)
        if n > 0 { memcpy(dst, b.baseAddress!, n) }
        dst.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
        return dst.bindMemory(to: CChar.self, capacity: n + 1)
    }

    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let dst = allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { src in dst.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        return ProtobufCBinaryData(len: bytes.count, data: dst.bindMemory(to: UInt8.self, capacity: bytes.count))
    }
}

/// Builds the C message in an arena, packs it, and lets the arena free everything.
func wireEncode<C: CMessage>(
    _: C.Type, sizeHint: Int = 0, _ fill: (UnsafeMutablePointer<C>, Arena) throws(WireError) -> Void
) throws(WireError) -> [UInt8] {
    let arena = Arena(initialCapacity: sizeHint + 4096)
    let m = arena.message(C.self)
    try fill(m, arena)
    return m.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { base in
        let size = protobuf_c_message_get_packed_size(base)
        guard size > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            let written = protobuf_c_message_pack(base, buffer.baseAddress!)
            precondition(written == size, "protobuf-c packed \(written) bytes, sized \(size)")
            count = written
        }
    }
}

@inline(__always)
func cBool(_ b: Bool) -> protobuf_c_boolean { b ? 1 : 0 }

func int32Days(_ date: CivilDate, field: String) throws(WireError) -> Int32 {
    let days = date.daysSinceEpoch
    guard let d = Int32(exactly: days) else {
        throw WireError(code: .invalidValue, field: field, message: "date \(date) is \(days) days from 1970-01-01, beyond int32")
    }
    return d
}

// MARK: - Decoding

/// Per-decode state behind `allocator_data`: the C callbacks cannot capture.
struct AllocationBudget {
    var remaining: Int
    var exhausted: Bool
}

/// malloc's own bookkeeping per block, charged so that a flood of tiny allocations counts at
/// roughly what it really costs.
private let perAllocationOverhead = 16

private func budgetedAlloc(_ data: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    let budget = data!.assumingMemoryBound(to: AllocationBudget.self)
    let cost = size &+ perAllocationOverhead
    guard size >= 0, cost <= budget.pointee.remaining else {
        budget.pointee.exhausted = true
        return nil
    }
    budget.pointee.remaining -= cost
    return malloc(size)
}

private func budgetedFree(_ data: UnsafeMutableRawPointer?, _ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

/// Unpacks `bytes` as `C`, converts with `convert`, then frees with the same allocator exactly once.
/// `convert` must copy everything it needs: the C message is gone when this returns.
func wireDecode<C: CMessage, T>(
    _: C.Type, protoName: String, bytes: UnsafeRawBufferPointer, limits: WireLimits,
    _ convert: (borrowing C) throws(WireError) -> T
) throws(WireError) -> T {
    var probe = C()
    C.initialize(&probe)
    let descriptor = probe.base.descriptor!
    try EmbeddedNULScan.check(bytes, descriptor)
    var budget = AllocationBudget(remaining: limits.budget(forInputBytes: bytes.count), exhausted: false)
    return try withUnsafeMutablePointer(to: &budget) { (budgetPointer) throws(WireError) -> T in
        var allocator = ProtobufCAllocator(alloc: budgetedAlloc, free: budgetedFree, allocator_data: UnsafeMutableRawPointer(budgetPointer))
        // An empty buffer may have no base address; protobuf-c must still get a valid pointer.
        var empty: UInt8 = 0
        let unpacked: UnsafeMutablePointer<ProtobufCMessage>? = withUnsafePointer(to: &empty) { emptyPointer in
            let data = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? emptyPointer
            return protobuf_c_message_unpack(descriptor, &allocator, bytes.count, data)
        }
        guard let unpacked else {
            if budgetPointer.pointee.exhausted {
                throw WireError(
                    code: .allocationLimit,
                    message: "\(protoName): decoding \(bytes.count) bytes needs more than the \(limits.budget(forInputBytes: bytes.count)) bytes allowed"
                )
            }
            throw WireError(code: .malformed, message: "\(protoName): \(bytes.count) bytes are not a valid encoding (truncated or corrupt)")
        }
        defer { protobuf_c_message_free_unpacked(unpacked, &allocator) }
        return try unpacked.withMemoryRebound(to: C.self, capacity: 1) { (m) throws(WireError) -> T in
            try convert(m.pointee)
        }
    }
}

/// A `char *` from protobuf-c as a Swift String, rejecting bytes that are not UTF-8 (protobuf-c
/// does not check, and `String(cString:)` would silently substitute U+FFFD). A NUL sent by a peer
/// would have ended the string inside protobuf-c: `EmbeddedNULScan` refuses it before the unpack.
@inline(__always)
func swiftString(_ p: UnsafePointer<CChar>?, field: String) throws(WireError) -> String {
    guard let p else { return "" }
    if p.pointee == 0 { return "" }
    let n = strlen(p)
    guard let s = UTF8Validation.string(UnsafeRawBufferPointer(start: p, count: n)) else { throw invalidUTF8(p, count: n, field: field) }
    return s
}

/// Reports where validation fails, so a peer can find its bug.
private func invalidUTF8(_ p: UnsafePointer<CChar>, count n: Int, field: String) -> WireError {
    let offset = p.withMemoryRebound(to: UInt8.self, capacity: n) { UTF8Scan.firstInvalidOffset(UnsafeBufferPointer(start: $0, count: n)) } ?? 0
    return WireError(code: .invalidUTF8, field: field, message: "string of \(n) bytes is not valid UTF-8 (first bad byte near offset \(offset))")
}

@inline(__always)
func optionalString(_ p: UnsafePointer<CChar>?, field: String) throws(WireError) -> String? {
    let s = try swiftString(p, field: field)
    return s.isEmpty ? nil : s
}

func swiftBytes(_ b: ProtobufCBinaryData) -> [UInt8] {
    guard b.len > 0, let data = b.data else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: b.len))
}

/// A repeated `char **` field.
func swiftStrings(_ items: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, count: Int, field: String) throws(WireError) -> [String] {
    guard count > 0, let items else { return [] }
    var out: [String] = []
    out.reserveCapacity(count)
    for i in 0..<count {
        do throws(WireError) { out.append(try swiftString(items[i], field: "")) } catch { throw error.under("\(field)[\(i)]") }
    }
    return out
}

/// A repeated message field (`T **`).
func swiftMessages<C, T>(
    _ items: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?, count: Int, field: String,
    _ convert: (borrowing C) throws(WireError) -> T
) throws(WireError) -> [T] {
    guard count > 0, let items else { return [] }
    var out: [T] = []
    out.reserveCapacity(count)
    for i in 0..<count {
        guard let item = items[i] else {
            throw WireError(code: .malformed, field: "\(field)[\(i)]", message: "missing element")
        }
        do throws(WireError) { out.append(try convert(item.pointee)) } catch { throw error.under("\(field)[\(i)]") }
    }
    return out
}

/// Encodes a repeated message field into arena storage.
func cMessages<C: CMessage, T>(
    _ values: [T], arena: Arena, field: String,
    _ fill: (UnsafeMutablePointer<C>, T) throws(WireError) -> Void
) throws(WireError) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<C>?>?) {
    guard let array = arena.array(UnsafeMutablePointer<C>?.self, count: values.count) else { return (0, nil) }
    for (i, v) in values.enumerated() {
        let m = arena.message(C.self)
        do throws(WireError) { try fill(m, v) } catch { throw error.under("\(field)[\(i)]") }
        array[i] = m
    }
    return (values.count, array)
}

func cStrings(_ values: [String], arena: Arena, field: String) throws(WireError) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
    guard let array = arena.array(UnsafeMutablePointer<CChar>?.self, count: values.count) else { return (0, nil) }
    for (i, v) in values.enumerated() {
        do throws(WireError) { array[i] = try arena.cString(v, field: "") } catch { throw error.under("\(field)[\(i)]") }
    }
    return (values.count, array)
}

func unknownEnum(_ raw: some BinaryInteger, field: String) -> WireError {
    WireError(code: .invalidValue, field: field, message: "unknown enum value \(raw)")
}
