import Metrics
import Synchronization

/// The server's per-call metrics, recorded once per call where it ends (`ServerStream`), so
/// every method of every service has them without its handler doing anything:
/// `khaosan_rpc_calls_total{service,method,code}` for every call, `khaosan_rpc_errors_total`
/// for those that did not end OK, and `khaosan_rpc_call_duration_seconds{service,method}` from
/// the call's HEADERS to its trailers. Labels are the method's service and name (a route that
/// exists), never a client's unknown path, so a peer cannot grow the label set.
package enum CallMetrics {
    private struct Key: Hashable {
        var path: String
        var code: UInt16
    }

    private struct Series: Sendable {
        var calls: Counter
        var errors: Counter?
        var duration: Metrics.Timer
    }

    /// The handles of each (method, code) seen, made once: making one asks the backend, whose
    /// registry checks the name and labels and looks them up under one lock for the whole
    /// process, three times per call otherwise. Filled only by calls, so after the executable
    /// has bootstrapped its backend (a process that never does keeps no-op handles).
    private static let series = Mutex<[Key: Series]>([:])

    package static func record(path: String, code: RPCError.Code, duration: Duration) {
        let key = Key(path: path, code: code.rawValue)
        let s = series.withLock { cache -> Series in
            if let s = cache[key] { return s }
            let (service, method) = split(path)
            let labels = [("service", service), ("method", method)]
            let withCode = labels + [("code", code.description)]
            let s = Series(
                calls: Counter(label: "khaosan_rpc_calls_total", dimensions: withCode),
                errors: code == .ok ? nil : Counter(label: "khaosan_rpc_errors_total", dimensions: withCode),
                duration: Metrics.Timer(label: "khaosan_rpc_call_duration_seconds", dimensions: labels))
            cache[key] = s
            return s
        }
        s.calls.increment()
        s.errors?.increment()
        let (seconds, attoseconds) = duration.components
        s.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// A call refused before any handler ran (unknown method, uid not allowed, caps): counted
    /// as `khaosan_rpc_rejected_total{code,refusal}`, never by the path a peer sent.
    package static func rejected(_ code: RPCError.Code, refusal: String?) {
        Counter(label: "khaosan_rpc_rejected_total", dimensions: [("code", code.description), ("refusal", refusal ?? "")]).increment()
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
