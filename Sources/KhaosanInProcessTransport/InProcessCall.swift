import KhaosanRPC
import Synchronization

/// Both sides of one in-process call: request messages one way, responses the other, each
/// behind a window of credits granted as the other side takes them (as WINDOW frames do on a
/// socket), then the trailers.
final class InProcessCall: RPCClientCall {
    let requests = MessageQueue()
    private let responseQueue = MessageQueue()
    /// The client's credits for requests; granted as the handler takes them.
    private let requestCredit: SendCredit
    /// The handler's credits for responses; granted as the client takes them.
    private let responseCredit: SendCredit
    private let state: Mutex<State>
    let responses: InboundMessages

    private struct State {
        var ended = false
        var trailers: Metadata = [:]
        var requestWindow: WindowTracker
        var responseWindow: WindowTracker
        var task: Task<Void, Never>?
    }

    init(window: Int) {
        requestCredit = SendCredit(initial: window)
        responseCredit = SendCredit(initial: window)
        state = Mutex(State(requestWindow: WindowTracker(window: window), responseWindow: WindowTracker(window: window)))
        let credit = responseCredit
        let box = WeakCall()
        responses = InboundMessages(queue: responseQueue, onConsume: { _ in
            if let n = box.call?.state.withLock({ $0.responseWindow.consumedOne() }) { credit.grant(Int(n)) }
        })
        box.call = self
    }

    // MARK: Server side

    func start(route: RPCRouter.Route, context: ServerContext, deadline: ContinuousClock.Instant,
               onEnd: @escaping @Sendable () -> Void) {
        let credit = requestCredit
        let inbound = InboundMessages(queue: requests, onConsume: { [weak self] _ in
            if let n = self?.state.withLock({ $0.requestWindow.consumedOne() }) { credit.grant(Int(n)) }
        })
        let writer = ResponseWriter(HandlerSide(call: self))
        // Unstructured: the call runs while its caller goes on (streams both ways). It is held
        // in the server's table until `onEnd`, which the server's drain waits for; the handler and
        // the deadline are structured children of it, so a cancelled call cancels both.
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    let (trailers, finalMessage) = await RPCRouter.respond(with: route, inbound, writer, context)
                    // The one response of a unary call needs a credit like any other message.
                    if finalMessage != nil { try? await self.responseCredit.acquire() }
                    self.end(trailers, finalMessage)
                }
                group.addTask {
                    guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                    self.end(CallTrailers(code: .deadlineExceeded, message: "deadline exceeded", metadata: [:]), nil)
                }
                await group.next()
                group.cancelAll()
            }
            onEnd()
        }
        let cancelled = state.withLock { s in
            s.task = task
            return s.ended
        }
        if cancelled { task.cancel() }
    }

    /// A response from the handler; waits for the client's window.
    func sendResponse(_ message: MessageBuffer) async throws {
        try await responseCredit.acquire()
        guard !state.withLock({ $0.ended }) else { throw CancellationError() }
        responseQueue.yield(message)
    }

    /// Ends the call once (the first caller wins): the response, if any, then the status.
    func end(_ trailers: CallTrailers, _ message: MessageBuffer?) {
        let task: Task<Void, Never>?? = state.withLock { s in
            guard !s.ended else { return .none }
            s.ended = true
            s.trailers = trailers.metadata
            return .some(s.task)
        }
        guard case .some(let handler) = task else { return }
        if let message { responseQueue.yield(message) }
        responseCredit.fail(RPCError(code: .cancelled, message: "the call has ended"))
        if trailers.code == .ok {
            requestCredit.fail(RPCError(code: .cancelled, message: "the server has ended the call"))
            responseQueue.finish()
        } else {
            let error = RPCError(code: trailers.code, message: trailers.message, metadata: trailers.metadata)
            requestCredit.fail(error)
            responseQueue.finish(throwing: error)
            // Ended by the deadline or the client: the handler is told through cancellation.
            requests.finish(throwing: error)
            handler?.cancel()
        }
    }

    // MARK: Client side (RPCClientCall)

    var trailingMetadata: Metadata { state.withLock { $0.trailers } }

    /// A request; waits for the handler's window. After the end it is dropped (the next send
    /// throws: the credits fail with the call's status).
    func send(_ message: MessageBuffer) async throws {
        try await requestCredit.acquire()
        requests.yield(message)
    }

    func halfClose() { requests.finish() }

    func cancel() {
        end(CallTrailers(code: .cancelled, message: "the call was cancelled", metadata: [:]), nil)
    }

    func finish() {
        if !state.withLock({ $0.ended }) { cancel() }
    }
}

/// What the handler's ResponseWriter writes to.
private struct HandlerSide: ServerCallResponses {
    let call: InProcessCall
    func send(_ message: MessageBuffer) async throws { try await call.sendResponse(message) }
}

private final class WeakCall: @unchecked Sendable {
    // Set once, before the call is shared; read from the consumer's task afterwards.
    weak var call: InProcessCall?
}
