/// The byte layout of a segment, shared by the writer and the reader. All integers little-endian,
/// read unaligned. One segment is one immutable file (or, for recent batches, one heap buffer of
/// the same bytes):
///
///     header      magic "KHSEG006", docCount, termCount, categoryCount, hotCount (u32 each),
///                 then the offsets of the sections below and the total length (u64 each)
///     docs        per doc 24 bytes: releaseID i64, days i32, titleLength u32, streamLength u32,
///                 category u16, language u8, 0
///     categories  per category: u32 length, UTF-8 "name\0slug"
///     dictionary  per term 48 bytes, sorted by key: key u64, df u32, blocks u32,
///                 postings offset u64, postings length u32, total tf u32, positions offset u64,
///                 positions length u64
///     postings    per term: a skip entry per block of 128 docs (16 bytes: last doc u32, block
///                 offset u32 from the end of the skip table, positions offset u32 in bits from
///                 the term's positions, docs in block u16, max tf u16), then the blocks: doc-id
///                 delta width u8, frequency-code width u8, the doc-id deltas bit-packed
///                 (`BitPacking`; the first from the previous block's last doc), then the codes
///                 bit-packed: term frequency times 4, plus 2 when the bigram occurs in the doc as
///                 a whole two-character word, plus 1 when it occurs in the title
///     positions   per term, doc after doc in one bit stream: its positions in the doc's stream
///                 as an Elias-Fano run (`PositionPacking`: low bits, then unary high parts; the
///                 run's size follows from the count and the doc's stream length); 8 zero bytes
///                 after the last term, so a 64-bit load never reads past the section
///     words       per doc, from a byte boundary, streamLength + 1 bits of `WordBoundaries`
///     hot         per hot substring (see HotTier): u32 length, scalars, u32 df, bitset words
///
/// Doc ids are dense per segment. A doc's stream is its title's scalars, `TermKey.fieldEnd`, its
/// body's scalars, `fieldEnd`; a position below titleLength is in the title.
enum SegmentFormat {
    static let magic: [UInt8] = Array("KHSEG006".utf8)
    static let headerSize = 88
    static let docEntrySize = 24
    static let termEntrySize = 48
    static let skipEntrySize = 16
    static let blockSize = 128
}

/// Little-endian appends to a growing byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func patch64(_ at: Int, _ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<8 { bytes[at + i] = $0[i] } }
    }
    mutating func patch32(_ at: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { bytes[at + i] = $0[i] } }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func u16(_ at: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    @inline(__always) func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    @inline(__always) func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}
