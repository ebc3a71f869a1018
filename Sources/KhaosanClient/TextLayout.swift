// Layout of text in a terminal: display width, truncation and wrapping by columns, not by code
// points. Thai puts vowels and tone marks above and below the consonant they belong to, so a Thai
// string is narrower on screen than its scalar count.

/// Columns one scalar takes in a terminal: 0 for combining and zero-width scalars (Thai above and
/// below vowels and tone marks, other non-spacing marks, format characters, controls), 2 for East
/// Asian wide and fullwidth scalars, 1 otherwise.
package func displayWidth(_ u: Unicode.Scalar) -> Int {
    let v = u.value
    if v < 0x7F { return v < 0x20 ? 0 : 1 }
    // Thai: MAI HAN-AKAT, SARA I...PHINTHU, MAITAIKHU...YAMAKKAN.
    if v == 0x0E31 || (0x0E34...0x0E3A).contains(v) || (0x0E47...0x0E4E).contains(v) { return 0 }
    // Lao has the same layout.
    if v == 0x0EB1 || (0x0EB4...0x0EBC).contains(v) || (0x0EC8...0x0ECD).contains(v) { return 0 }
    if (0x7F...0x9F).contains(v) { return 0 }
    // Hangul medial vowels and final consonants join the initial consonant.
    if (0x1160...0x11FF).contains(v) || v == 0x200B { return 0 }
    switch u.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .control: return 0
    default: break
    }
    if isEastAsianWide(v) { return 2 }
    return 1
}

/// The East Asian Wide (W) and Fullwidth (F) blocks that matter in practice, plus the emoji that
/// terminals draw two columns wide.
private func isEastAsianWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
         0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
         0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
         0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
         0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
         0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
         0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
         0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B16F,
         0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F320,
         0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA,
         0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440,
         0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A,
         0x1F595...0x1F596, 0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC, 0x1F6D0...0x1F6D2,
         0x1F6D5...0x1F6D7, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB,
         0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF,
         0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return true
    default:
        return false
    }
}

/// Columns a string takes in a terminal (see `displayWidth(_: Unicode.Scalar)`).
package func displayWidth(_ s: some StringProtocol) -> Int {
    var w = 0
    for u in s.unicodeScalars { w += displayWidth(u) }
    return w
}

/// Columns one grapheme cluster takes: its scalars' widths, but never more than 2 (an emoji
/// sequence joined by ZWJ is one glyph).
package func displayWidth(_ c: Character) -> Int {
    var w = 0
    for u in c.unicodeScalars { w += displayWidth(u) }
    return min(w, 2)
}

/// Thai leading vowels (เ แ โ ใ ไ) are written before the consonant they follow in speech; a line
/// or a truncated string must not end with one, or it reads as a different word.
private func isThaiLeadingVowel(_ c: Character) -> Bool {
    guard let u = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return false }
    return (0x0E40...0x0E44).contains(u.value)
}

extension String {
    /// The longest prefix of whole grapheme clusters that fits in `width` columns, with `ellipsis`
    /// appended (and counted) when anything was cut. Never splits a cluster, never leaves a Thai
    /// leading vowel dangling at the end.
    package func truncated(toWidth width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if displayWidth(self) <= width { return self }
        let room = width - displayWidth(ellipsis)
        guard room >= 0 else { return "" }
        var out = ""
        var used = 0
        for c in self {
            let w = displayWidth(c)
            if used + w > room { break }
            out.append(c)
            used += w
        }
        while let last = out.last, isThaiLeadingVowel(last) || last == " " { out.removeLast() }
        return out + ellipsis
    }

    /// Pads with spaces on the right to `width` columns (no-op when already as wide).
    package func padded(toWidth width: Int) -> String {
        let w = displayWidth(self)
        return w >= width ? self : self + String(repeating: " ", count: width - w)
    }

    /// Pads with spaces on the left to `width` columns.
    package func leftPadded(toWidth width: Int) -> String {
        let w = displayWidth(self)
        return w >= width ? self : String(repeating: " ", count: width - w) + self
    }
}

/// A run of text, highlighted or not.
package struct StyledRun: Sendable, Hashable {
    package var text: String
    package var highlighted: Bool
    package init(_ text: String, highlighted: Bool) {
        self.text = text
        self.highlighted = highlighted
    }
}

/// Splits `text` into runs by UTF-8 byte ranges (as the search service reports matches). A grapheme
/// cluster is highlighted when any of its bytes is, so a range that ends inside a cluster (a
/// consonant without its tone mark) still colours what the eye sees as one letter. Ranges out of
/// bounds are clipped; overlapping ranges merge.
package func styledRuns(_ text: String, highlights: [Range<Int>]) -> [StyledRun] {
    let ranges = highlights.filter { !$0.isEmpty }
    var runs: [StyledRun] = []
    var offset = 0
    for c in text {
        let n = c.utf8.count
        let here = offset..<(offset + n)
        let lit = ranges.contains { $0.overlaps(here) }
        if let last = runs.last, last.highlighted == lit {
            runs[runs.count - 1].text.append(c)
        } else {
            runs.append(StyledRun(String(c), highlighted: lit))
        }
        offset += n
    }
    return runs
}

/// Wraps styled runs into lines of at most `width` columns. Breaks at a space in the second half of
/// the line, else at the last word boundary from `breaks` (UTF-8 offsets where a word starts, e.g.
/// from the Thai segmenter), else at a space anywhere, else between clusters; spaces at a break
/// are dropped.
package func wrap(_ runs: [StyledRun], width: Int, breaks: Set<Int> = []) -> [[StyledRun]] {
    // Flatten to clusters with their style and byte offset.
    var cells: [(c: Character, lit: Bool, offset: Int)] = []
    var off = 0
    for r in runs {
        for c in r.text {
            cells.append((c, r.highlighted, off))
            off += c.utf8.count
        }
    }
    var lines: [[StyledRun]] = []
    var start = 0
    let width = max(width, 4)
    while start < cells.count {
        while start < cells.count, cells[start].c == " " { start += 1 }
        if start >= cells.count { break }
        var used = 0
        var end = start
        while end < cells.count {
            let w = displayWidth(cells[end].c)
            if used + w > width { break }
            used += w
            end += 1
        }
        if end < cells.count {
            // Find the best break in (start, end]: after a space, then a word start, then anything
            // that does not strand a leading vowel.
            // Going back further than half a line leaves a ragged edge; a word break nearer the
            // end is better then.
            let floor = start + max(1, (end - start) / 2)
            var cut: Int?
            var i = end
            while i > floor {
                if cells[i - 1].c == " " || cells[i].c == " " { cut = i; break }
                i -= 1
            }
            if cut == nil, !breaks.isEmpty {
                i = end
                while i > start + 1 {
                    if breaks.contains(cells[i].offset) { cut = i; break }
                    i -= 1
                }
            }
            if cut == nil {
                i = end
                while i > start + 1 {
                    if cells[i - 1].c == " " || cells[i].c == " " { cut = i; break }
                    i -= 1
                }
            }
            if cut == nil {
                i = end
                while i > start + 1, isThaiLeadingVowel(cells[i - 1].c) { i -= 1 }
                cut = i
            }
            end = cut!
        }
        var line: [StyledRun] = []
        var lineEnd = end
        while lineEnd > start, cells[lineEnd - 1].c == " " { lineEnd -= 1 }
        for k in start..<lineEnd {
            let cell = cells[k]
            if let last = line.last, last.highlighted == cell.lit {
                line[line.count - 1].text.append(cell.c)
            } else {
                line.append(StyledRun(String(cell.c), highlighted: cell.lit))
            }
        }
        lines.append(line)
        start = end
    }
    return lines
}

/// Plain-text wrap of a paragraph (no styles).
package func wrap(_ text: String, width: Int, breaks: Set<Int> = []) -> [String] {
    wrap([StyledRun(text, highlighted: false)], width: width, breaks: breaks).map { $0.map(\.text).joined() }
}
