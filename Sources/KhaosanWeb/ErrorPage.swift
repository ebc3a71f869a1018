/// Pages for what went wrong, Thai first: a missing release, a bad parameter or query, the query
/// service away. Every message from elsewhere is escaped.
package enum ErrorPage {
    package static func render(status: Int, thai: String, english: String, detail: String?, view: SearchView?) -> String {
        PageLayout.page(title: "\(status) · \(thai) · Khaosan", view: view, body: section(thai: thai, english: english, detail: detail))
    }

    /// The message alone: what /results answers, put in place of the results by the script.
    package static func section(thai: String, english: String, detail: String?) -> String {
        var body = "<section class=\"error\"><h1>\(HTML.escape(thai)) <span class=\"en\">(\(HTML.escape(english)))</span></h1>"
        if let detail { body += "<p class=\"detail\">\(HTML.escape(detail))</p>" }
        return body + "<p><a href=\"/\">กลับหน้าแรก (back to the start)</a></p></section>"
    }
}
