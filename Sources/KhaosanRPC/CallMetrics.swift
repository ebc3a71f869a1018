import Metrics

/// The server's per-call metrics, recorded once per call where it ends (`ServerStream`), so
/// every method of every service has them without its handler doing anything:
/// `khaosan_rpc_calls_total{service,method,code}` for every call, `khaosan_rpc_errors_total`
/// for those that did not end OK, and `khaosan_rpc_call_duration_seconds{service,method}` from
/// the call's HEADERS to its trailers. Labels are the method's service and name (a route that
/// exists), never a client's unknown path, so a peer cannot grow the label set.
package enum CallMetrics {
    static func record(service: String, method: String, code: RPCError.Code, duration: Duration) {
        let codeName = code.description
        Counter(label: "khaosan_rpc_calls_total", dimensions: [("service", service), ("method", method), ("code", codeName)]).increment()
        if code != .ok {
            Counter(label: "khaosan_rpc_errors_total", dimensions: [("service", service), ("method", method), ("code", codeName)]).increment()
        }
        let (seconds, attoseconds) = duration.components
        Metrics.Timer(label: "khaosan_rpc_call_duration_seconds", dimensions: [("service", service), ("method", method)])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// `/khaosan.v1.QueryService/Search` -> ("khaosan.v1.QueryService", "Search").
    static func split(_ path: String) -> (service: String, method: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return ("", path) }
        return (String(parts[0]), String(parts[1]))
    }
}

extension CallMetrics {
    /// Buckets for every duration histogram, which the executables hand to their backend: a call
    /// on a Unix socket takes tens of microseconds, a bulk stream minutes, so the buckets run from
    /// 100 µs to 60 s (the backend's default starts at 5 ms, where most calls would all fall in
    /// the first bucket).
    package static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2) + .microseconds(500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]
}
