import Hummingbird
import HTTPTypes

/// Responses of a page, an error page or an asset.
enum WebResponses {
    static func html(_ status: HTTPResponse.Status = .ok, _ body: String, timing: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        if let timing { headers[.serverTiming] = timing }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: HTTPResponse.Status, thai: String, english: String, detail: String?, view: SearchView? = nil, fragment: Bool = false) -> Response {
        if fragment { return html(status, ErrorPage.section(thai: thai, english: english, detail: detail)) }
        return html(status, ErrorPage.render(status: status.code, thai: thai, english: english, detail: detail, view: view))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=31536000, immutable"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
