import GRDB
import KhaosanThai

/// The FTS5 tokenizer `khaosan_thai`.
///
/// Documents go through ThaiAnalyzer's index stream. Queries do not: the query parser has already
/// turned the user's words into analyser tokens and quoted them, so a quoted string is split on
/// ASCII spaces and each piece passed through unchanged (re-analysing a bigram would split it again).
final class ThaiFTS5Tokenizer: FTS5CustomTokenizer {
    static let name = "khaosan_thai"

    init(db: Database, arguments: [String]) throws {}

    func tokenize(
        context: UnsafeMutableRawPointer?,
        tokenization: FTS5Tokenization,
        pText: UnsafePointer<CChar>?,
        nText: CInt,
        tokenCallback: @escaping FTS5TokenCallback
    ) -> CInt {
        let ok: CInt = 0  // SQLITE_OK
        guard let pText, nText > 0 else { return ok }
        let n = Int(nText)
        if tokenization.contains(.query) {
            var start = 0
            var i = 0
            while i <= n {
                if i == n || pText[i] == 0x20 {
                    if i > start {
                        let rc = tokenCallback(context, 0, pText + start, CInt(i - start), CInt(start), CInt(i))
                        if rc != ok { return rc }
                    }
                    start = i + 1
                }
                i += 1
            }
            return ok
        }
        let bytes = pText.withMemoryRebound(to: UInt8.self, capacity: n) { UnsafeBufferPointer(start: $0, count: n) }
        if let stream = PretokenizedTexts.shared.stream(for: bytes) {
            return stream.bytes.withUnsafeBufferPointer { tb in
                tb.withMemoryRebound(to: CChar.self) { p in
                    var from = 0
                    for i in 0..<stream.ends.count {
                        let to = Int(stream.ends[i])
                        let rc = tokenCallback(context, 0, p.baseAddress! + from, CInt(to - from), stream.starts[i], stream.stops[i])
                        if rc != ok { return rc }
                        from = to
                    }
                    return ok
                }
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var rc = ok
        ThaiAnalyzer.shared.indexTokenBytes(text) { bytes, range in
            rc = bytes.withMemoryRebound(to: CChar.self) { p in
                tokenCallback(context, 0, p.baseAddress, CInt(p.count), CInt(range.lowerBound), CInt(range.upperBound))
            }
            return rc == ok
        }
        return rc
    }
}

