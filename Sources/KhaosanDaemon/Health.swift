package import KhaosanRPC
package import KhaosanWire
import Synchronization

/// Serving status per service name, with gRPC health-checking semantics: "" is the whole server;
/// Check on an unknown name is NOT_FOUND; Watch streams every change (SERVICE_UNKNOWN first for
/// an unknown name, since it may appear later).
package final class HealthStatus: Sendable {
    private struct State {
        var statuses: [String: HealthCheckResponse.ServingStatus] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<HealthCheckResponse.ServingStatus>.Continuation)] = [:]
        var nextWatcher = 0
    }
    private let state = Mutex(State())

    package init(services: [String]) {
        state.withLock { s in
            s.statuses[""] = .serving
            for name in services { s.statuses[name] = .serving }
        }
    }

    package func set(_ status: HealthCheckResponse.ServingStatus, for service: String = "") {
        let targets = state.withLock { s -> [AsyncStream<HealthCheckResponse.ServingStatus>.Continuation] in
            guard s.statuses[service] != status else { return [] }
            s.statuses[service] = status
            return s.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for c in targets { c.yield(status) }
    }

    /// Sets the server and every named service at once (e.g. NOT_SERVING when storage fails).
    package func setAll(_ status: HealthCheckResponse.ServingStatus) {
        let names = state.withLock { Array($0.statuses.keys) }
        for n in names { set(status, for: n) }
    }

    package func status(of service: String) -> HealthCheckResponse.ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    fileprivate func watch(_ service: String) -> AsyncStream<HealthCheckResponse.ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: HealthCheckResponse.ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { s in
            s.nextWatcher += 1
            s.watchers[s.nextWatcher] = (service, continuation)
            continuation.yield(s.statuses[service] ?? .serviceUnknown)
            return s.nextWatcher
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}

extension RPCRouter {
    package mutating func addHealth(_ health: HealthStatus) {
        unary(KhaosanMethods.healthCheck) { (request: HealthCheckRequest, _) in
            guard let status = health.status(of: request.service) else {
                throw RPCError(code: .notFound, message: "unknown service \"\(request.service)\"")
            }
            return HealthCheckResponse(status: status)
        }
        serverStreaming(KhaosanMethods.healthWatch) { (request: HealthCheckRequest, sink: ResponseSink<HealthCheckResponse>, _) in
            for await status in health.watch(request.service) {
                try await sink.send(HealthCheckResponse(status: status))
            }
        }
    }
}
