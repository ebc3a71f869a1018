import GRDB

extension ReleaseStore {
    /// Ids per `IN (...)` list: below SQLite's default limit of host parameters.
    static let idsPerQuery = 500

    /// Runs `select` (a statement whose WHERE ends in `IN (` + the placeholders + `)`, given the
    /// placeholders) over `ids` in chunks, and hands every row to `body`.
    static func forEachRow(_ db: Database, ids: [Int64], _ select: (_ placeholders: String) -> String,
                           _ body: (Row) throws -> Void) throws {
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + idsPerQuery, ids.count)])
            start += chunk.count
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try Row.fetchCursor(db, sql: select(marks), arguments: StatementArguments(chunk))
            while let r = try rows.next() { try body(r) }
        }
    }
}
