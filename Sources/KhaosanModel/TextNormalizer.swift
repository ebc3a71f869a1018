import Foundation

/// The one text normalisation every module uses, so that a title typed by a user, a title in the
/// index and a title in a file compare equal.
///
/// Per line: Unicode NFC (never NFKC: it splits ำ into ํ + า), ํ + า recomposed to ำ (also across
/// tone marks typed in between), zero-width characters, soft hyphens, BOM, bidi controls and other
/// control characters removed, NBSP, tabs and every other Unicode space folded to one ASCII space,
/// runs of spaces collapsed, repeated Thai marks (e.g. ่่) collapsed, the line trimmed.
/// `normalize` does this for every line of a text and trims leading/trailing blank lines.
/// Both are idempotent.
///
/// Speed: the work is done on UTF-8 bytes. ASCII, Thai, Latin-1/Extended and common punctuation
/// are handled without Foundation (Thai marks are put into canonical order here); only a line that
/// holds some other script falls back to Foundation's NFC.
package enum TextNormalizer {
    package static func normalizeLine(_ s: String) -> String {
        var s = s
        return s.withUTF8 { input in
            var out: [UInt8] = []
            out.reserveCapacity(input.count)
            appendNormalizedLine(input, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    package static func normalize(_ s: String) -> String {
        var s = s
        return s.withUTF8 { input in
            var out: [UInt8] = []
            out.reserveCapacity(input.count)
            var lineStart = 0
            var i = 0
            var lastNonEmptyEnd = 0
            func flush(_ end: Int) {
                if !out.isEmpty || lastNonEmptyEnd > 0 { out.append(0x0A) }
                let before = out.count
                appendNormalizedLine(UnsafeBufferPointer(rebasing: input[lineStart..<end]), into: &out)
                if out.count > before { lastNonEmptyEnd = out.count }
            }
            while i < input.count {
                let b = input[i]
                if b == 0x0A || b == 0x0D {
                    flush(i)
                    if b == 0x0D, i + 1 < input.count, input[i + 1] == 0x0A { i += 1 }
                    lineStart = i + 1
                }
                i += 1
            }
            flush(input.count)
            // Leading blank lines: `flush` emits no newline before the first non-empty line, so
            // only the trailing ones need cutting.
            out.removeSubrange(lastNonEmptyEnd...)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends the normalised form of one line (valid UTF-8; any line breaks in it become spaces).
    package static func appendNormalizedLine(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let start = out.count
        if input.isEmpty { return }
        // The byte pass never lengthens its input, so it can write into space reserved up front.
        out.append(contentsOf: repeatElement(0, count: input.count))
        let r = normalizeLine(input, into: &out, at: start)
        out.removeSubrange(r.end...)
    }

    /// Normalises one line into `dst` from `cursor` on, checking UTF-8 as it goes. The caller
    /// guarantees `dst.count - cursor >= input.count`; the rare line that NFC lengthens grows
    /// `dst` so that this still holds for the input after it. Returns the end of the written
    /// line, or the offset in `input` of the first invalid UTF-8 byte.
    package static func normalizeLine(
        _ input: UnsafeBufferPointer<UInt8>, into dst: inout [UInt8], at cursor: Int
    ) -> (end: Int, invalidAt: Int?) {
        if input.isEmpty { return (cursor, nil) }
        let r = dst.withUnsafeMutableBufferPointer { d in
            var w = Writer(base: d.baseAddress! + cursor, count: 0)
            let res = passA(input, into: &w)
            return (res, w.count)
        }
        if let bad = r.0.invalidAt { return (cursor, bad) }
        guard r.0.unsafe else { return (cursor + r.1, nil) }
        // Some scalar outside the ranges handled here: let Foundation do NFC, then run the
        // byte pass again so that folding and Thai fixes still hold afterwards.
        var text = String(decoding: dst[cursor..<(cursor + r.1)], as: UTF8.self).precomposedStringWithCanonicalMapping
        var tmp: [UInt8] = []
        text.withUTF8 { buf in
            tmp = [UInt8](repeating: 0, count: buf.count)
            let n = tmp.withUnsafeMutableBufferPointer { d in
                var w = Writer(base: d.baseAddress!, count: 0)
                _ = passA(buf, into: &w)
                return w.count
            }
            tmp.removeSubrange(n...)
        }
        if tmp.count > input.count {
            dst.insert(contentsOf: repeatElement(0, count: tmp.count - input.count), at: cursor + input.count)
        }
        dst.replaceSubrange(cursor..<(cursor + tmp.count), with: tmp)
        return (cursor + tmp.count, nil)
    }

    /// Output cursor of the byte pass; `base` has room for at least as many bytes as the input.
    struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var count: Int

        @inline(__always) mutating func append(_ b: UInt8) {
            base[count] = b
            count += 1
        }

        /// The Thai scalar whose 3 UTF-8 bytes end at `end` (exclusive), if any.
        @inline(__always) func thaiScalar(endingAt end: Int) -> UInt32? {
            guard end >= 3, base[end - 3] == 0xE0 else { return nil }
            let b1 = base[end - 2]
            guard b1 == 0xB8 || b1 == 0xB9 else { return nil }
            return 0x0E00 + (b1 == 0xB9 ? 0x40 : 0) + UInt32(base[end - 1] & 0x3F)
        }

        @inline(__always) mutating func appendThai3(_ v: UInt32) {
            base[count] = 0xE0
            base[count + 1] = v >= 0x0E40 ? 0xB9 : 0xB8
            base[count + 2] = 0x80 | UInt8(v & 0x3F)
            count += 3
        }

        mutating func insertThai(_ v: UInt32, at p: Int) {
            if p < count { (base + p + 3).update(from: base + p, count: count - p) }
            base[p] = 0xE0
            base[p + 1] = v >= 0x0E40 ? 0xB9 : 0xB8
            base[p + 2] = 0x80 | UInt8(v & 0x3F)
            count += 3
        }
    }

    /// Whether a scalar needs Foundation's NFC: it may decompose, compose with a neighbour or
    /// reorder. Everything listed as fine here has NFC_QC=Yes and canonical combining class 0,
    /// except Thai, whose marks this file orders itself.
    @inline(__always)
    static func needsFoundationNFC(_ v: UInt32) -> Bool {
        switch v {
        case 0x00A0...0x02FF, 0x0E00...0x0E7F, 0x2010...0x2027, 0x2030...0x205E, 0x20A0...0x20CF,
            0x2190...0x2328, 0x232B...0x23FF, 0x2500...0x27BF, 0x1F000...0x1FAFF:
            return false
        default:
            return true
        }
    }

    /// Canonical combining class of the Thai marks that have one (all other Thai scalars are 0).
    @inline(__always)
    static func thaiCCC(_ v: UInt32) -> UInt8 {
        switch v {
        case 0x0E38, 0x0E39: return 103
        case 0x0E3A: return 9
        case 0x0E48...0x0E4B: return 107
        default: return 0
        }
    }

    @inline(__always)
    static func isThaiMark(_ v: UInt32) -> Bool {
        // Bit i of the mask <=> U+0E00+i is a Thai combining mark (0E31, 0E34-0E3A, 0E47-0E4E).
        let i = v &- 0x0E00
        guard i < 128 else { return false }
        let lo: UInt64 = (1 << 0x31) | (0x7F << 0x34)
        let hi: UInt64 = 0xFF << (0x47 - 64)
        return (i < 64 ? (lo >> UInt64(i)) : (hi >> UInt64(i - 64))) & 1 != 0
    }

    enum Kind { case keep, space, drop }

    @inline(__always)
    static func kind(_ v: UInt32) -> Kind {
        if v < 0x80 {
            if v > 0x20 && v < 0x7F { return .keep }
            if v == 0x20 || (v >= 0x09 && v <= 0x0D) { return .space }
            return .drop
        }
        switch v {
        case 0x00A0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x0085:
            return .space
        case 0x0080...0x009F, 0x00AD, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0xFEFF,
            0xFFF9...0xFFFB:
            return .drop
        default:
            return .keep
        }
    }

    struct PassResult {
        var unsafe = false
        var invalidAt: Int?
    }

    /// The byte pass; also checks UTF-8 (overlongs, surrogates and values over U+10FFFF are
    /// invalid). `unsafe` is set when the line holds a scalar that needs Foundation's NFC.
    static func passA(_ input: UnsafeBufferPointer<UInt8>, into out: inout Writer) -> PassResult {
        var result = PassResult()
        var pendingSpace = false
        var i = 0
        let n = input.count
        guard let src = input.baseAddress else { return result }
        @inline(__always) func isCont(_ k: Int) -> Bool { k < n && src[k] & 0xC0 == 0x80 }
        while i < n {
            let b0 = src[i]
            // ASCII fast path.
            if b0 < 0x80 {
                if b0 > 0x20 && b0 < 0x7F {
                    if pendingSpace {
                        if out.count > 0 { out.append(0x20) }
                        pendingSpace = false
                    }
                    out.append(b0)
                } else if b0 == 0x20 || (b0 >= 0x09 && b0 <= 0x0D) {
                    pendingSpace = true
                }
                i += 1
                continue
            }
            // Thai fast path: E0 B8 80...E0 B9 BF.
            if b0 == 0xE0, i + 2 < n, src[i + 1] == 0xB8 || src[i + 1] == 0xB9, src[i + 2] & 0xC0 == 0x80 {
                let v = 0x0E00 + (src[i + 1] == 0xB9 ? 0x40 : 0) + UInt32(src[i + 2] & 0x3F)
                if pendingSpace {
                    if out.count > 0 { out.append(0x20) }
                    pendingSpace = false
                }
                if !isThaiMark(v) && v != 0x0E32 {
                    // Consonants, most vowels, digits: copied as they are.
                    out.base[out.count] = 0xE0
                    out.base[out.count + 1] = src[i + 1]
                    out.base[out.count + 2] = src[i + 2]
                    out.count += 3
                } else {
                    appendThai(v, into: &out)
                }
                i += 3
                continue
            }
            let len: Int
            let v: UInt32
            switch b0 {
            case 0xC2...0xDF:
                guard isCont(i + 1) else { result.invalidAt = i; return result }
                len = 2
                v = (UInt32(b0 & 0x1F) << 6) | UInt32(src[i + 1] & 0x3F)
            case 0xE0...0xEF:
                guard isCont(i + 1), isCont(i + 2),
                      !(b0 == 0xE0 && src[i + 1] < 0xA0), !(b0 == 0xED && src[i + 1] >= 0xA0)
                else { result.invalidAt = i; return result }
                len = 3
                v = (UInt32(b0 & 0x0F) << 12) | (UInt32(src[i + 1] & 0x3F) << 6) | UInt32(src[i + 2] & 0x3F)
            case 0xF0...0xF4:
                guard isCont(i + 1), isCont(i + 2), isCont(i + 3),
                      !(b0 == 0xF0 && src[i + 1] < 0x90), !(b0 == 0xF4 && src[i + 1] >= 0x90)
                else { result.invalidAt = i; return result }
                len = 4
                v = (UInt32(b0 & 0x07) << 18) | (UInt32(src[i + 1] & 0x3F) << 12)
                    | (UInt32(src[i + 2] & 0x3F) << 6) | UInt32(src[i + 3] & 0x3F)
            default:
                result.invalidAt = i
                return result
            }
            switch kind(v) {
            case .space:
                pendingSpace = true
            case .drop:
                break
            case .keep:
                if pendingSpace {
                    if out.count > 0 { out.append(0x20) }
                    pendingSpace = false
                }
                if needsFoundationNFC(v) { result.unsafe = true }
                for k in 0..<len { out.append(src[i + k]) }
            }
            i += len
        }
        return result
    }

    @inline(__always)
    static func appendThai(_ v: UInt32, into out: inout Writer) {
        // Consonants, most vowels, digits: nothing to check.
        if !isThaiMark(v) && v != 0x0E32 {
            out.appendThai3(v)
            return
        }
        // Common case: the previous scalar is a consonant or vowel (class 0, not ํ, not a tone
        // mark, not the same mark): nothing to reorder, merge or drop.
        if let prev = out.thaiScalar(endingAt: out.count), prev != v, !isThaiMark(prev) {
            out.appendThai3(v)
            return
        }
        appendThaiSlow(v, into: &out)
    }

    static func appendThaiSlow(_ v: UInt32, into out: inout Writer) {
        var v = v
        if v == 0x0E32 {
            // ํ (+ tone marks) + า -> (tone marks +) ำ
            var p = out.count
            var tones = 0
            while tones < 3, let t = out.thaiScalar(endingAt: p), (0x0E48...0x0E4B).contains(t) {
                p -= 3
                tones += 1
            }
            if let nk = out.thaiScalar(endingAt: p), nk == 0x0E4D {
                // Re-add the tone marks one by one so they are ordered and de-duplicated against
                // whatever preceded the ํ.
                var toneScalars: [UInt32] = []
                var q = p
                while q < out.count, let t = out.thaiScalar(endingAt: q + 3) {
                    toneScalars.append(t)
                    q += 3
                }
                out.count = p - 3
                for t in toneScalars { appendThaiSlow(t, into: &out) }
                v = 0x0E33
            }
            out.appendThai3(v)
            return
        }
        let ccc = thaiCCC(v)
        if ccc != 0 {
            // Canonical ordering: move left past marks of a higher class; drop an exact repeat.
            var p = out.count
            while let prev = out.thaiScalar(endingAt: p) {
                let pc = thaiCCC(prev)
                if pc == 0 || pc <= ccc { break }
                p -= 3
            }
            if let prev = out.thaiScalar(endingAt: p), prev == v { return }
            out.insertThai(v, at: p)
            return
        }
        if let prev = out.thaiScalar(endingAt: out.count), prev == v { return }
        out.appendThai3(v)
    }
}
