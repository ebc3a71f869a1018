import ArgumentParser
import KhaosanDaemon
import KhaosanWeb
import Logging

@main
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khaosan-web",
        abstract: "Khaosan's web pages: search, timeline, facets and releases in a browser, over khaosan-queryd."
    )

    @Option(help: "Config file of key = value lines (host, port, query_socket, allowed_hosts, rate_limit, rate_burst, export_cap, log_level). Flags override it.")
    var config: String?
    @Option(help: "Address to listen on (default 127.0.0.1; the pages have no login, so think before making it anything but loopback).")
    var host: String?
    @Option(help: "TCP port (default 8470; 0: any free one, logged as 'listening on').")
    var port: Int?
    @Option(help: "Unix socket of khaosan-queryd (default: $KHAOSAN_QUERY_SOCKET, else $KHAOSAN_HOME/query.sock).")
    var querySocket: String?
    @Option(name: .customLong("allowed-host"), help: "Another name this server may be reached by, as the Host header says it (repeatable; loopback names always).")
    var allowedHosts: [String] = []
    @Option(help: "Requests per second over all clients (default 30; 0: no limit).")
    var rateLimit: Double?
    @Option(help: "Requests allowed at once above the rate (default 60).")
    var rateBurst: Double?
    @Option(help: "Most rows in one CSV or JSON Lines download (default 10000).")
    var exportCap: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        let file = try config.map { try ConfigFile(path: $0) } ?? ConfigFile()
        DaemonRunner.bootstrapLogging(level: logLevel ?? file["log_level"])
        let logger = Logger(label: "khaosan-web")
        var c = WebConfiguration(querySocket: querySocket ?? file["query_socket"] ?? KhaosanPaths.querySocket())
        c.host = host ?? file["host"] ?? c.host
        if let p = try port ?? file["port"].map({ s in
            guard let n = Int(s) else { throw ValidationError("port in \(config ?? "config"): '\(s)' is not a number") }
            return n
        }) {
            guard (0...65535).contains(p) else { throw ValidationError("--port must be 0 to 65535, got \(p)") }
            c.port = p
        }
        c.allowedHosts = Set(allowedHosts + (file["allowed_hosts"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
        if let r = try number(rateLimit, "rate_limit", file) {
            guard r >= 0, r.isFinite else { throw ValidationError("--rate-limit must be 0 or more, got \(r)") }
            c.ratePerSecond = r
        }
        if let b = try number(rateBurst, "rate_burst", file) {
            guard b >= 1, b.isFinite else { throw ValidationError("--rate-burst must be at least 1, got \(b)") }
            c.rateBurst = b
        }
        if let n = try number(exportCap.map(Double.init), "export_cap", file) {
            guard n >= 1 else { throw ValidationError("--export-cap must be at least 1, got \(n)") }
            c.exportCap = Int(n)
        }
        try await DaemonRunner.run(WebServer(configuration: c, logger: logger), logger: logger)
    }

    func number(_ flag: Double?, _ key: String, _ file: ConfigFile) throws -> Double? {
        if let flag { return flag }
        guard let s = file[key] else { return nil }
        guard let v = Double(s) else { throw ValidationError("\(key) in \(config ?? "config"): '\(s)' is not a number") }
        return v
    }
}
