#if canImport(Glibc)
import Glibc
#endif
import KhaosanThai
import Synchronization

/// Index tokens computed ahead of the write, off the writer's thread.
///
/// Bulk ingest is bound by the one SQLite writer, and a sixth of its time went to the Thai
/// analyser inside FTS5's tokenizer callback. `ReleaseStore.prepare` runs the analyser on
/// another thread (while the previous batch commits); during `apply`, the tokenizer finds each
/// text here by its exact bytes and only replays the tokens into FTS5. A text that is not here
/// (a delete of an old version, FTS5's integrity check) is analysed inline as before, and FTS5's
/// integrity check compares the two paths in the tests.
final class PretokenizedTexts: Sendable {
    static let shared = PretokenizedTexts()

    /// One text's index token stream: token bytes back to back, and per token its end in
    /// `bytes` and its UTF-8 range in the original text.
    struct Stream: Sendable {
        let text: [UInt8]
        var bytes: [UInt8] = []
        var ends: [Int32] = []
        var starts: [Int32] = []  // original-text offsets
        var stops: [Int32] = []

        init(_ s: String) {
            text = Array(s.utf8)
            bytes.reserveCapacity(text.count * 2)
            ends.reserveCapacity(text.count / 2)
            starts.reserveCapacity(text.count / 2)
            stops.reserveCapacity(text.count / 2)
            ThaiAnalyzer.shared.indexTokenBytes(s) { token, range in
                bytes.append(contentsOf: token)
                ends.append(Int32(bytes.count))
                starts.append(Int32(range.lowerBound))
                stops.append(Int32(range.upperBound))
                return true
            }
        }
    }

    private struct Table {
        var streams: [Int: [(batch: Int, stream: Stream)]] = [:]
        var nextBatch = 0
    }

    private let table = Mutex(Table())

    /// Length and a few bytes from both ends: cheap on 10 KB texts; equality is checked in full.
    static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h = Hasher()
        h.combine(bytes.count)
        let n = bytes.count
        h.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[0..<min(n, 32)])))
        h.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[max(0, n - 32)..<n])))
        return h.finalize()
    }

    /// Makes `streams` available to the tokenizer while `body` runs (on the writer). Several
    /// stores in one process (the tests) may do this at once; each removes only its own.
    func with<T>(_ streams: [Stream], _ body: () throws -> T) rethrows -> T {
        let keys = streams.map { s in s.text.withUnsafeBufferPointer { Self.key($0) } }
        let batch: Int = table.withLock { t in
            t.nextBatch += 1
            for (k, s) in zip(keys, streams) { t.streams[k, default: []].append((t.nextBatch, s)) }
            return t.nextBatch
        }
        defer {
            table.withLock { t in
                for k in keys {
                    t.streams[k]?.removeAll { $0.batch == batch }
                    if t.streams[k]?.isEmpty == true { t.streams[k] = nil }
                }
            }
        }
        return try body()
    }

    /// The stream computed for exactly these bytes, if any.
    func stream(for bytes: UnsafeBufferPointer<UInt8>) -> Stream? {
        let k = Self.key(bytes)
        return table.withLock { t in
            t.streams[k]?.first { entry in
                entry.stream.text.count == bytes.count && entry.stream.text.withUnsafeBufferPointer { a in
                    a.isEmpty || memcmp(a.baseAddress!, bytes.baseAddress!, a.count) == 0
                }
            }?.stream
        }
    }
}
