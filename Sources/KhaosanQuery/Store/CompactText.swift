/// The on-disk form of titles and bodies: Thai is ~85% of the archive's characters and costs three
/// bytes each in UTF-8, which alone would put the file over the size budget (text + index <= 1.2x
/// raw). This keeps one byte per character for ASCII and the Thai block, like TIS-620:
///
///   0x00-0x7F  ASCII as is
///   0x81-0xFF  U+0E01-U+0E7F (byte - 0x80 + 0x0E00)
///   0x80       escape: the next bytes are one scalar in UTF-8 (any other character)
///
/// Lossless for every String. Bodies are further compressed with zstd (TextCodec).
enum CompactText {
    static func encode(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count / 2 + 16)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                out.append(UInt8(v))
            } else if v >= 0x0E01 && v <= 0x0E7F {
                out.append(UInt8(v - 0x0E00 + 0x80))
            } else {
                out.append(0x80)
                out.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 3) { buf in
            var o = 0
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b < 0x80 {
                    buf[o] = b; o += 1; i += 1
                } else if b > 0x80 {
                    // U+0E00 + (b - 0x80) in UTF-8: E0 B8 80+x for x < 0x40, E0 B9 80+(x-0x40) above.
                    let x = b - 0x80
                    buf[o] = 0xE0
                    buf[o + 1] = x < 0x40 ? 0xB8 : 0xB9
                    buf[o + 2] = 0x80 + (x & 0x3F)
                    o += 3; i += 1
                } else {
                    i += 1
                    guard i < n else { break }
                    let lead = bytes[i]
                    let len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                    var k = 0
                    while k < len, i < n { buf[o] = bytes[i]; o += 1; i += 1; k += 1 }
                }
            }
            return o
        }
    }

    static func decode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { decode($0) }
    }
}
