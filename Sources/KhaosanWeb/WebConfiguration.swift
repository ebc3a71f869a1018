/// khaosan-web's settings (flags and config file keys in the executable).
package struct WebConfiguration: Sendable {
    /// Loopback unless configured otherwise: the pages have no login.
    package var host: String = "127.0.0.1"
    /// 0: any free port (the log line "listening on" says which).
    package var port: Int = 8470
    package var querySocket: String
    /// Host header values accepted besides the listening address's own (DNS rebinding: a page
    /// elsewhere must not reach this server through a name that points at 127.0.0.1).
    package var allowedHosts: Set<String> = []
    /// Requests per second over all clients, and the burst; 0 turns the limit off.
    package var ratePerSecond: Double = 30
    package var rateBurst: Double = 60
    /// Request line and headers; a GET has no body.
    package var maxURLBytes: Int = 4096
    package var exportCap: Int = SearchExport.defaultCap
    /// Deadline of each call to khaosan-queryd.
    package var callTimeout: Duration = .seconds(10)

    package init(querySocket: String) { self.querySocket = querySocket }
}
