import KhaosanWeb
import Testing

@Suite struct RateLimiterTests {
    @Test func burstThenRefillAtTheRate() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(perSecond: 10, burst: 3)
        // The burst, then a refusal that says how long until the next token.
        #expect((0..<3).allSatisfy { _ in limiter.take(now: start) == nil })
        let wait = limiter.take(now: start)
        #expect(wait != nil && abs(wait! - 0.1) < 1e-9)
        // 0.25 s at 10/s: two tokens back, not three.
        let later = start.advanced(by: .milliseconds(250))
        #expect(limiter.take(now: later) == nil)
        #expect(limiter.take(now: later) == nil)
        #expect(limiter.take(now: later) != nil)
    }

    @Test func zeroMeansNoLimit() {
        let limiter = RateLimiter(perSecond: 0, burst: 1)
        let now = ContinuousClock.now
        #expect((0..<1000).allSatisfy { _ in limiter.take(now: now) == nil })
    }
}
