/// Turns a raw release (a thaigov text file or a structured JSON object) into a `Release`, or
/// rejects it with a `ReleaseError` naming the field and line. Never guesses: anything that does
/// not fit the format is an error with a code.
///
/// thaigov format (see the corpus README):
///
///     รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-<title>   (or รัฐบาลไทย-<title>)
///     วัน<weekday>ที่ <d> <month> <BE year>  publication date
///     [DD/MM/YYYY]  [พิมพ์]                    dropped
///     <title repeated>                        dropped
///     <body>                                  separators dropped, a doubled block kept once
///     ที่มา : https://www.thaigov.go.th/news/contents/details/<id>
package enum ReleaseParser {
    /// Largest input file: KhaosanWire's `SizeLimits.maxReleaseInputBytes`, the RPC message
    /// limit less the room kept for what carries the file in a message (`MessageLimits`).
    package static let defaultMaxBytes = MessageLimits.maxMessageBytes - MessageLimits.framingReserveBytes

    /// Dispatches on the kind of raw release.
    package static func parse(
        _ raw: RawRelease, categoryOverride: String? = nil, maxBytes: Int = ReleaseParser.defaultMaxBytes
    ) throws(ReleaseError) -> Release {
        switch raw {
        case .thaigovFile(let name, let bytes):
            return try parseThaigov(fileName: name, bytes: bytes, categoryOverride: categoryOverride, maxBytes: maxBytes)
        case .structuredJSON(let name, let bytes):
            return try parseStructured(fileName: name, bytes: bytes, categoryOverride: categoryOverride, maxBytes: maxBytes)
        }
    }

    /// The raw form for a file: structured JSON when the name ends in `.json` or the first
    /// non-blank byte is `{` (a thaigov file starts with its title), else a thaigov file.
    package static func rawRelease(fileName: String, bytes: [UInt8]) -> RawRelease {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if fileName.hasSuffix(".json") || first == 0x7B {
            return .structuredJSON(fileName: fileName, bytes: bytes)
        }
        return .thaigovFile(fileName: fileName, bytes: bytes)
    }

    /// Parses a thaigov text file. The category comes from `categoryOverride`, else from the file
    /// name (`<category>_<n>_<uuid>.txt` or `<category>_<n>.txt`), else it is empty.
    package static func parseThaigov(
        fileName: String, bytes: some Collection<UInt8>, categoryOverride: String? = nil,
        maxBytes: Int = ReleaseParser.defaultMaxBytes
    ) throws(ReleaseError) -> Release {
        let categoryName = categoryOverride.map(CategoryCatalog.trimmedName) ?? category(fromFileName: fileName) ?? ""
        let result: Result<Release, ReleaseError> =
            bytes.withContiguousStorageIfAvailable { buf in
                ThaigovParse.run(buf, categoryName: categoryName, maxBytes: maxBytes)
            } ?? Array(bytes).withUnsafeBufferPointer { buf in
                ThaigovParse.run(buf, categoryName: categoryName, maxBytes: maxBytes)
            }
        return try result.get()
    }

    /// The category part of a corpus file name: the text before `_<n>_<uuid>.txt` (or `_<n>.txt`),
    /// leading/trailing whitespace (including tabs) trimmed. Nil when the name has no such form or
    /// the category part is empty. Any directory part is ignored.
    package static func category(fromFileName path: String) -> String? {
        var name = Array(path.utf8)[...]
        if let slash = name.lastIndex(of: 0x2F) { name = name[(slash + 1)...] }
        guard name.count > 4, name.suffix(4).elementsEqual(".txt".utf8) else { return nil }
        name = name.dropLast(4)
        // Optional _<uuid>
        if let us = name.lastIndex(of: 0x5F) {
            let tail = name[(us + 1)...]
            if tail.count == 36, tail.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) || $0 == 0x2D }) {
                name = name[..<us]
            }
        }
        // _<n>
        guard let us = name.lastIndex(of: 0x5F) else { return nil }
        let num = name[(us + 1)...]
        guard !num.isEmpty, num.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let cat = CategoryCatalog.trimmedName(String(decoding: name[..<us], as: UTF8.self))
        return cat.isEmpty ? nil : cat
    }

    /// The release id: the last path component of the URL, which must be all digits and > 0.
    package static func releaseID(fromSourceURL url: String) -> Int64? {
        var s = Array(url.utf8)[...]
        let scheme: Int
        if s.starts(with: "https://".utf8) { scheme = 8 } else if s.starts(with: "http://".utf8) { scheme = 7 } else { return nil }
        if let q = s.firstIndex(where: { $0 == 0x3F || $0 == 0x23 }) { s = s[..<q] }
        while s.last == 0x2F { s = s.dropLast() }
        // The host must not be empty: "https:///123" is not a URL.
        let afterScheme = s.dropFirst(scheme)
        guard let hostEnd = afterScheme.firstIndex(of: 0x2F), hostEnd > afterScheme.startIndex,
              let slash = s.lastIndex(of: 0x2F)
        else { return nil }
        let last = s[(slash + 1)...]
        guard !last.isEmpty, last.count <= 18, last.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var id: Int64 = 0
        for d in last { id = id * 10 + Int64(d - 0x30) }
        return id > 0 ? id : nil
    }

    /// Thai when Thai scalars are at least 15% of the Thai scalars plus ASCII letters in the title
    /// and body (the first 4 KB of them, plenty to decide). Over the 2020-2024 corpus English
    /// releases stay under 9% (names, acronyms) and Thai ones over 22%, even those dense with
    /// English terms, so the cut sits in a wide gap. English releases keep a Thai date line,
    /// which is not part of this text.
    package static func detectLanguage(title: String, paragraphs: [String]) -> Language {
        var thai = 0
        var latin = 0
        var budget = 4 << 10
        func count(_ s: String) {
            guard budget > 0 else { return }
            var s = s
            s.withUTF8 { buf in
                budget -= buf.count
                for b in buf {
                    if b == 0xE0 { thai += 1 }  // every Thai scalar's UTF-8 starts with E0 B8/B9
                    else if (b | 0x20) &- 0x61 < 26 { latin += 1 }
                }
            }
        }
        count(title)
        for p in paragraphs { count(p) }
        return thai + latin == 0 || thai * 100 >= 15 * (thai + latin) ? .th : .en
    }

    /// A 64-bit non-cryptographic hash of the canonical fields, as 16 hex digits: FNV-1a's
    /// xor-then-multiply step applied to 8-byte little-endian words (8x fewer multiplies than
    /// byte-wise FNV-1a), then a final avalanche (the MurmurHash3 fmix64). Fields are separated by
    /// 0x1F and paragraphs by 0x1E so that moving text between fields changes the hash.
    /// For spotting the same release again (duplicate detection) only: not cryptographic, and
    /// not to be used where an adversary could choose collisions. The value is stored, so the
    /// algorithm must not change without re-hashing.
    package static func contentHash(
        title: String, published: CivilDate, category: String, language: Language, paragraphs: [String]
    ) -> String {
        var hasher = WordHasher()
        hasher.add(title); hasher.add(0x1F)
        hasher.add(published.description); hasher.add(0x1F)
        hasher.add(category); hasher.add(0x1F)
        hasher.add(language.rawValue); hasher.add(0x1F)
        for (i, p) in paragraphs.enumerated() {
            if i > 0 { hasher.add(0x1E) }
            hasher.add(p)
        }
        let h = hasher.finish()
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.utf8.count) + hex
    }

    struct WordHasher {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var pending: UInt64 = 0
        var pendingCount = 0
        var length: UInt64 = 0

        @inline(__always) mutating func mixWord(_ w: UInt64) {
            h = (h ^ w) &* 0x0000_0100_0000_01B3
        }

        mutating func add(_ b: UInt8) {
            pending |= UInt64(b) << (8 * UInt64(pendingCount))
            pendingCount += 1
            length += 1
            if pendingCount == 8 {
                mixWord(pending)
                pending = 0
                pendingCount = 0
            }
        }

        mutating func add(_ s: String) {
            var s = s
            s.withUTF8 { buf in
                var i = 0
                let n = buf.count
                // Fill the pending word first so that whole words can be read afterwards.
                while pendingCount != 0 && i < n {
                    add(buf[i])
                    i += 1
                }
                if let base = buf.baseAddress {
                    while i + 8 <= n {
                        mixWord(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
                        i += 8
                        length += 8
                    }
                }
                while i < n {
                    add(buf[i])
                    i += 1
                }
            }
        }

        func finish() -> UInt64 {
            var x = h
            if pendingCount > 0 { x = (x ^ pending) &* 0x0000_0100_0000_01B3 }
            x ^= length
            x ^= x >> 33
            x = x &* 0xff51_afd7_ed55_8ccd
            x ^= x >> 33
            x = x &* 0xc4ce_b9fe_1a85_ec53
            x ^= x >> 33
            return x
        }
    }
}

/// One parse of a thaigov file over its bytes.
enum ThaigovParse {
    struct Line {
        var start: Int
        var end: Int
        var number: Int
        var count: Int { end - start }
    }

    static let fullPrefix = Array("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-".utf8)
    static let barePrefix = Array("รัฐบาลไทย-".utf8)
    static let footerWord = Array("ที่มา".utf8)
    static let printWord = Array("พิมพ์".utf8)
    static let dayWord = Array("วัน".utf8)

    static func run(_ input: UnsafeBufferPointer<UInt8>, categoryName: String, maxBytes: Int) -> Result<Release, ReleaseError> {
        do throws(ReleaseError) {
            return .success(try parse(input, categoryName: categoryName, maxBytes: maxBytes))
        } catch {
            return .failure(error)
        }
    }

    static func quote(_ norm: [UInt8], _ l: Line) -> String {
        // Error messages show at most 120 bytes of a line, cut on a scalar boundary.
        var end = l.end
        if l.count > 120 {
            end = l.start + 120
            while end > l.start && norm[end] & 0xC0 == 0x80 { end -= 1 }
        }
        let text = String(decoding: norm[l.start..<end], as: UTF8.self)
        return "\"" + text + (end < l.end ? "…" : "") + "\""
    }

    static func parse(_ input: UnsafeBufferPointer<UInt8>, categoryName: String, maxBytes: Int) throws(ReleaseError) -> Release {
        if input.count > maxBytes {
            throw ReleaseError(code: .tooLarge, message: "\(input.count) bytes, limit is \(maxBytes)")
        }
        if input.isEmpty { throw ReleaseError(code: .emptyFile, message: "the file is empty (0 bytes)") }
        // Normalise every line into one buffer (checking UTF-8 on the way); keep only the
        // non-empty lines, with their numbers. Normalising never lengthens a line except through
        // NFC, which grows the buffer itself.
        var norm = [UInt8](repeating: 0, count: input.count)
        var cursor = 0
        var lines: [Line] = []
        lines.reserveCapacity(64)
        var lineStart = 0
        var lineNo = 1
        let n = input.count
        let base = input.baseAddress!
        while lineStart <= n {
            var i = lineStart
            // Find the next CR or LF, 8 bytes at a time (no byte below 0x0E in the word).
            while i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if (w &- 0x0E0E_0E0E_0E0E_0E0E) & ~w & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            while i < n && base[i] != 0x0A && base[i] != 0x0D { i += 1 }
            let r = TextNormalizer.normalizeLine(UnsafeBufferPointer(rebasing: input[lineStart..<i]), into: &norm, at: cursor)
            if let bad = r.invalidAt {
                let off = lineStart + bad
                throw ReleaseError(
                    code: .invalidUTF8, line: lineNo,
                    message: "byte \(off) (line \(lineNo)): invalid UTF-8 (0x\(String(input[off], radix: 16, uppercase: true)))")
            }
            if r.end > cursor {
                lines.append(Line(start: cursor, end: r.end, number: lineNo))
                cursor = r.end
            }
            if i < n && base[i] == 0x0D && i + 1 < n && base[i + 1] == 0x0A { i += 1 }
            lineNo += 1
            lineStart = i + 1
        }
        guard !lines.isEmpty else {
            throw ReleaseError(code: .emptyFile, message: "no text: \(lineNo - 1) blank line(s)")
        }

        func hasPrefix(_ l: Line, _ p: [UInt8]) -> Bool {
            guard l.count >= p.count else { return false }
            for k in 0..<p.count where norm[l.start + k] != p[k] { return false }
            return true
        }
        func equal(_ a: Line, _ b: Line) -> Bool {
            guard a.count == b.count else { return false }
            for k in 0..<a.count where norm[a.start + k] != norm[b.start + k] { return false }
            return true
        }
        func string(_ l: Line) -> String { String(decoding: norm[l.start..<l.end], as: UTF8.self) }
        func string(_ start: Int, _ end: Int) -> String { String(decoding: norm[start..<end], as: UTF8.self) }

        // Title.
        let titleLine = lines[0]
        var titleStart: Int
        if hasPrefix(titleLine, fullPrefix) {
            titleStart = titleLine.start + fullPrefix.count
        } else if hasPrefix(titleLine, barePrefix) {
            titleStart = titleLine.start + barePrefix.count
        } else {
            throw ReleaseError(
                code: .missingTitle, field: "title", line: titleLine.number,
                message: "line \(titleLine.number): expected a title line starting with \"รัฐบาลไทย-\", found \(quote(norm, titleLine))")
        }
        while titleStart < titleLine.end && norm[titleStart] == 0x20 { titleStart += 1 }
        let title = Line(start: titleStart, end: titleLine.end, number: titleLine.number)

        // Date line.
        guard lines.count >= 2 else {
            throw ReleaseError(
                code: .missingDateLine, field: "published", line: titleLine.number + 1,
                message: "no date line after the title on line \(titleLine.number)")
        }
        let dateLine = lines[1]
        guard let published = ThaiCalendar.parseThaiDate(string(dateLine)) else {
            let looksLikeDate = hasPrefix(dateLine, dayWord) || (dateLine.start..<dateLine.end).contains { norm[$0] >= 0x30 && norm[$0] <= 0x39 }
            throw ReleaseError(
                code: looksLikeDate ? .badDateLine : .missingDateLine, field: "published", line: dateLine.number,
                message: "line \(dateLine.number): \(looksLikeDate ? "" : "expected a Thai date line, found ")\(quote(norm, dateLine))")
        }
        if published == CivilDate(year: 1970, month: 1, day: 1) {
            // thaigov serves empty pages dated 1 มกราคม 2513 (day zero of the Unix clock).
            throw ReleaseError(
                code: .placeholderPage, field: "published", line: dateLine.number,
                message: "line \(dateLine.number): placeholder page dated \(quote(norm, dateLine))\(title.count == 0 ? ", empty title" : "")")
        }

        // Footer: the last non-empty line.
        let footer = lines[lines.count - 1]
        guard lines.count >= 3, hasPrefix(footer, footerWord) else {
            throw ReleaseError(
                code: .missingSourceURL, field: "source_url", line: footer.number,
                message: "no \"ที่มา : <url>\" footer; last line \(footer.number) is \(quote(norm, footer))")
        }
        var u = footer.start + footerWord.count
        while u < footer.end && norm[u] == 0x20 { u += 1 }
        guard u < footer.end, norm[u] == 0x3A else {
            throw ReleaseError(
                code: .missingSourceURL, field: "source_url", line: footer.number,
                message: "line \(footer.number): footer without \":\": \(quote(norm, footer))")
        }
        u += 1
        while u < footer.end && norm[u] == 0x20 { u += 1 }
        let sourceURL = string(u, footer.end)
        guard !sourceURL.utf8.contains(0x20), let id = ReleaseParser.releaseID(fromSourceURL: sourceURL) else {
            throw ReleaseError(
                code: .badSourceURL, field: "source_url", line: footer.number,
                message: "line \(footer.number): not an http(s) URL ending in a release number: \(quote(norm, footer))")
        }

        // Body.
        var body: [Line] = []
        body.reserveCapacity(lines.count)
        var k = 2
        // Header lines between the date and the text: the optional DD/MM/YYYY line and the
        // พิมพ์ ("print") button, in either order.
        while k < lines.count - 1, isSlashDate(lines[k], norm) || (lines[k].count == printWord.count && hasPrefix(lines[k], printWord)) {
            k += 1
        }
        while k < lines.count - 1 {
            let l = lines[k]
            k += 1
            if isSeparator(l, norm) { continue }
            if l.count == printWord.count && hasPrefix(l, printWord) { continue }
            if equal(l, footer) { continue }  // the footer of a doubled body
            body.append(l)
        }
        body = removeRepeatedBlocks(body, norm: norm)
        body = dropTitleRepeats(body, title: title, norm: norm)
        // A page with a title and no other text (thaigov had only a photo or a video) is still
        // a real release: it is kept with no paragraphs, its title being its text
        // (`Release.isTitleOnly`). Only with no title either is there nothing to keep.
        guard !body.isEmpty || title.count > 0 else {
            throw ReleaseError(
                code: .emptyBody, field: "paragraphs", line: footer.number,
                message: "no title and no body text between the date on line \(dateLine.number) and the footer on line \(footer.number)")
        }
        guard title.count > 0 else {
            throw ReleaseError(code: .missingTitle, field: "title", line: titleLine.number, message: "line \(titleLine.number): empty title")
        }

        let titleText = string(title)
        let paragraphs = body.map(string)
        let category = CategoryCatalog.category(named: categoryName)
        let language = ReleaseParser.detectLanguage(title: titleText, paragraphs: paragraphs)
        return Release(
            id: id, sourceURL: sourceURL, title: titleText, published: published, category: category,
            language: language, paragraphs: paragraphs, entities: EntityExtractor.extract(from: paragraphs),
            // Over the name as found, not the canonical one: hashes stay those of the releases
            // archived before names were normalised, so sending the same file again is still a
            // duplicate (a spelling is no content change worth a version either way).
            contentHash: ReleaseParser.contentHash(
                title: titleText, published: published, category: categoryName, language: language,
                paragraphs: paragraphs))
    }

    /// `DD/MM/YYYY` (1-2 digit day and month, 2 or 4 digit year), Arabic or Thai digits.
    static func isSlashDate(_ l: Line, _ norm: [UInt8]) -> Bool {
        var groups = 0
        var digits = 0
        var p = l.start
        while p < l.end {
            let b = norm[p]
            if b >= 0x30 && b <= 0x39 {
                digits += 1
                p += 1
            } else if b == 0xE0, p + 2 < l.end, norm[p + 1] == 0xB9, norm[p + 2] >= 0x90, norm[p + 2] <= 0x99 {
                digits += 1  // ๐-๙
                p += 3
            } else if b == 0x2F {
                guard digits > 0 else { return false }
                groups += 1
                digits = 0
                p += 1
            } else {
                return false
            }
        }
        return groups == 2 && digits > 0
    }

    /// A line made only of separator characters (`***`, `____`, `-----`, `.`, `=====`, dashes).
    static func isSeparator(_ l: Line, _ norm: [UInt8]) -> Bool {
        var p = l.start
        while p < l.end {
            let b = norm[p]
            switch b {
            case 0x2A, 0x5F, 0x2D, 0x3D, 0x2E, 0x7E, 0x2B, 0x20, 0x23:
                p += 1
            case 0xE2 where p + 2 < l.end && norm[p + 1] == 0x80:
                // – — ― • … ‥
                switch norm[p + 2] {
                case 0x93, 0x94, 0x95, 0xA2, 0xA6, 0xA5: p += 3
                default: return false
                }
            default:
                return false
            }
        }
        return true
    }

    /// Drops a block of lines that immediately repeats the block before it (a doubled body,
    /// a line pasted twice): at each line, the shortest block at the end of the text kept so far
    /// that the input repeats from this line on. Candidates are the 64 most recent earlier
    /// occurrences of the line, at most 4,096 lines back.
    ///
    /// Linear time, for hostile input too: the occurrences of a line are looked up by its hash,
    /// not found by scanning back, and a candidate block is compared by a polynomial hash of its
    /// lines' hashes; bytes are compared only once the hashes agree, and a block that matches is
    /// skipped, so that comparison is paid for by the lines it drops. (Scanning back 4,096 lines
    /// from every line took 237 s for a 4 MiB file of 1.4 M two-character lines, issue 13.)
    static func removeRepeatedBlocks(_ ls: [Line], norm: [UInt8]) -> [Line] {
        guard ls.count > 1 else { return ls }
        let maxBack = 4096
        let maxTries = 64
        let lineHashes: [Int] = norm.withUnsafeBytes { raw in
            ls.map { l in
                var h = Hasher()
                h.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[l.start..<l.end]))
                return h.finalize()
            }
        }
        let block = BlockHasher(count: ls.count)
        // Prefix hashes of the input's lines, and of the output's as it grows.
        var inputPrefix = [UInt64](repeating: 0, count: ls.count + 1)
        for k in 0..<ls.count { inputPrefix[k + 1] = block.appending(inputPrefix[k], lineHashes[k]) }
        var out: [Line] = []
        out.reserveCapacity(ls.count)
        var outPrefix: [UInt64] = [0]
        outPrefix.reserveCapacity(ls.count + 1)
        // Where each line (by hash) occurs in `out`, in increasing order.
        var occurrences: [Int: [Int]] = [:]

        func sameBytes(_ a: Line, _ b: Line) -> Bool {
            a.count == b.count && norm[a.start..<a.end].elementsEqual(norm[b.start..<b.end])
        }

        var i = 0
        outer: while i < ls.count {
            if let positions = occurrences[lineHashes[i]] {
                var tries = 0
                for j in positions.reversed() {
                    let m = out.count - j
                    if m > maxBack || m > ls.count - i || tries == maxTries { break }
                    tries += 1
                    guard block.range(outPrefix, j, out.count) == block.range(inputPrefix, i, i + m) else { continue }
                    if (0..<m).allSatisfy({ sameBytes(out[j + $0], ls[i + $0]) }) {
                        i += m
                        continue outer
                    }
                }
            }
            occurrences[lineHashes[i], default: []].append(out.count)
            out.append(ls[i])
            outPrefix.append(block.appending(outPrefix[outPrefix.count - 1], lineHashes[i]))
            i += 1
        }
        return out
    }

    /// Drops the title repeated at the top of the body, also when it is split over several
    /// lines. Compared without spaces.
    static func dropTitleRepeats(_ body: [Line], title: Line, norm: [UInt8]) -> [Line] {
        let t = norm[title.start..<title.end].filter { $0 != 0x20 }
        guard !t.isEmpty else { return body }
        var cursor = 0
        var drop = 0
        for l in body {
            // Does the line, without spaces, equal t[cursor..<cursor+len]?
            var p = cursor
            var q = l.start
            var ok = true
            while q < l.end {
                let b = norm[q]
                q += 1
                if b == 0x20 { continue }
                if p >= t.count || t[p] != b {
                    ok = false
                    break
                }
                p += 1
            }
            let len = p - cursor
            guard ok, len > 0 else { break }
            // A short fragment equal to the start of the title is probably a body line.
            if len < t.count && len < 12 { break }
            cursor = p
            if cursor == t.count { cursor = 0 }
            drop += 1
        }
        return Array(body[drop...])
    }
}
