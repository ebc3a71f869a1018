import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The durable, append-only, segmented log of accepted releases.
///
/// An append returns only after its records are written and fdatasync'ed. A single writer thread takes
/// every append queued while the previous fdatasync ran and commits them with one write and one
/// fdatasync (group commit), so many concurrent or streamed submissions cost one disk flush.
/// The blocking I/O runs on that dedicated thread, never on the Swift concurrency pool.
///
/// Only one `Journal` may have a directory open at a time (an flock on `LOCK` enforces it, also
/// within one process). Call `close()`; dropping the last reference closes too.
package final class Journal: Sendable {
    private let core: JournalCore

    private init(core: JournalCore) { self.core = core }

    deinit { core.close() }

    /// Opens (creating if needed) the journal in `config.directory` and recovers it: verifies every
    /// record's CRC32C, cuts a torn or corrupt tail off the last segment (saving the cut bytes next to
    /// it, see `recovery`), and refuses with `.corrupt` if damage lies anywhere acknowledged data
    /// could be lost.
    package static func open(_ config: JournalConfiguration) throws -> Journal {
        let core = try JournalCore(config)
        core.startWriter()
        return Journal(core: core)
    }

    /// Appends all payloads as consecutive records, atomically with respect to the quota (all are
    /// accepted or none). Returns their sequences once they are on disk. Not cancellable once queued:
    /// the records may already be durable.
    package func append(_ payloads: [[UInt8]]) async throws -> [UInt64] {
        try await core.append(payloads)
    }

    package func append(_ payload: [UInt8]) async throws -> UInt64 {
        try await core.append([payload])[0]
    }

    /// Sequence of the last durable record (0 when there has never been one).
    package var lastSequence: UInt64 { core.withLock { core.lastSequence } }

    /// Last sequence confirmed applied downstream.
    package var checkpoint: UInt64 { core.withLock { core.checkpoint } }

    package var stats: JournalStats { core.stats() }

    /// What recovery did at open.
    package var recovery: JournalRecovery { core.recovery }

    package var directory: String { core.config.directory }

    /// Durable records with sequence > `sequence`, in order: at most `maxRecords`, and at most
    /// `maxBytes` of payload unless the first record alone is larger (it is returned anyway so the
    /// reader always makes progress). If `sequence` is below the oldest retained record (deleted after
    /// a checkpoint), reading starts at the oldest retained one; records carry their sequence, so a
    /// reader can see the jump. Each record's CRC is checked again.
    package func read(after sequence: UInt64, maxRecords: Int, maxBytes: Int) throws -> [JournalRecord] {
        try core.read(after: sequence, maxRecords: maxRecords, maxBytes: maxBytes)
    }

    /// Returns once `lastSequence > sequence`, the journal closes, or the task is cancelled.
    package func waitForRecords(after sequence: UInt64) async {
        await core.waitForRecords(after: sequence)
    }

    /// Records durably that every record up to `sequence` is applied downstream, then deletes segments
    /// holding only such records. Lower than the current checkpoint: no effect. Beyond `lastSequence`:
    /// `.invalidArgument`.
    package func setCheckpoint(_ sequence: UInt64) throws {
        try core.setCheckpoint(sequence)
    }

    /// Commits what is queued, stops the writer, fails later calls with `.closed`, wakes waiters.
    /// Blocks until the last commit is done.
    package func close() {
        core.close()
    }
}

/// One segment file. `offsets` and `size` are guarded by the journal's lock; the descriptor lives as
/// long as any reader holds the object, so a reader never races a deletion into a reused descriptor.
final class JournalSegment: @unchecked Sendable {
    let firstSequence: UInt64
    let path: String
    let fd: Int32
    /// Start offset of each durable record; record i has sequence firstSequence + i.
    var offsets: [Int]
    /// End of the last durable record.
    var size: Int

    init(firstSequence: UInt64, path: String, fd: Int32, offsets: [Int], size: Int) {
        self.firstSequence = firstSequence
        self.path = path
        self.fd = fd
        self.offsets = offsets
        self.size = size
    }

    deinit { JournalIO.closeFD(fd) }

    /// Sequence one past the last durable record.
    var endSequence: UInt64 { firstSequence + UInt64(offsets.count) }

    static func fileName(_ first: UInt64) -> String {
        let digits = String(first)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }

    static func parseFileName(_ name: String) -> UInt64? {
        guard name.utf8.count == 24, name.hasSuffix(".seg") else { return nil }
        let digits = name.utf8.prefix(20)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(String(decoding: digits, as: UTF8.self))
    }
}

private struct PendingAppend {
    var payloads: [[UInt8]]
    var bytes: Int
    var continuation: CheckedContinuation<[UInt64], any Error>
}

/// All mutable state is guarded by `cond` (an NSCondition used as the lock); hence @unchecked.
final class JournalCore: @unchecked Sendable {
    let config: JournalConfiguration
    private(set) var recovery: JournalRecovery
    private let cond = NSCondition()
    /// Serialises checkpoint writers without holding `cond` across their fsyncs.
    private let checkpointLock = NSLock()
    private let lockFD: Int32

    // Guarded by `cond`.
    private var segments: [JournalSegment]
    fileprivate(set) var lastSequence: UInt64
    fileprivate(set) var checkpoint: UInt64
    private var nextSequence: UInt64
    private var pending: [PendingAppend] = []
    private var pendingBytes = 0
    private var waiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextWaiterID: UInt64 = 0
    private var closing = false
    private var writerRunning = false
    private var lockReleased = false
    private var failure: JournalError?
    private var commits: UInt64 = 0
    private var appendsDone: UInt64 = 0

    private static let batchLimitBytes = 16 << 20

    private var checkpointPath: String { config.directory + "/checkpoint" }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        cond.lock()
        defer { cond.unlock() }
        return try body()
    }

    // MARK: Open and recovery

    init(_ config: JournalConfiguration) throws {
        guard config.segmentBytes > 0, config.quotaBytes > 0, config.maxRecordBytes > 0,
              config.maxRecordBytes <= Int(UInt32.max) - JournalRecordFormat.headerSize,
              config.groupCommitMaxDelay >= .zero
        else {
            throw JournalError(.invalidArgument, "bad configuration \(config)", path: config.directory)
        }
        var config = config
        while config.directory.count > 1 && config.directory.hasSuffix("/") { config.directory.removeLast() }
        self.config = config
        let dir = config.directory

        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw JournalError(.io, "cannot create directory: \(error)", path: dir)
            }
            // The new directory's own entry must survive a crash too.
            try JournalIO.syncDirectory((dir as NSString).deletingLastPathComponent.isEmpty
                ? "." : (dir as NSString).deletingLastPathComponent)
        } else if !isDir.boolValue {
            throw JournalError(.io, "not a directory", path: dir)
        }

        let lockPath = dir + "/LOCK"
        let lockFD = try JournalIO.openFile(lockPath, O_RDWR | O_CREAT)
        // A process being spawned at this moment holds a copy of a just-closed lock descriptor
        // until its exec closes it (O_CLOEXEC acts only then), so a lock released a moment ago
        // can still look taken: retry briefly before calling the journal busy.
        var attempts = 0
        while flock(lockFD, LOCK_EX | LOCK_NB) != 0, errno == EWOULDBLOCK, attempts < 50 {
            attempts += 1
            usleep(20_000)
        }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            let text = JournalIO.errnoText()
            JournalIO.closeFD(lockFD)
            throw JournalError(.io, "journal is already open (by this or another process): flock: \(text)", path: lockPath)
        }
        self.lockFD = lockFD

        do {
            var recovery = JournalRecovery(truncatedBytes: 0, deletedSegments: 0, recordCount: 0)
            try JournalIO.remove(dir + "/checkpoint.tmp")
            let checkpoint = try JournalCheckpointFile.read(dir + "/checkpoint")
            let segments = try Self.recoverSegments(config, checkpoint: checkpoint, recovery: &recovery)

            let last: UInt64 = segments.last.map { $0.endSequence - 1 } ?? checkpoint
            if let first = segments.first, first.firstSequence > checkpoint + 1 {
                throw JournalError(
                    .corrupt,
                    "records \(checkpoint + 1)..<\(first.firstSequence) are missing: the checkpoint is \(checkpoint) but the oldest segment starts at \(first.firstSequence)",
                    path: first.path)
            }
            if last < checkpoint {
                throw JournalError(
                    .corrupt,
                    "checkpoint \(checkpoint) is beyond the last intact record \(last): acknowledged records were lost",
                    path: dir + "/checkpoint")
            }
            recovery.recordCount = segments.reduce(0) { $0 + $1.offsets.count }
            self.segments = segments
            self.checkpoint = checkpoint
            self.lastSequence = last
            self.nextSequence = last + 1
            self.recovery = recovery
            // A crash between a checkpoint's rename and its deletions leaves covered segments behind.
            let victims = takeCoveredSegments()
            try deleteSegments(victims)
            self.recovery.deletedSegments = victims.count
        } catch {
            JournalIO.closeFD(lockFD)
            throw error
        }
    }

    private static func recoverSegments(
        _ config: JournalConfiguration, checkpoint: UInt64, recovery: inout JournalRecovery
    ) throws -> [JournalSegment] {
        let dir = config.directory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir)
        } catch {
            throw JournalError(.io, "cannot list directory: \(error)", path: dir)
        }
        let firsts = names.compactMap(JournalSegment.parseFileName).sorted()
        var segments: [JournalSegment] = []
        for (index, first) in firsts.enumerated() {
            let path = dir + "/" + JournalSegment.fileName(first)
            let isLast = index == firsts.count - 1
            if let previous = segments.last, previous.endSequence != first {
                throw JournalError(
                    .corrupt,
                    "segment starts at sequence \(first) but the previous segment \(previous.path) ends before \(previous.endSequence)",
                    path: path)
            }
            let fd = try JournalIO.openFile(path, O_RDWR)
            let segment = JournalSegment(firstSequence: first, path: path, fd: fd, offsets: [], size: 0)
            let fileSize = try JournalIO.fileSize(fd, path: path)
            // Whole-segment read: segments are bounded by segmentBytes plus one record.
            let data = try JournalIO.preadAll(fd, count: fileSize, at: 0, path: path)
            var offset = 0
            var bad: String?
            try data.withUnsafeBytes { raw in
                while offset < raw.count {
                    switch JournalRecordFormat.parse(raw, at: offset, maxRecordBytes: config.maxRecordBytes) {
                    case .invalid(let reason):
                        bad = reason
                        return
                    case .record(let sequence, _, let end):
                        if sequence != segment.endSequence {
                            throw JournalError(
                                .corrupt,
                                "record at offset \(offset) has sequence \(sequence), expected \(segment.endSequence)",
                                path: path)
                        }
                        segment.offsets.append(offset)
                        offset = end
                    }
                }
            }
            segment.size = offset
            if let bad {
                let repair = "`khaosan-ingestd repair-journal` (with the same --state-dir) salvages every intact record"
                guard isLast else {
                    throw JournalError(
                        .corrupt,
                        "\(bad) at offset \(offset) of \(fileSize); not the last segment, so this is not a torn append and later acknowledged records would be lost: refusing to open; \(repair)",
                        path: path)
                }
                // A torn append leaves garbage or nothing after the cut; an intact record further
                // on means the damage is inside the segment (a flipped bit), and what follows it
                // was acknowledged: not to be cut away.
                let following = data.withUnsafeBytes {
                    JournalRepair.resync($0, after: offset, next: segment.endSequence, maxRecordBytes: config.maxRecordBytes)
                }
                if let following {
                    throw JournalError(
                        .corrupt,
                        "\(bad) at offset \(offset) of \(fileSize), and an intact record follows at offset \(following): damage inside the segment, not a torn append, so cutting it would lose acknowledged records: refusing to open; \(repair)",
                        path: path)
                }
                if segment.endSequence <= checkpoint {
                    throw JournalError(
                        .corrupt,
                        "\(bad) at offset \(offset) of \(fileSize), but records up to the checkpoint \(checkpoint) were acknowledged and applied: refusing to cut them",
                        path: path)
                }
                // Keep the cut bytes: a torn tail is normally an unacknowledged batch, but if the damage
                // is a flipped bit mid-file, this is the only copy of what followed.
                let tailPath = path + ".torn-\(offset)"
                let tailFD = try JournalIO.openFile(tailPath, O_WRONLY | O_CREAT | O_TRUNC)
                do {
                    try data.withUnsafeBytes {
                        try JournalIO.pwriteAll(tailFD, UnsafeRawBufferPointer(rebasing: $0[offset...]), at: 0, path: tailPath)
                    }
                    try JournalIO.fullSync(tailFD, path: tailPath)
                } catch {
                    JournalIO.closeFD(tailFD)
                    throw error
                }
                JournalIO.closeFD(tailFD)
                try JournalIO.syncDirectory(dir)
                try JournalIO.truncate(fd, to: offset, path: path)
                try JournalIO.fullSync(fd, path: path)
                recovery.truncatedBytes = fileSize - offset
                recovery.truncatedSegment = path
                recovery.savedTail = tailPath
                recovery.reason = "\(bad) at offset \(offset)"
            }
            segments.append(segment)
        }
        return segments
    }

    // MARK: Writer

    func startWriter() {
        withLock { writerRunning = true }
        let thread = Thread { [self] in writerLoop() }
        thread.name = "journal-writer"
        thread.start()
    }

    private func writerLoop() {
        let delay = config.groupCommitMaxDelay.components
        let delaySeconds = Double(delay.seconds) + Double(delay.attoseconds) / 1e18
        while true {
            cond.lock()
            while pending.isEmpty && !closing { cond.wait() }
            if pending.isEmpty {
                writerRunning = false
                cond.broadcast()
                cond.unlock()
                return
            }
            if delaySeconds > 0 && !closing {
                cond.unlock()
                Thread.sleep(forTimeInterval: delaySeconds)
                cond.lock()
            }
            var count = 0
            var bytes = 0
            while count < pending.count && (count == 0 || bytes + pending[count].bytes <= Self.batchLimitBytes) {
                bytes += pending[count].bytes
                count += 1
            }
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            if let failure {
                pendingBytes -= bytes
                cond.unlock()
                for item in batch { item.continuation.resume(throwing: failure) }
                continue
            }
            let firstSequence = nextSequence
            let total = batch.reduce(0) { $0 + $1.payloads.count }
            nextSequence += UInt64(total)
            let active = segments.last
            let activeSize = active?.size ?? 0
            cond.unlock()

            let result = Result { try commit(batch, firstSequence: firstSequence, active: active, activeSize: activeSize) }

            cond.lock()
            pendingBytes -= bytes
            var wake: [CheckedContinuation<Void, Never>] = []
            switch result {
            case .success(let runs):
                for run in runs {
                    run.segment.offsets.append(contentsOf: run.offsets)
                    run.segment.size = run.end
                }
                lastSequence = firstSequence + UInt64(total) - 1
                commits += UInt64(runs.count)
                appendsDone += UInt64(batch.count)
                for (id, waiter) in waiters where waiter.after < lastSequence {
                    wake.append(waiter.continuation)
                    waiters[id] = nil
                }
            case .failure(let error as JournalError) where error.code == .noSpace:
                // Undone on disk (see `commit`): the sequences are handed out again, and the
                // next append tries again, so freeing space is enough (issue 13, item 8: the
                // journal refused writes after a full disk until it was restarted).
                nextSequence = firstSequence
            case .failure(let error):
                let text = (error as? JournalError)?.description ?? "\(error)"
                failure = JournalError(
                    .io, "an earlier commit failed (\(text)); the journal refuses appends until restarted",
                    path: (error as? JournalError)?.path)
            }
            cond.unlock()

            switch result {
            case .success:
                var sequence = firstSequence
                for item in batch {
                    let n = UInt64(item.payloads.count)
                    item.continuation.resume(returning: Array(sequence..<(sequence + n)))
                    sequence += n
                }
            case .failure(let error):
                for item in batch { item.continuation.resume(throwing: error) }
            }
            for continuation in wake { continuation.resume() }
        }
    }

    private struct Run {
        var segment: JournalSegment
        var offsets: [Int]
        var end: Int
    }

    /// Writes a batch: one pwrite + one fdatasync per segment touched. A segment is complete and
    /// synced before the next one is created, so only the last segment can ever have a torn tail.
    private func commit(_ batch: [PendingAppend], firstSequence: UInt64, active: JournalSegment?, activeSize: Int) throws -> [Run] {
        var created: [JournalSegment] = []
        do {
            return try write(batch, firstSequence: firstSequence, active: active, activeSize: activeSize, created: &created)
        } catch let error as JournalError where error.isOutOfSpace {
            // A full disk is not the kind of failure after which the kernel may have dropped
            // pages of earlier, acknowledged commits: only this commit is in doubt. Cut it off
            // (the active segment back to its durable size, segments it created removed) and,
            // if that holds, let appends go on. Otherwise the journal stops as for any I/O error.
            do {
                if let active {
                    try JournalIO.truncate(active.fd, to: activeSize, path: active.path)
                    try JournalIO.dataSync(active.fd, path: active.path)
                }
                if !created.isEmpty {
                    let gone = Set(created.map { ObjectIdentifier($0) })
                    withLock { segments.removeAll { gone.contains(ObjectIdentifier($0)) } }
                    for segment in created { try JournalIO.remove(segment.path) }
                    try JournalIO.syncDirectory(config.directory)
                }
            } catch let undo {
                throw JournalError(.io, "\(error.message); undoing it failed too: \(undo)", path: error.path)
            }
            throw JournalError(.noSpace, "the file system is full (\(error.message)); nothing was written", path: error.path, systemError: error.systemError)
        }
    }

    private func write(_ batch: [PendingAppend], firstSequence: UInt64, active: JournalSegment?, activeSize: Int,
                       created: inout [JournalSegment]) throws -> [Run] {
        var runs: [Run] = []
        var segment = active
        var start = activeSize
        var buffer: [UInt8] = []
        buffer.reserveCapacity(min(batch.reduce(0) { $0 + $1.bytes }, Self.batchLimitBytes + config.maxRecordBytes))
        var offsets: [Int] = []
        var sequence = firstSequence

        func flush() throws {
            guard let current = segment, !offsets.isEmpty else { return }
            try buffer.withUnsafeBytes { try JournalIO.pwriteAll(current.fd, $0, at: start, path: current.path) }
            try JournalIO.dataSync(current.fd, path: current.path)
            runs.append(Run(segment: current, offsets: offsets, end: start + buffer.count))
            start += buffer.count
            buffer.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
        }

        for item in batch {
            for payload in item.payloads {
                let recordBytes = JournalRecordFormat.headerSize + payload.count
                let used = start + buffer.count
                if segment == nil || (used > 0 && used + recordBytes > config.segmentBytes) {
                    try flush()
                    let fresh = try createSegment(first: sequence)
                    created.append(fresh)
                    segment = fresh
                    start = 0
                }
                offsets.append(start + buffer.count)
                JournalRecordFormat.append(sequence: sequence, payload: payload, to: &buffer)
                sequence += 1
            }
        }
        try flush()
        return runs
    }

    private func createSegment(first: UInt64) throws -> JournalSegment {
        let path = config.directory + "/" + JournalSegment.fileName(first)
        let fd = try JournalIO.openFile(path, O_RDWR | O_CREAT | O_EXCL)
        let segment = JournalSegment(firstSequence: first, path: path, fd: fd, offsets: [], size: 0)
        do {
            try JournalIO.syncDirectory(config.directory)
        } catch {
            // Not in `segments` yet: remove it, or the next try at this sequence meets O_EXCL.
            try? JournalIO.remove(path)
            throw error
        }
        withLock { segments.append(segment) }
        return segment
    }

    // MARK: Appends

    func append(_ payloads: [[UInt8]]) async throws -> [UInt64] {
        if payloads.isEmpty { return [] }
        var bytes = 0
        for (index, payload) in payloads.enumerated() {
            if payload.count > config.maxRecordBytes {
                throw JournalError(
                    .tooLarge,
                    "payload \(index) has \(payload.count) bytes, more than maxRecordBytes \(config.maxRecordBytes)",
                    path: config.directory)
            }
            bytes += JournalRecordFormat.headerSize + payload.count
        }
        return try await withCheckedThrowingContinuation { continuation in
            var refusal: JournalError?
            cond.lock()
            if closing {
                refusal = JournalError(.closed, "journal is closed", path: config.directory)
            } else if let failure {
                refusal = failure
            } else {
                let unforwarded = unforwardedBytesLocked() + pendingBytes
                if unforwarded + bytes > config.quotaBytes {
                    refusal = JournalError(
                        .quotaExceeded,
                        "\(unforwarded) bytes not yet applied downstream; \(bytes) more would exceed the quota of \(config.quotaBytes)",
                        path: config.directory)
                } else {
                    pending.append(PendingAppend(payloads: payloads, bytes: bytes, continuation: continuation))
                    pendingBytes += bytes
                    cond.broadcast()
                }
            }
            cond.unlock()
            if let refusal { continuation.resume(throwing: refusal) }
        }
    }

    /// Bytes of durable records after the checkpoint.
    private func unforwardedBytesLocked() -> Int {
        var total = 0
        for segment in segments where segment.endSequence > checkpoint + 1 {
            if segment.firstSequence > checkpoint {
                total += segment.size
            } else {
                total += segment.size - segment.offsets[Int(checkpoint + 1 - segment.firstSequence)]
            }
        }
        return total
    }

    func stats() -> JournalStats {
        withLock {
            JournalStats(
                segmentCount: segments.count,
                bytesOnDisk: segments.reduce(0) { $0 + $1.size },
                unforwardedBytes: unforwardedBytesLocked() + pendingBytes,
                lastSequence: lastSequence,
                checkpoint: checkpoint,
                commits: commits,
                appends: appendsDone)
        }
    }

    // MARK: Reads

    private struct Span {
        var segment: JournalSegment
        var start: Int
        var end: Int
        var firstSequence: UInt64
        var count: Int
    }

    func read(after: UInt64, maxRecords: Int, maxBytes: Int) throws -> [JournalRecord] {
        var spans: [Span] = []
        try withLock {
            if closing { throw JournalError(.closed, "journal is closed", path: config.directory) }
            guard maxRecords > 0, after < lastSequence, !segments.isEmpty else { return }
            var sequence = max(after + 1, segments[0].firstSequence)
            // Last segment starting at or before `sequence`.
            var low = 0
            var high = segments.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if segments[mid].firstSequence <= sequence { low = mid } else { high = mid - 1 }
            }
            var index = low
            var records = 0
            var payloadBytes = 0
            while records < maxRecords && sequence <= lastSequence && index < segments.count {
                let segment = segments[index]
                let i = Int(sequence - segment.firstSequence)
                if i >= segment.offsets.count {
                    index += 1
                    continue
                }
                let start = segment.offsets[i]
                let end = i + 1 < segment.offsets.count ? segment.offsets[i + 1] : segment.size
                let payload = end - start - JournalRecordFormat.headerSize
                if records > 0 && payloadBytes + payload > maxBytes { break }
                if var last = spans.last, last.segment === segment, last.end == start {
                    last.end = end
                    last.count += 1
                    spans[spans.count - 1] = last
                } else {
                    spans.append(Span(segment: segment, start: start, end: end, firstSequence: sequence, count: 1))
                }
                records += 1
                payloadBytes += payload
                sequence += 1
            }
        }
        var out: [JournalRecord] = []
        for span in spans {
            let data = try JournalIO.preadAll(span.segment.fd, count: span.end - span.start, at: span.start, path: span.segment.path)
            try data.withUnsafeBytes { raw in
                var offset = 0
                for k in 0..<span.count {
                    let expected = span.firstSequence + UInt64(k)
                    switch JournalRecordFormat.parse(raw, at: offset, maxRecordBytes: config.maxRecordBytes) {
                    case .invalid(let reason):
                        throw JournalError(.corrupt, "\(reason) at offset \(span.start + offset) (record \(expected))", path: span.segment.path)
                    case .record(let sequence, let range, let end):
                        guard sequence == expected else {
                            throw JournalError(
                                .corrupt, "record at offset \(span.start + offset) has sequence \(sequence), expected \(expected)",
                                path: span.segment.path)
                        }
                        out.append(JournalRecord(sequence: sequence, payload: Array(raw[range])))
                        offset = end
                    }
                }
            }
        }
        return out
    }

    func waitForRecords(after: UInt64) async {
        let id: UInt64 = withLock {
            nextWaiterID += 1
            return nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                cond.lock()
                if lastSequence > after || closing || Task.isCancelled {
                    cond.unlock()
                    continuation.resume()
                    return
                }
                waiters[id] = (after, continuation)
                cond.unlock()
            }
        } onCancel: {
            let waiter = withLock { waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }

    // MARK: Checkpoint

    func setCheckpoint(_ sequence: UInt64) throws {
        checkpointLock.lock()
        defer { checkpointLock.unlock() }
        let current: UInt64 = try withLock {
            if closing { throw JournalError(.closed, "journal is closed", path: config.directory) }
            if sequence > lastSequence {
                throw JournalError(
                    .invalidArgument,
                    "checkpoint \(sequence) is beyond the last durable record \(lastSequence)",
                    path: checkpointPath)
            }
            return checkpoint
        }
        if sequence <= current { return }
        try JournalCheckpointFile.write(checkpointPath, sequence: sequence, directory: config.directory)
        let victims: [JournalSegment] = withLock {
            checkpoint = sequence
            return takeCoveredSegments()
        }
        try deleteSegments(victims)
    }

    /// Removes from the list the segments whose records are all <= checkpoint. Never the last one: it
    /// is where appends go. Caller holds the lock (or is the initialiser).
    private func takeCoveredSegments() -> [JournalSegment] {
        var count = 0
        while count + 1 < segments.count && segments[count + 1].firstSequence - 1 <= checkpoint {
            count += 1
        }
        let victims = Array(segments.prefix(count))
        segments.removeFirst(count)
        return victims
    }

    private func deleteSegments(_ victims: [JournalSegment]) throws {
        guard !victims.isEmpty else { return }
        for segment in victims { try JournalIO.remove(segment.path) }
        try JournalIO.syncDirectory(config.directory)
    }

    // MARK: Close

    func close() {
        cond.lock()
        closing = true
        cond.broadcast()
        let wake = waiters.values.map(\.continuation)
        waiters.removeAll()
        while writerRunning { cond.wait() }
        var releaseLock = false
        if !lockReleased {
            lockReleased = true
            releaseLock = true
            segments.removeAll()
        }
        cond.unlock()
        for continuation in wake { continuation.resume() }
        if releaseLock {
            // A checkpoint write that passed its `closing` check finishes before another opener may
            // take the directory.
            checkpointLock.lock()
            JournalIO.closeFD(lockFD)
            checkpointLock.unlock()
        }
    }
}
