// Thai Character Clusters (Theeramunkong et al. 2000), with the refined rule set that PyThaiNLP's
// newmm uses (pythainlp/tokenize/tcc_p.py, Apache-2.0). The regular expressions there are tried
// in order and the first that matches wins; each is transcribed below as straight-line code in
// the same order, because a regex engine per cluster would cost more than the whole segmenter.
// Legend of the original patterns: c = consonant ก-ฮ, t = optional tone mark ่-๋,
// k = optional (c c? [ุูิ]? ์), i.e. a silenced final.

enum TCC {
    /// The end (exclusive) of the cluster that starts at `i` in `s[..<n]`; always > i.
    /// One change to the published rules: a non-spacing mark never starts a cluster. tcc_p cuts
    /// โปร์ as โป|ร|์ and ไลน์ as ไล|น|์, leaving the thanthakhat alone; here it stays with its
    /// consonant (โป|ร์, ไล|น์).
    @inline(__always)
    static func clusterEnd(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ n: Int) -> Int {
        var e = ruleEnd(s, i, n)
        while e < n && ThaiChar.isMark(s[e]) { e += 1 }
        return e
    }

    /// The cluster as the tcc_p rules cut it.
    @inline(__always)
    static func ruleEnd(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ n: Int) -> Int {
        @inline(__always) func at(_ j: Int) -> UInt32 { j < n ? s[j] : 0 }
        @inline(__always) func isC(_ j: Int) -> Bool { j < n && ThaiChar.isConsonant(s[j]) }
        @inline(__always) func t(_ j: Int) -> Int { j < n && ThaiChar.isTone(s[j]) ? j + 1 : j }
        // k = (c c? [ุูิ]? ์)? ; never fails, returns the position after it.
        @inline(__always) func k(_ j: Int) -> Int {
            guard isC(j) else { return j }
            if isC(j + 1) {
                let p = j + 2
                let d = at(p)
                if (d == 0x0E38 || d == 0x0E39 || d == 0x0E34) && at(p + 1) == 0x0E4C { return p + 2 }
                if d == 0x0E4C { return p + 1 }
            }
            let p = j + 1
            let d = at(p)
            if (d == 0x0E38 || d == 0x0E39 || d == 0x0E34) && at(p + 1) == 0x0E4C { return p + 2 }
            if d == 0x0E4C { return p + 1 }
            return j
        }
        // (?=[เ-ไก-ฮ]|$): the end of a Thai run counts as the end of text.
        @inline(__always) func la(_ j: Int) -> Bool {
            if j >= n { return true }
            let c = s[j]
            return (c >= 0x0E40 && c <= 0x0E44) || ThaiChar.isConsonant(c)
        }

        let c0 = s[i]
        if c0 == 0x0E40 { // เ
            guard isC(i + 1) else { return i + 1 }
            let j = i + 2 // after เc
            let x = at(j)
            // 1 เc็ck
            if x == 0x0E47 && isC(j + 1) { return k(j + 2) }
            if isC(j) {
                let j2 = j + 1 // after เcc
                // 2 เcctาะk
                do { let p = t(j2); if at(p) == 0x0E32 && at(p + 1) == 0x0E30 { return k(p + 2) } }
                // 3 เccีtยะk ; 4 เccีtย(?=...)k
                if at(j2) == 0x0E35 {
                    let p = t(j2 + 1)
                    if at(p) == 0x0E22 {
                        if at(p + 1) == 0x0E30 { return k(p + 2) }
                        if la(p + 1) { return k(p + 1) }
                    }
                }
                // 5 เcc็ck
                if at(j2) == 0x0E47 && isC(j2 + 1) { return k(j2 + 2) }
            }
            // 6 เcิc์ck
            if x == 0x0E34 && isC(j + 1) && at(j + 2) == 0x0E4C && isC(j + 3) { return k(j + 4) }
            // 7 เcิtck
            if x == 0x0E34 { let p = t(j + 1); if isC(p) { return k(p + 1) } }
            // 8 เcีtยะ?k
            if x == 0x0E35 {
                let p = t(j + 1)
                if at(p) == 0x0E22 { return k(at(p + 1) == 0x0E30 ? p + 2 : p + 1) }
            }
            // 9 เcืtอะ?k
            if x == 0x0E37 {
                let p = t(j + 1)
                if at(p) == 0x0E2D { return k(at(p + 1) == 0x0E30 ? p + 2 : p + 1) }
            }
            // 10 เc[ิีุู]tย(?=...)k
            if x == 0x0E34 || x == 0x0E35 || x == 0x0E38 || x == 0x0E39 {
                let p = t(j + 1)
                if at(p) == 0x0E22 && la(p + 1) { return k(p + 1) }
            }
            // 11 เctา?ะ?k
            var p = t(j)
            if at(p) == 0x0E32 { p += 1 }
            if at(p) == 0x0E30 { p += 1 }
            return k(p)
        }
        if ThaiChar.isConsonant(c0) {
            let j = i + 1
            let x = at(j)
            // 12 cัtวะk
            if x == 0x0E31 { let p = t(j + 1); if at(p) == 0x0E27 && at(p + 1) == 0x0E30 { return k(p + 2) } }
            // 13 c[ัื]tc[ุิะ]?k
            if x == 0x0E31 || x == 0x0E37 {
                let p = t(j + 1)
                if isC(p) {
                    let y = at(p + 1)
                    return k(y == 0x0E38 || y == 0x0E34 || y == 0x0E30 ? p + 2 : p + 1)
                }
            }
            // 14 c[ิุู]์
            if (x == 0x0E34 || x == 0x0E38 || x == 0x0E39) && at(j + 1) == 0x0E4C { return j + 2 }
            // 15 c[ะ-ู]tk
            if x >= 0x0E30 && x <= 0x0E39 { return k(t(j + 1)) }
            // 16 cรรc์
            if x == 0x0E23 && at(j + 1) == 0x0E23 && isC(j + 2) && at(j + 3) == 0x0E4C { return j + 4 }
            // 17 c็
            if x == 0x0E47 { return j + 1 }
            // 18 ct[ะาำ]?k (19 ck is subsumed)
            var p = t(j)
            let y = at(p)
            if y == 0x0E30 || y == 0x0E32 || y == 0x0E33 { p += 1 }
            return k(p)
        }
        if c0 == 0x0E41 { // แ
            guard isC(i + 1) else { return i + 1 }
            let j = i + 2
            let x = at(j)
            // 20 แc็c
            if x == 0x0E47 && isC(j + 1) { return j + 2 }
            // 21 แcc์
            if isC(j) && at(j + 1) == 0x0E4C { return j + 2 }
            // 22 แctะ
            do { let p = t(j); if at(p) == 0x0E30 { return p + 1 } }
            // 23 แcc็c
            if isC(j) && at(j + 1) == 0x0E47 && isC(j + 2) { return j + 3 }
            // 24 แccc์
            if isC(j) && isC(j + 1) && at(j + 2) == 0x0E4C { return j + 3 }
            // 26 [เ-ไ]ct
            return t(j)
        }
        if c0 == 0x0E42 { // โ
            guard isC(i + 1) else { return i + 1 }
            let p = t(i + 2)
            // 25 โctะ ; 26 [เ-ไ]ct
            return at(p) == 0x0E30 ? p + 1 : p
        }
        if c0 == 0x0E43 || c0 == 0x0E44 { // ใ ไ: 26 [เ-ไ]ct
            guard isC(i + 1) else { return i + 1 }
            return t(i + 2)
        }
        return i + 1
    }
}
