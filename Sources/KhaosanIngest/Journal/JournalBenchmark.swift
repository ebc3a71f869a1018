import Foundation
import KhaosanRPC

/// Figures for the journal, printed by a benchmark executable (never asserted in tests).
package enum JournalBenchmark {
    /// CRC32C throughput in MB/s (10^6 bytes) over a `bufferBytes` buffer checksummed `rounds` times.
    package static func crc32cMegabytesPerSecond(bufferBytes: Int = 1 << 20, rounds: Int = 512) -> Double {
        var buffer = [UInt8](repeating: 0, count: bufferBytes)
        var state: UInt32 = 0x1234_5678
        for i in buffer.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            buffer[i] = UInt8(truncatingIfNeeded: state >> 24)
        }
        var sink: UInt32 = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<rounds { sink ^= CRC32C.update(sink, buffer) }
        }
        if sink == 0x5EED { print("") }  // keeps the loop from being optimised away
        return Double(bufferBytes * rounds) / 1e6 / elapsed.inSeconds
    }

    package struct AppendFigures: Sendable, CustomStringConvertible {
        package var appenders: Int
        package var payloadBytes: Int
        package var appends: Int
        package var seconds: Double
        package var commits: UInt64
        package var appendsPerSecond: Double { Double(appends) / seconds }
        package var megabytesPerSecond: Double { Double(appends * payloadBytes) / 1e6 / seconds }
        package var description: String {
            let perCommit = commits > 0 ? Double(appends) / Double(commits) : 0
            return "\(appenders) appender(s), \(payloadBytes) B payloads: \(appends) appends in "
                + String(format: "%.2f s = %.0f appends/s, %.1f MB/s, %llu fdatasyncs (%.1f appends per fdatasync)",
                         seconds, appendsPerSecond, megabytesPerSecond, commits, perCommit)
        }
    }

    /// `appenders` tasks each append single `payloadBytes` payloads in a loop until `totalAppends`
    /// are done, into a fresh journal in `directory` (which must not hold one already).
    package static func appends(
        directory: String, appenders: Int, payloadBytes: Int, totalAppends: Int
    ) async throws -> AppendFigures {
        let journal = try Journal.open(JournalConfiguration(directory: directory))
        defer { journal.close() }
        let payload = [UInt8](repeating: 0x41, count: payloadBytes)
        let perTask = max(1, totalAppends / appenders)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<appenders {
                    group.addTask {
                        for _ in 0..<perTask { _ = try await journal.append(payload) }
                    }
                }
                try await group.waitForAll()
            }
        }
        return AppendFigures(
            appenders: appenders, payloadBytes: payloadBytes, appends: perTask * appenders,
            seconds: elapsed.inSeconds, commits: journal.stats.commits)
    }
}
