package import KhaosanRPC
package import Logging
import Synchronization

/// Serves a router to clients in the same process, with no socket: for tests of handlers (the
/// ingest and query services' own, with their real journal and SQLite files) that need no
/// processes. Calls have the semantics the Unix transport gives them: message windows both
/// ways, deadlines, cancellation, peer policy, drain on shutdown. What only a socket needs (frame
/// limits, connection caps, per-uid call caps, read budgets) is the Unix transport's alone.
package final class InProcessServer: RPCServerTransport {
    package let router: RPCRouter
    /// Who every caller is: by default this process, as a local client of the daemon would be.
    package let peer: PeerCredentials
    package let peerPolicy: PeerPolicy
    /// Messages either side may send before the other has taken them.
    package let streamWindow: Int
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var calls: [Int: InProcessCall] = [:]
        var nextID = 1
        var draining = false
        var shutdownWaiter: CheckedContinuation<Void, Never>?
        var drainedWaiter: CheckedContinuation<Void, Never>?
    }

    package init(router: RPCRouter, peer: PeerCredentials = .currentProcess, peerPolicy: PeerPolicy = PeerPolicy(),
                 streamWindow: Int = 64, logger: Logger) {
        self.router = router
        self.peer = peer
        self.peerPolicy = peerPolicy
        self.streamWindow = streamWindow
        self.logger = logger
    }

    /// Calls are served from the start; `run` only waits for shutdown and the drain after it.
    package func waitUntilListening() async throws {}

    /// Returns after `beginShutdown` once the open calls have ended. Cancelled, it shuts down and
    /// cancels the open calls, as the Unix server's cancelled accept loop closes its connections:
    /// a test that fails before its shutdown must not leave the server waiting for ever.
    package func run() async throws {
        await withTaskCancellationHandler {
            await waitForShutdownAndDrain()
        } onCancel: {
            beginShutdown()
            for call in state.withLock({ Array($0.calls.values) }) { call.cancel() }
        }
    }

    private func waitForShutdownAndDrain() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.draining { return true }
                s.shutdownWaiter = c
                return false
            }
            if now { c.resume() }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.calls.isEmpty { return true }
                s.drainedWaiter = c
                return false
            }
            if now { c.resume() }
        }
    }

    package func beginShutdown() {
        let waiter = state.withLock { s in
            s.draining = true
            defer { s.shutdownWaiter = nil }
            return s.shutdownWaiter
        }
        waiter?.resume()
    }

    /// A client for this server.
    package func makeClient(policy: RPCCallPolicy = RPCCallPolicy(), logger: Logger? = nil) -> RPCClient {
        RPCClient(transport: InProcessClientTransport(server: self), policy: policy, logger: logger ?? self.logger)
    }

    func open(path: String, deadline: ContinuousClock.Instant, metadata: Metadata, unaryMessage: MessageBuffer?) throws -> InProcessCall {
        guard deadline > .now else { throw RPCError(code: .deadlineExceeded, message: "deadline passed before the call started") }
        let (id, draining) = state.withLock { s in
            defer { s.nextID += 1 }
            return (s.nextID, s.draining)
        }
        let call = InProcessCall(window: streamWindow)
        if let unaryMessage {
            call.requests.yield(unaryMessage)
            call.requests.finish()
        }
        // Refusals are answers, as on the socket: the call was sent, and its status says why.
        if draining {
            call.end(CallTrailers(code: .unavailable, message: "server is shutting down", metadata: [Metadata.refusalKey: "draining"]), nil)
            return call
        }
        guard let route = router.route(for: path) else {
            call.end(CallTrailers(code: .unimplemented, message: "unknown method \(path)", metadata: [:]), nil)
            return call
        }
        guard peerPolicy.allows(uid: peer.uid, service: route.service) else {
            call.end(CallTrailers(code: .permissionDenied, message: "uid \(peer.uid) may not call \(route.service)", metadata: [:]), nil)
            return call
        }
        let requestID = metadata[Metadata.requestIDKey] ?? "p\(id)"
        let context = ServerContext(path: path, metadata: metadata, deadline: deadline, peer: peer, requestID: requestID, connectionLogger: logger)
        state.withLock { $0.calls[id] = call }
        call.start(route: route, context: context, deadline: deadline) { [self] in
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.calls[id] = nil
                guard s.draining, s.calls.isEmpty else { return nil }
                defer { s.drainedWaiter = nil }
                return s.drainedWaiter
            }
            waiter?.resume()
        }
        return call
    }
}

/// The client side of `InProcessServer`.
package struct InProcessClientTransport: RPCClientTransport {
    package let server: InProcessServer
    package init(server: InProcessServer) { self.server = server }

    package func openCall(path: String, deadline: ContinuousClock.Instant, metadata: Metadata,
                          unaryMessage: MessageBuffer?) async throws -> any RPCClientCall {
        try server.open(path: path, deadline: deadline, metadata: metadata, unaryMessage: unaryMessage)
    }

    package func close() async {}
}
