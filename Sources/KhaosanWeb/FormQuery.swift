/// An `application/x-www-form-urlencoded` query string, as a browser's GET form sends it: pairs
/// in order, keys repeatable. Parsed by hand because the view must read `+` as a space and
/// decode keys as well as values, and built back in one canonical order so that a URL names
/// one view.
package struct FormQuery: Sendable, Hashable {
    package var pairs: [(key: String, value: String)]

    package init(_ pairs: [(key: String, value: String)] = []) { self.pairs = pairs }

    package static func == (a: FormQuery, b: FormQuery) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    package func hash(into h: inout Hasher) {
        for p in pairs { h.combine(p.key); h.combine(p.value) }
    }

    /// `raw` is what follows `?` (nil or empty: no pairs). Bad percent escapes are kept as
    /// written; bytes that do not decode to UTF-8 become U+FFFD.
    package init(parsing raw: String?) {
        pairs = []
        guard let raw, !raw.isEmpty else { return }
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : ""))
        }
    }

    package func first(_ key: String) -> String? { pairs.first { $0.key == key }?.value }
    package func all(_ key: String) -> [String] { pairs.filter { $0.key == key }.map(\.value) }

    /// `k=v&k2=v2`, percent-encoded (space as `+`).
    package var encoded: String {
        pairs.map { Self.encode($0.key) + "=" + Self.encode($0.value) }.joined(separator: "&")
    }

    static func decode(_ s: Substring) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "%"), i + 2 < b.count, let hi = hex(b[i + 1]), let lo = hex(b[i + 2]) {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Unreserved characters as they are, space as `+`, every other byte as `%XX`.
    package static func encode(_ s: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(c)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), digits[Int(c >> 4)], digits[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
