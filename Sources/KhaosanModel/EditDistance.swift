/// Levenshtein distance over Unicode scalars, not Characters: Thai writes a vowel or a tone mark
/// as a scalar of its own, which Swift folds into the consonant's grapheme cluster, so over
/// Characters `ด้าน` and `ดาน` would be one edit apart only by accident of clustering and a
/// wrong tone mark could cost as much as a wrong word. Per scalar, a missing or wrong mark is
/// one edit, like a wrong Latin letter.
package enum EditDistance {
    package static func levenshtein(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
