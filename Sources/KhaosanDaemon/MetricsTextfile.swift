import Foundation
import KhaosanRPC
package import Logging

/// Writes a daemon's metrics to a node_exporter textfile-collector file every `interval`, and
/// once more when stopped: temp file in the same directory, then rename, so the collector never
/// reads half a file. node_exporter only reads `*.prom` files, which the path should end with.
package struct MetricsTextfile: Sendable {
    package var path: String
    package var interval: Duration
    package var exposition: MetricsExposition

    package init(path: String, interval: Duration, exposition: MetricsExposition) {
        self.path = path
        self.interval = interval
        self.exposition = exposition
    }

    /// Until cancelled; a failed write is logged and tried again next interval.
    package func run(logger: Logger) async {
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
            do { try await Task.sleep(for: interval) } catch { break }
        }
        try? await write()
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
