import Synchronization

/// A continuation resumed by the first of several racers; the rest are ignored.
final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var done = false
        var onResume: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func set(_ c: CheckedContinuation<T, any Error>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let r = s.result { return r }
            s.continuation = c
            return nil
        }
        if let early { c.resume(with: early) }
    }

    /// Runs `action` once resumed (at once if already).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.done { return true }
            s.onResume = action
            return false
        }
        if now { action() }
    }

    /// True for the first caller, whose result is delivered.
    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let (first, c, action) = state.withLock { s -> (Bool, CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !s.done else { return (false, nil, nil) }
            s.done = true
            let c = s.continuation
            s.continuation = nil
            if c == nil { s.result = result }
            return (true, c, s.onResume)
        }
        c?.resume(with: result)
        if first { action?() }
        return first
    }
}
