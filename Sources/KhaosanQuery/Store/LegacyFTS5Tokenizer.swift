import GRDB

/// Stands in for the FTS5 tokenizer `khaosan_thai` of schema v1, only so that migration v2 can
/// drop the old FTS5 table: SQLite must load a virtual table's tokenizer to destroy it. It never
/// tokenizes anything; the search index replaced FTS5 (KhaosanIndex).
final class LegacyFTS5Tokenizer: FTS5CustomTokenizer {
    static let name = "khaosan_thai"

    init(db: Database, arguments: [String]) throws {}

    func tokenize(context: UnsafeMutableRawPointer?, tokenization: FTS5Tokenization, pText: UnsafePointer<CChar>?,
                  nText: CInt, tokenCallback: @escaping FTS5TokenCallback) -> CInt { 0 }
}
