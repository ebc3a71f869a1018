import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Logging

/// QueryService/Export (issue 16, item 3): every hit of a query, in publication date then id
/// order, as a stream. Memory stays flat whatever the number of hits: the index is paged
/// (`HitPager`, 1,024 hits a page), rows are read from SQLite 64 releases at a time with the next
/// read running while the current rows are sent, and `send` waits whenever the client's window
/// (64 messages) is full, so a slow reader holds the handler back instead of letting rows pile
/// up here. A response message carries about 256 KiB of text, so at most some 16 MiB are in
/// flight per export, however long.
extension QueryHandlers {
    /// Text bytes per response message (a larger release goes alone; it fits, as every stored
    /// release fits one message).
    static let defaultExportMessageBytes = 256 << 10
    /// Releases per SQLite read transaction.
    static let exportReadReleases = 64
    /// Exports at once, at most 16 MiB of responses each in flight: 128 MiB in all.
    static let maxConcurrentExports = 8

    func registerExport(into router: inout RPCRouter) {
        router.serverStreaming(KhaosanMethods.export) { (request: ExportRequest, sink: ResponseSink<ExportResponse>, context) in
            guard exportSlots.acquire() else {
                throw RPCError(code: .resourceExhausted,
                               message: "\(exportSlots.limit) exports are running, the most khaosan-queryd runs at once; try again when one ends",
                               metadata: [Metadata.refusalKey: "exports"])
            }
            defer { exportSlots.release() }
            let query = ExportQuery(text: request.query, from: request.from, to: request.to, categories: request.categories,
                                    language: request.language, wholeWords: request.wholeWords)
            let deadline = context.deadline
            let (fullText, versions) = (request.fullText, request.versions)
            let pager = try await db("export") { try store.exportPager(query) }
            let total = UInt64(try await db("export") { try store.exportStep(deadline: deadline) { (c) throws(IndexError) in try pager.total(cancelled: c) } })

            var page: [IndexHit] = []
            var at = 0
            var cursor: HitPager.Cursor?
            var ended = false
            // The next releases to read, taking a new index page when the current one is used up.
            func nextSlice() async throws -> ArraySlice<IndexHit>? {
                if at == page.count {
                    if ended { return nil }
                    let after = cursor
                    page = try await db("export") {
                        try store.exportStep(deadline: deadline) { (c) throws(IndexError) in try pager.page(after: after, limit: ExportQuery.pageHits, cancelled: c) }
                    }
                    at = 0
                    ended = page.count < ExportQuery.pageHits
                    guard let last = page.last else { return nil }
                    cursor = HitPager.Cursor(days: last.days, releaseID: last.releaseID)
                }
                let slice = page[at..<min(page.count, at + Self.exportReadReleases)]
                at = slice.endIndex
                return slice
            }
            func read(_ slice: ArraySlice<IndexHit>) -> Task<[ExportRecord], any Error> {
                Task { try await db("export_rows") { try store.exportRows(slice, fullText: fullText, versions: versions) } }
            }

            var rows: [ExportRow] = []
            var bytes = 0
            var messages = 0, sentRows = 0
            func flush() async throws {
                try await sink.send(ExportResponse(total: total, rows: rows))
                messages += 1
                sentRows += rows.count
                rows.removeAll(keepingCapacity: true)
                bytes = 0
            }
            var pending = try await nextSlice().map(read)
            defer { pending?.cancel() }
            while let reading = pending {
                let records = try await reading.value
                pending = try await nextSlice().map(read)
                for r in records {
                    let size = r.title.utf8.count + r.body.utf8.count + r.sourceURL.utf8.count + r.category.name.utf8.count + 64
                    if !rows.isEmpty && bytes + size > exportMessageBytes { try await flush() }
                    rows.append(ExportRow(id: r.id, version: UInt32(clamping: r.version), current: r.current, published: r.published,
                                          category: r.category, language: r.language, title: r.title, sourceURL: r.sourceURL, body: r.body))
                    bytes += size
                }
            }
            // Always one message, so that an export of nothing still tells the client its total.
            if !rows.isEmpty || messages == 0 { try await flush() }
            context.logger.debug("export sent", metadata: [
                "export.total": "\(total)", "export.rows": "\(sentRows)", "export.messages": "\(messages)",
            ])
        }
    }
}
