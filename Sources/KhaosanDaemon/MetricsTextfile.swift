import Foundation
import KhaosanRPC
package import Logging
import ServiceLifecycle

/// Writes a daemon's metrics to a node_exporter textfile-collector file every `interval`, and
/// once more when stopped: temp file in the same directory, then rename, so the collector never
/// reads half a file. node_exporter only reads `*.prom` files, which the path should end with.
/// A Service of the daemon's group, listed first so that it stops last and its final write
/// sees the counters of the calls the server drained.
package struct MetricsTextfile: Service, Sendable, CustomStringConvertible {
    package var path: String
    package var interval: Duration
    package var exposition: MetricsExposition
    package var logger: Logger

    package init(path: String, interval: Duration, exposition: MetricsExposition, logger: Logger) {
        self.path = path
        self.interval = interval
        self.exposition = exposition
        self.logger = logger
    }

    package var description: String { "KhaosanDaemon.MetricsTextfile(\(path))" }

    /// Until the group shuts it down (or cancels it); a failed write is logged and tried again
    /// next interval.
    package func run() async {
        await cancelWhenGracefulShutdown { await self.writeEveryInterval() }
        try? await write()
    }

    private func writeEveryInterval() async {
        var failing = false
        while true {
            do {
                try await write()
                if failing { logger.notice("metrics textfile written again", metadata: ["metrics.textfile": "\(path)"]) }
                failing = false
            } catch {
                if !failing { logger.warning("cannot write the metrics textfile", metadata: ["metrics.textfile": "\(path)", "error": "\(error)"]) }
                failing = true
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    package func write() async throws {
        let text = await exposition.text()
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Data(text.utf8).write(to: temp)
        guard rename(temp.path, path) == 0 else {
            let e = errno
            try? FileManager.default.removeItem(at: temp)
            throw RPCError(code: .internal, message: "cannot rename \(temp.path) to \(path): \(String(cString: strerror(e))) (errno \(e))")
        }
    }
}
