import KhaosanRPC

/// The ingest progress display on stderr: a bar redrawn in place on a terminal (at most ten times
/// a second), or a plain line every few seconds into a file or pipe. No escape codes unless stderr
/// is a terminal.
package struct ProgressLine: Sendable {
    package var totalItems: Int
    package var totalBytes: UInt64
    package var interactive: Bool
    package var width: Int
    package var plainInterval: Duration = .seconds(5)

    private var started: ContinuousClock.Instant?
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    package init(totalItems: Int, totalBytes: UInt64, interactive: Bool, width: Int) {
        self.totalItems = totalItems
        self.totalBytes = totalBytes
        self.interactive = interactive
        self.width = width
    }

    /// What to write to stderr for `done` items and `bytes` so far, or nil when it is not yet time.
    package mutating func update(done: Int, bytes: UInt64, now: ContinuousClock.Instant = .now, force: Bool = false) -> String? {
        let start = started ?? now
        started = start
        let interval: Duration = interactive ? .milliseconds(100) : plainInterval
        if !force, let lastDraw, now - lastDraw < interval { return nil }
        if !force, lastDraw == nil, !interactive {
            // The first plain line comes after one interval, so quick runs print none.
            lastDraw = now
            return nil
        }
        lastDraw = now
        let text = Self.text(done: done, total: totalItems, bytes: bytes, totalBytes: totalBytes,
                             elapsed: now - start, barWidth: interactive ? 20 : 0)
        if interactive {
            drawn = true
            return "\r\u{1B}[2K" + text.truncated(toWidth: max(10, width - 1))
        }
        return text + "\n"
    }

    /// Clears the bar (terminal) so the summary starts on a clean line.
    package mutating func finish() -> String {
        guard interactive, drawn else { return "" }
        drawn = false
        return "\r\u{1B}[2K"
    }

    /// `[#########...........]  1,234/5,000  12.3/50.1 MB  850/s  ETA 0:05`.
    package static func text(done: Int, total: Int, bytes: UInt64, totalBytes: UInt64, elapsed: Duration, barWidth: Int) -> String {
        let secs = elapsed.inSeconds
        var parts: [String] = []
        if barWidth > 0 {
            let frac = total > 0 ? min(1, Double(done) / Double(total)) : 0
            let filled = Int((frac * Double(barWidth)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]")
        }
        parts.append("\(groupedDigits(UInt64(done)))/\(groupedDigits(UInt64(total)))")
        parts.append("\(formatDecimal(Double(bytes) / 1e6, places: 1))/\(formatDecimal(Double(totalBytes) / 1e6, places: 1)) MB")
        if secs > 0.2 {
            let rate = Double(done) / secs
            parts.append("\(formatDecimal(rate, places: rate < 10 ? 1 : 0))/s")
            if done > 0, done < total {
                parts.append("ETA " + formatClock(seconds: Double(total - done) / rate))
            }
        }
        return parts.joined(separator: "  ")
    }
}
