import Synchronization

/// A token bucket over all clients: the server listens on loopback, where every client has the
/// same address, so a per-address limit would be one limit anyway. It keeps a runaway script
/// (or a page reloaded in a loop) from keeping khaosan-queryd busy for everyone.
package final class RateLimiter: Sendable {
    struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    package let perSecond: Double
    package let burst: Double
    let state: Mutex<State>

    /// `perSecond` 0: no limit.
    package init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(1, burst)
        state = Mutex(State(tokens: max(1, burst), last: .now))
    }

    /// Takes a token if there is one; else the seconds until there will be.
    package func take(now: ContinuousClock.Instant = .now) -> Double? {
        guard perSecond > 0 else { return nil }
        return state.withLock { s in
            let elapsed = s.last.duration(to: now)
            let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            s.tokens = min(burst, s.tokens + max(0, secs) * perSecond)
            s.last = now
            if s.tokens >= 1 {
                s.tokens -= 1
                return nil
            }
            return (1 - s.tokens) / perSecond
        }
    }
}
