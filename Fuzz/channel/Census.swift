import KhaosanRPC
import Synchronization

/// Handler bodies running now. Every one must have returned once the connection's `run` has:
/// a handler still running after its channel closed would hold its call's share of every cap
/// for ever.
final class Census: Sendable {
    private let live = Atomic<Int>(0)
    private let opened = Mutex<[CallKey]>([])

    /// A call as its HEADERS frame names it.
    struct CallKey: Hashable, Sendable {
        var path: String
        var metadata: Metadata
    }

    /// Calls the `Record` method was started for, as the server saw their HEADERS.
    var openedCalls: [CallKey] { opened.withLock { $0 } }
    func opened(_ context: ServerContext) { opened.withLock { $0.append(CallKey(path: context.path, metadata: context.metadata)) } }

    var running: Int { live.load(ordering: .acquiring) }

    func counted<T>(_ body: () async throws -> T) async rethrows -> T {
        live.wrappingAdd(1, ordering: .acquiringAndReleasing)
        defer { live.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try await body()
    }
}
