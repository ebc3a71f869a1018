import Hummingbird
import HTTPTypes

/// What every request meets before a page is made, and every response carries after: only GET
/// and HEAD (nothing here changes state, so nothing needs another method), no request body, a
/// bounded URL, a Host naming this server, the rate limit; then a strict
/// Content-Security-Policy and the other headers that keep a page from being framed, sniffed
/// or leaking its URL. A route that does not exist gets the 404 page.
struct SafetyMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let hosts: Set<String>
    let maxURLBytes: Int

    /// No inline script or style, nothing from another origin; `connect-src 'self'` for the
    /// script's fetch of /results.
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if request.method != .get && request.method != .head {
            response = WebResponses.error(.methodNotAllowed, thai: "ไม่รับคำขอแบบนี้", english: "method not allowed",
                                          detail: "\(request.method.rawValue): this server only answers GET and HEAD")
            response.headers[.allow] = "GET, HEAD"
        } else if request.uri.string.utf8.count > maxURLBytes {
            response = WebResponses.error(.uriTooLong, thai: "ที่อยู่ยาวเกินไป", english: "URL too long",
                                          detail: "the URL is \(request.uri.string.utf8.count) bytes; at most \(maxURLBytes)")
        } else if request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 {
            response = WebResponses.error(.contentTooLarge, thai: "คำขอมีเนื้อหาเกิน", english: "request body not allowed",
                                          detail: "a GET here carries no body")
        } else if !hostAllowed(request.head.authority ?? request.headers[.host]) {
            response = WebResponses.error(.misdirectedRequest, thai: "ชื่อโฮสต์ไม่ถูกต้อง", english: "unknown host",
                                          detail: "Host \(request.head.authority ?? "(none)") is not this server's name (add it with --allowed-host)")
        } else if let wait = limiter.take() {
            response = WebResponses.error(.tooManyRequests, thai: "คำขอถี่เกินไป", english: "too many requests",
                                          detail: "try again in a moment")
            response.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
        } else {
            do {
                response = try await next(request, context)
            } catch let e as HTTPError where e.status == .notFound {
                response = WebResponses.error(.notFound, thai: "ไม่พบหน้านี้", english: "page not found", detail: request.uri.path)
            }
        }
        if request.method == .head { response.body = ResponseBody() }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        response.headers[.crossOriginResourcePolicy] = "same-origin"
        return response
    }

    /// The host part of a Host header (port dropped) must be a loopback name, the address
    /// listened on, or one configured.
    func hostAllowed(_ authority: String?) -> Bool {
        guard let authority, !authority.isEmpty else { return false }
        var name = authority.lowercased()
        if name.hasPrefix("[") {
            if let end = name.firstIndex(of: "]") { name = String(name[...end]) }
        } else if let colon = name.lastIndex(of: ":") {
            name = String(name[..<colon])
        }
        return hosts.contains(name)
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let serverTiming = HTTPField.Name("Server-Timing")!
    static let khaosanTotal = HTTPField.Name("X-Khaosan-Total")!
    static let khaosanRows = HTTPField.Name("X-Khaosan-Rows")!
    static let host = HTTPField.Name("Host")!
}
