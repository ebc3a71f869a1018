import KhaosanThai

/// Word-by-word differences of two texts (issue 16, "what changed"): tokens are the analyser's
/// words (Thai cut at dictionary word boundaries, Latin words, numbers) and every character
/// between them on its own (spaces, punctuation, the "\n" between paragraphs), so the edits
/// cover both texts exactly. Myers' O(ND) algorithm over the tokens, after the common prefix and
/// suffix are cut off.
enum WordDiff {
    /// Beyond this many token edits the changed middle is given as one deletion and one
    /// insertion: the trace Myers keeps grows with the square of the distance (2,000 edits:
    /// 16 MB), and such versions have little left in common to show.
    static let maxEditDistance = 2_000

    /// `old` and `new` cut into edits: equal + delete texts concatenated are `old`, equal +
    /// insert texts are `new`. Within a run of changes the deletion comes first, and a run of
    /// spaces or punctuation alone between two changes is part of the change, so a rewritten
    /// phrase reads as one deletion and one insertion.
    static func edits(old: String, new: String, analyzer: ThaiAnalyzer = .shared) -> [WordEdit] {
        if old == new { return old.isEmpty ? [] : [WordEdit(kind: .equal, text: old)] }
        let a = tokens(old, analyzer: analyzer), b = tokens(new, analyzer: analyzer)
        var ids: [Substring: Int32] = [:]
        func intern(_ t: [Token]) -> [Int32] {
            t.map { tok in
                if let id = ids[tok.text] { return id }
                let id = Int32(ids.count)
                ids[tok.text] = id
                return id
            }
        }
        let ops = script(intern(a), intern(b))
        // Token ops to merged runs, marking runs of word tokens apart from gap-only runs.
        var runs: [(kind: WordEdit.Kind, text: String, hasWord: Bool)] = []
        var i = 0, j = 0
        for op in ops {
            let tok: Token
            switch op {
            case .equal: tok = b[j]; i += 1; j += 1
            case .delete: tok = a[i]; i += 1
            case .insert: tok = b[j]; j += 1
            }
            if let last = runs.last, last.kind == op {
                runs[runs.count - 1].text += tok.text
                runs[runs.count - 1].hasWord = last.hasWord || tok.isWord
            } else {
                runs.append((op, String(tok.text), tok.isWord))
            }
        }
        // Regroup: each maximal stretch of changes (absorbing gap-only equal runs between two
        // changes) becomes one deletion then one insertion.
        var out: [WordEdit] = []
        var deleted = "", inserted = ""
        func flush() {
            if !deleted.isEmpty { out.append(WordEdit(kind: .delete, text: deleted)) }
            if !inserted.isEmpty { out.append(WordEdit(kind: .insert, text: inserted)) }
            deleted = ""; inserted = ""
        }
        for (k, run) in runs.enumerated() {
            switch run.kind {
            case .delete: deleted += run.text
            case .insert: inserted += run.text
            case .equal:
                let between = k > 0 && k + 1 < runs.count && runs[k - 1].kind != .equal && runs[k + 1].kind != .equal
                if between && !run.hasWord {
                    deleted += run.text
                    inserted += run.text
                } else {
                    flush()
                    out.append(WordEdit(kind: .equal, text: run.text))
                }
            }
        }
        flush()
        return out
    }

    /// The paragraphs of two versions matched as whole strings first (Myers over paragraphs),
    /// so an added or a removed paragraph does not shift every one after it; in a run of
    /// changed paragraphs the k-th old one is compared word by word with the k-th new one and
    /// the rest are wholly removed or added. Unchanged paragraphs come as one equal edit.
    static func paragraphs(old: [String], new: [String], analyzer: ThaiAnalyzer = .shared) -> [FieldDiff] {
        var ids: [String: Int32] = [:]
        func intern(_ p: [String]) -> [Int32] {
            p.map { s in
                if let id = ids[s] { return id }
                let id = Int32(ids.count)
                ids[s] = id
                return id
            }
        }
        var out: [FieldDiff] = []
        var i = 0, j = 0
        var gone: [Int] = [], added: [Int] = []
        func flush() {
            for k in 0..<max(gone.count, added.count) {
                let o = k < gone.count ? gone[k] : nil, n = k < added.count ? added[k] : nil
                let edits = edits(old: o.map { old[$0] } ?? "", new: n.map { new[$0] } ?? "", analyzer: analyzer)
                out.append(FieldDiff(name: "paragraph", oldNumber: o.map { $0 + 1 }, newNumber: n.map { $0 + 1 }, edits: edits))
            }
            gone = []; added = []
        }
        for op in script(intern(old), intern(new)) {
            switch op {
            case .equal:
                flush()
                out.append(FieldDiff(name: "paragraph", oldNumber: i + 1, newNumber: j + 1,
                                     edits: old[i].isEmpty ? [] : [WordEdit(kind: .equal, text: old[i])]))
                i += 1; j += 1
            case .delete: gone.append(i); i += 1
            case .insert: added.append(j); j += 1
            }
        }
        flush()
        return out
    }

    struct Token {
        var text: Substring
        var isWord: Bool
    }

    /// The analyser's words, and each character outside them alone, in order, covering `text`.
    static func tokens(_ text: String, analyzer: ThaiAnalyzer = .shared) -> [Token] {
        let words = analyzer.words(text)
        let scalars = text.unicodeScalars
        var out: [Token] = []
        out.reserveCapacity(words.count * 2)
        var at = scalars.startIndex
        var offset = 0 // UTF-8 offset of `at`
        func advance(to target: Int) -> String.UnicodeScalarView.Index {
            var idx = at, off = offset
            while off < target && idx < scalars.endIndex {
                off += UTF8.width(scalars[idx])
                idx = scalars.index(after: idx)
            }
            return idx
        }
        func gap(until end: Int) {
            while offset < end && at < scalars.endIndex {
                let next = scalars.index(after: at)
                out.append(Token(text: Substring(scalars[at..<next]), isWord: false))
                offset += UTF8.width(scalars[at])
                at = next
            }
        }
        for w in words where w.utf8Range.lowerBound >= offset {
            gap(until: w.utf8Range.lowerBound)
            let end = advance(to: w.utf8Range.upperBound)
            out.append(Token(text: Substring(scalars[at..<end]), isWord: true))
            offset = w.utf8Range.upperBound
            at = end
        }
        gap(until: Int.max)
        return out
    }

    /// The shortest edit script from `a` to `b`, one op per token.
    static func script(_ a: [Int32], _ b: [Int32]) -> [WordEdit.Kind] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)]), midB = Array(b[prefix..<(b.count - suffix)])
        var ops = [WordEdit.Kind](repeating: .equal, count: prefix)
        if let middle = myers(midA, midB, maxD: maxEditDistance) {
            ops += middle
        } else {
            ops += [WordEdit.Kind](repeating: .delete, count: midA.count)
            ops += [WordEdit.Kind](repeating: .insert, count: midB.count)
        }
        ops += [WordEdit.Kind](repeating: .equal, count: suffix)
        return ops
    }

    /// Myers' greedy forward search; nil when more than `maxD` edits are needed.
    static func myers(_ a: [Int32], _ b: [Int32], maxD: Int) -> [WordEdit.Kind]? {
        let n = a.count, m = b.count
        if n == 0 { return [WordEdit.Kind](repeating: .insert, count: m) }
        if m == 0 { return [WordEdit.Kind](repeating: .delete, count: n) }
        let limit = min(n + m, maxD)
        let offset = limit + 1
        var v = [Int32](repeating: 0, count: 2 * limit + 3)
        // trace[d]: v[k] for k in -d-1...d+1 as it was before step d.
        var trace: [[Int32]] = []
        var final = -1
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = Int(v[offset + k + 1])
                } else {
                    x = Int(v[offset + k - 1]) + 1
                }
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = Int32(x)
                if x >= n && y >= m { final = d; break search }
            }
        }
        guard final >= 0 else { return nil }
        var ops: [WordEdit.Kind] = []
        ops.reserveCapacity(n + m)
        var x = n, y = m
        for d in stride(from: final, through: 0, by: -1) {
            let prev = trace[d]
            func at(_ k: Int) -> Int { Int(prev[k + d + 1]) }
            let k = x - y
            let prevK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let prevX = d == 0 ? 0 : at(prevK)
            let prevY = d == 0 ? 0 : prevX - prevK
            while x > prevX && y > prevY { ops.append(.equal); x -= 1; y -= 1 }
            if d > 0 {
                ops.append(x == prevX ? .insert : .delete)
                x = prevX; y = prevY
            }
        }
        return ops.reversed()
    }
}
