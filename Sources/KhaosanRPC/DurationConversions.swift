extension Duration {
    /// Whole nanoseconds (truncated), the unit of a HEADERS frame's timeout and of NIO's timers.
    package var nanoseconds: Int64 {
        let (s, a) = components
        return s * 1_000_000_000 + a / 1_000_000_000
    }

    /// Whole microseconds (truncated), as status replies and logs report times.
    package var microseconds: Int64 {
        let (s, a) = components
        return s * 1_000_000 + a / 1_000_000_000_000
    }

    /// Seconds as a floating-point number, for rates and printed times.
    package var secondsValue: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
