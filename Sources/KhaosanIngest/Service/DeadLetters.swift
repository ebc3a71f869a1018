import Foundation
import Synchronization

/// Journal records khaosan-queryd refused for good, set aside so that the records after them flow
/// on (issue 13, item 3: one record the query service could not take stopped forwarding forever).
///
/// `dead-letters/` in the state directory holds, per record, `<sequence>.record` (the journal
/// payload, a `BatchItem` message, so it can be replayed) and one line in `index.jsonl`:
/// `{"sequence", "release_id", "code", "reason", "at"}`. Both are fsync'ed (and the directory)
/// before the forwarder moves past the record, so a checkpoint never passes a record that is
/// neither applied nor set aside.
final class DeadLetters: Sendable {
    struct Summary: Sendable, Equatable {
        var count: Int
        /// "#<sequence> (release <id>): <code>: <reason>" of the most recent one.
        var last: String?
    }

    let directory: String
    private let summary: Mutex<Summary>

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        var s = Summary(count: 0, last: nil)
        if let data = FileManager.default.contents(atPath: directory + "/index.jsonl") {
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                s.count += 1
                if let entry = try? JSONDecoder().decode(Entry.self, from: Data(line)) { s.last = entry.summary }
            }
        }
        summary = Mutex(s)
    }

    var current: Summary { summary.withLock { $0 } }

    private struct Entry: Codable {
        var sequence: UInt64
        var release_id: Int64
        var code: String
        var reason: String
        var at: String
        var summary: String { "#\(sequence) (release \(release_id)): \(code): \(reason)" }
    }

    /// Writes the record and its index line durably.
    func add(sequence: UInt64, releaseID: Int64, payload: [UInt8], code: String, reason: String) throws {
        let entry = Entry(sequence: sequence, release_id: releaseID, code: code, reason: String(reason.prefix(2000)),
                          at: ISO8601DateFormatter().string(from: Date()))
        let record = directory + "/\(sequence).record"
        try Self.writeDurably(Data(payload), to: record)
        var line = try JSONEncoder().encode(entry)
        line.append(0x0A)
        let index = directory + "/index.jsonl"
        let fd = open(index, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Self.error("cannot open \(index)") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw Self.error("cannot write \(index)") }
        try Self.syncDirectory(directory)
        summary.withLock { s in
            s.count += 1
            s.last = entry.summary
        }
    }

    private static func writeDurably(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw error("cannot create \(path)") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else { throw error("cannot write \(path)") }
    }

    private static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("cannot open \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw error("cannot fsync \(path)") }
    }

    struct WriteError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private static func error(_ what: String) -> WriteError {
        WriteError(message: "\(what): \(String(cString: strerror(errno)))")
    }
}
