internal import CZstd
import Synchronization

/// A Zstandard dictionary trained on the archive's own texts, ready to compress and decompress
/// with. Releases are short (a few kilobytes) and share most of their phrasing, so a dictionary
/// is what makes them compress: on 1,500 bodies stored as CompactText, zstd level 3 alone made
/// them 2.09x smaller, zlib 2.19x, zstd with a 110 KB dictionary of the others 2.74x.
///
/// The digested forms (`ZSTD_CDict`, `ZSTD_DDict`) are read-only and may be shared by threads;
/// the per-call contexts are not, so a few are kept in a pool, each owned by one call at a time.
/// Every pointer here is created in `init` or `withContext` and freed by this object alone.
package final class TextDictionary: @unchecked Sendable {
    // @unchecked: cdict and ddict are immutable after init (zstd documents them as shareable);
    // the context pools are only touched under their Mutex.
    package let bytes: [UInt8]
    /// A zstd context in a pool: owned by the pool, or by the one call that took it.
    private struct Context: @unchecked Sendable {
        // @unchecked: a context moves between threads only through the pool's Mutex, and is
        // used by one call at a time.
        let pointer: OpaquePointer
    }
    private let cdict: OpaquePointer
    private let ddict: OpaquePointer
    private let compressors = Mutex<[Context]>([])
    private let decompressors = Mutex<[Context]>([])
    /// Contexts kept for reuse; more calls at once each get a fresh one.
    private static let pooled = 4
    /// A decompressed text larger than this is refused (a corrupt or hostile frame header
    /// cannot make the store allocate gigabytes): far above any release the ingester accepts.
    package static let maximumTextBytes = 64 << 20

    package init(bytes: [UInt8], level: Int32 = 3) throws(CompressionError) {
        guard !bytes.isEmpty else { throw CompressionError("dictionary", "empty") }
        self.bytes = bytes
        guard let c = bytes.withUnsafeBytes({ ZSTD_createCDict($0.baseAddress, $0.count, level) }) else {
            throw CompressionError("dictionary", "zstd cannot digest it for compression")
        }
        guard let d = bytes.withUnsafeBytes({ ZSTD_createDDict($0.baseAddress, $0.count) }) else {
            ZSTD_freeCDict(c)
            throw CompressionError("dictionary", "zstd cannot digest it for decompression")
        }
        cdict = c
        ddict = d
    }

    deinit {
        for c in compressors.withLock({ $0 }) { ZSTD_freeCCtx(c.pointer) }
        for d in decompressors.withLock({ $0 }) { ZSTD_freeDCtx(d.pointer) }
        ZSTD_freeCDict(cdict)
        ZSTD_freeDDict(ddict)
    }

    /// One frame holding `input`, its size recorded in the frame header.
    package func compress(_ input: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        let cctx = try take(compressors, create: { ZSTD_createCCtx() }, "compress")
        defer { give(cctx, to: compressors, free: { ZSTD_freeCCtx($0) }) }
        var failure: String?
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
            let n = ZSTD_compress_usingCDict(cctx, buf.baseAddress, bound, input.baseAddress, input.count, cdict)
            if ZSTD_isError(n) != 0 { failure = String(cString: ZSTD_getErrorName(n)); count = 0 } else { count = n }
        }
        if let failure { throw CompressionError("compress", failure) }
        return out
    }

    /// The bytes a frame made by `compress` holds.
    package func decompress(_ frame: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest values.
        guard size < UInt64.max - 1 else { throw CompressionError("decompress", "not a zstd frame with its size recorded") }
        guard size <= UInt64(Self.maximumTextBytes) else {
            throw CompressionError("decompress", "frame claims \(size) bytes, more than \(Self.maximumTextBytes)")
        }
        let capacity = Int(size)
        let dctx = try take(decompressors, create: { ZSTD_createDCtx() }, "decompress")
        defer { give(dctx, to: decompressors, free: { ZSTD_freeDCtx($0) }) }
        var failure: String?
        let out = [UInt8](unsafeUninitializedCapacity: max(capacity, 1)) { buf, count in
            let n = ZSTD_decompress_usingDDict(dctx, buf.baseAddress, capacity, frame.baseAddress, frame.count, ddict)
            if ZSTD_isError(n) != 0 {
                failure = String(cString: ZSTD_getErrorName(n)); count = 0
            } else if n != capacity {
                failure = "frame holds \(n) bytes, its header says \(capacity)"; count = 0
            } else {
                count = n
            }
        }
        if let failure { throw CompressionError("decompress", failure) }
        return out
    }

    private func take(_ pool: borrowing Mutex<[Context]>, create: () -> OpaquePointer?, _ what: String) throws(CompressionError) -> OpaquePointer {
        if let c = pool.withLock({ $0.popLast() }) { return c.pointer }
        guard let c = create() else { throw CompressionError(what, "out of memory for a zstd context") }
        return c
    }

    private func give(_ c: OpaquePointer, to pool: borrowing Mutex<[Context]>, free: (OpaquePointer) -> Void) {
        let context = Context(pointer: c)
        let kept = pool.withLock { p in
            guard p.count < Self.pooled else { return false }
            p.append(context)
            return true
        }
        if !kept { free(c) }
    }
}
