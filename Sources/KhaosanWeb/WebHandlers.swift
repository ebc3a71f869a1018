import Hummingbird
import HTTPTypes
import KhaosanModel
package import KhaosanRPC
import KhaosanWire
package import Logging

/// The routes: pages made from khaosan-queryd's answers over one shared client connection.
/// Every route is a GET that reads; nothing here writes anywhere.
package struct WebHandlers: Sendable {
    let client: RPCClient
    let export: SearchExport
    let logger: Logger

    package init(client: RPCClient, exportCap: Int, logger: Logger) {
        self.client = client
        self.export = SearchExport(client: client, cap: exportCap)
        self.logger = logger
    }

    func register(_ router: Router<BasicRequestContext>) {
        // Each route answers HEAD as well (SafetyMiddleware then drops the body).
        func route(_ path: RouterPath, _ handler: @escaping @Sendable (Request, BasicRequestContext) async -> Response) {
            router.on(path, method: .get, use: handler)
            router.on(path, method: .head, use: handler)
        }
        route("/") { request, _ in await self.search(request, fragment: false) }
        route("/results") { request, _ in await self.search(request, fragment: true) }
        route("/release/:id") { request, context in await self.release(request, id: context.parameters.get("id")) }
        route("/export.csv") { request, _ in await self.download(request, format: .csv) }
        route("/export.jsonl") { request, _ in await self.download(request, format: .jsonl) }
        route(RouterPath(StaticAssets.jsPath)) { _, _ in WebResponses.asset(StaticAssets.js, type: "text/javascript; charset=utf-8") }
        route(RouterPath(StaticAssets.cssPath)) { _, _ in WebResponses.asset(StaticAssets.css, type: "text/css; charset=utf-8") }
        route("/healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
    }

    /// The search page, or with `fragment` only its results part (what the script fetches).
    /// Search, the timeline and the two language counts are asked at once.
    func search(_ request: Request, fragment: Bool) async -> Response {
        let started = ContinuousClock.now
        let view: SearchView
        do {
            view = try SearchView(form: FormQuery(parsing: request.uri.query))
        } catch {
            return WebResponses.error(.badRequest, thai: "พารามิเตอร์ไม่ถูกต้อง", english: "bad parameter", detail: error.description, fragment: fragment)
        }
        do {
            let body: String
            // When the last answer came: Server-Timing's split between khaosan-queryd and rendering.
            var queried = ContinuousClock.now
            if view.query.isEmpty {
                async let latest: LatestResponse = client.unary(KhaosanMethods.latest, LatestRequest(limit: UInt32(SearchView.pageSize)))
                async let stats: StatsResponse = client.unary(KhaosanMethods.stats, StatsRequest())
                let (hits, s) = (try await latest.hits, try? await stats)
                queried = ContinuousClock.now
                body = SearchPage.landing(latest: hits, stats: s)
            } else if view.rangeIsEmpty {
                body = SearchPage.fragment(view, .init(search: SearchResponse(), timeline: nil, period: .month, languages: []))
            } else {
                let period = view.timelinePeriod
                async let search: SearchResponse = client.unary(KhaosanMethods.search, view.searchRequest())
                async let timeline: TimelineResponse = client.unary(KhaosanMethods.timeline, view.timelineRequest(period: period, language: view.language))
                async let thai: TimelineResponse = client.unary(KhaosanMethods.timeline, view.timelineRequest(period: nil, language: .th))
                async let english: TimelineResponse = client.unary(KhaosanMethods.timeline, view.timelineRequest(period: nil, language: .en))
                let results = SearchPage.Results(
                    search: try await search, timeline: try await timeline, period: period,
                    languages: [(.th, try await thai.series.first?.total ?? 0), (.en, try await english.series.first?.total ?? 0)]
                        .filter { $0.1 > 0 })
                queried = ContinuousClock.now
                body = SearchPage.fragment(view, results)
            }
            let html = fragment ? body : PageLayout.page(title: SearchPage.title(view), view: view, body: body)
            return WebResponses.html(.ok, html, timing: Self.timing(started, queried))
        } catch {
            return failure(error, view: view, fragment: fragment)
        }
    }

    func release(_ request: Request, id: String?) async -> Response {
        let started = ContinuousClock.now
        guard let id, let n = Int64(id), n > 0 else { return notFound(id ?? "") }
        let form = FormQuery(parsing: request.uri.query)
        var shown: UInt32?
        if let v = form.first("version") {
            guard let n = UInt32(v), n > 0 else {
                return WebResponses.error(.badRequest, thai: "พารามิเตอร์ไม่ถูกต้อง", english: "bad parameter", detail: "version: '\(v)' is not a version number")
            }
            shown = n
        }
        do {
            let r: GetResponse = try await client.unary(KhaosanMethods.get, GetRequest(id: n, includeVersions: true))
            guard let current = r.release else { return notFound(id) }
            let version = shown ?? r.version
            guard version == r.version || r.versions.contains(where: { $0.version == version }) else {
                return WebResponses.error(.notFound, thai: "ไม่พบฉบับนี้", english: "no such version", detail: "release \(n) has no version \(version)")
            }
            let queried = ContinuousClock.now
            let page = PageLayout.page(title: "\(current.title) · Khaosan", view: nil,
                                       body: ReleasePage.render(r, current: current, shown: version, back: nil))
            return WebResponses.html(.ok, page, timing: Self.timing(started, queried))
        } catch let e as RPCError where e.code == .notFound {
            return notFound(id)
        } catch {
            return failure(error, view: nil, fragment: false)
        }
    }

    /// The current query's hits as a file, streamed page by page (see SearchExport for the cap).
    func download(_ request: Request, format: ExportFormat) async -> Response {
        let view: SearchView
        do {
            view = try SearchView(form: FormQuery(parsing: request.uri.query))
        } catch {
            return WebResponses.error(.badRequest, thai: "พารามิเตอร์ไม่ถูกต้อง", english: "bad parameter", detail: error.description)
        }
        guard !view.query.isEmpty else {
            return WebResponses.error(.badRequest, thai: "ยังไม่มีคำค้น", english: "no query", detail: "q: a download needs a query")
        }
        let first: SearchResponse
        do {
            first = view.rangeIsEmpty ? SearchResponse() : try await export.first(view)
        } catch {
            return failure(error, view: view, fragment: false)
        }
        let export = self.export
        let logger = self.logger
        let rows = min(Int(clamping: first.total), export.cap)
        var headers: HTTPFields = [
            .contentType: format.contentType,
            .contentDisposition: "attachment; filename=\"khaosan-search.\(format.rawValue)\"",
            .cacheControl: "no-store",
        ]
        headers[.khaosanTotal] = String(first.total)
        headers[.khaosanRows] = String(rows)
        let body = ResponseBody { writer in
            var rank = 0
            try await writer.write(ByteBuffer(string: format.header))
            do {
                try await export.pages(view, after: first) { hits in
                    var chunk = ""
                    for h in hits {
                        rank += 1
                        chunk += format.row(h, rank: rank)
                    }
                    try await writer.write(ByteBuffer(string: chunk))
                }
            } catch {
                // The status line is gone; a cut-off file is all that can say so, and the log.
                logger.warning("export stopped after \(rank) rows: \(error)")
                throw error
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    func notFound(_ id: String) -> Response {
        WebResponses.error(.notFound, thai: "ไม่พบข่าวนี้", english: "release not found", detail: "ไม่มีข่าวรหัส (no release with id) \(id)")
    }

    /// A query service answer as a page: the query's own fault is 400 with the parser's
    /// message, the service away 503, too slow 504; anything else 500 and logged.
    func failure(_ error: any Error, view: SearchView?, fragment: Bool) -> Response {
        let e = RPCError(wrapping: error)
        let response: Response
        switch e.code {
        case .invalidArgument:
            response = WebResponses.error(.badRequest, thai: "คำค้นไม่ถูกต้อง", english: "the query does not parse", detail: e.message, view: view, fragment: fragment)
        case .unavailable, .resourceExhausted:
            response = WebResponses.error(.serviceUnavailable, thai: "ระบบค้นหาไม่พร้อม", english: "the query service is not available", detail: e.message, view: view, fragment: fragment)
        case .deadlineExceeded:
            response = WebResponses.error(.gatewayTimeout, thai: "ค้นหานานเกินไป", english: "the search took too long", detail: e.message, view: view, fragment: fragment)
        default:
            logger.error("query service call failed: \(e)")
            response = WebResponses.error(.internalServerError, thai: "เกิดข้อผิดพลาด", english: "internal error", detail: e.description, view: view, fragment: fragment)
        }
        return response
    }

    static func timing(_ started: ContinuousClock.Instant, _ queried: ContinuousClock.Instant) -> String {
        let now = ContinuousClock.now
        func ms(_ d: Duration) -> String {
            let us = d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
            return String(Double(us) / 1000)
        }
        return "queryd;dur=\(ms(started.duration(to: queried))), render;dur=\(ms(queried.duration(to: now))), total;dur=\(ms(started.duration(to: now)))"
    }
}
