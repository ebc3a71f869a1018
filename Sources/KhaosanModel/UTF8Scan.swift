/// Where UTF-8 goes wrong, for error messages: the structured-release parser reports the byte,
/// and KhaosanWire names the offset when its SIMD check (CKhaosanUTF8, which says only yes or no)
/// refuses a string. The thaigov parser finds bad bytes while it normalises each line
/// (`TextNormalizer`), so it needs no separate pass.
package enum UTF8Scan {
    /// Byte offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and
    /// values over U+10FFFF are invalid), or nil.
    package static func firstInvalidOffset(_ buf: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = buf.count
        guard let base = buf.baseAddress else { return nil }
        var i = 0
        while i < n {
            // 8 ASCII bytes at a time.
            if i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let b0 = base[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            if b0 == 0xE0, i + 2 < n, base[i + 1] == 0xB8 || base[i + 1] == 0xB9, base[i + 2] & 0xC0 == 0x80 {
                i += 3  // Thai
                continue
            }
            func cont(_ k: Int) -> Bool { i + k < n && base[i + k] & 0xC0 == 0x80 }
            switch b0 {
            case 0xC2...0xDF:
                guard cont(1) else { return i }
                i += 2
            case 0xE0...0xEF:
                guard cont(1), cont(2) else { return i }
                let b1 = base[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return i }  // overlong
                if b0 == 0xED && b1 >= 0xA0 { return i }  // surrogate
                i += 3
            case 0xF0...0xF4:
                guard cont(1), cont(2), cont(3) else { return i }
                let b1 = base[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return i }
                if b0 == 0xF4 && b1 >= 0x90 { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}
