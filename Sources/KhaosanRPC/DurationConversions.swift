// The conversions of a Duration the project needs, in one place: `components` arithmetic was
// written out in ten files.
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
    package var inSeconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }

    /// Microseconds as a floating-point number, for benchmark samples.
    package var inMicroseconds: Double {
        let (s, a) = components
        return Double(s) * 1e6 + Double(a) / 1e12
    }
}
