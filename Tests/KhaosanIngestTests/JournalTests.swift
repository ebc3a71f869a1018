import Foundation
import KhaosanIngest
import Testing

/// A fresh directory under /tmp, removed by `remove()`.
struct JournalTempDir {
    let path: String

    init() {
        var template = Array("/tmp/khaosan-journal-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var journal: String { path + "/journal" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Deterministic payload for record `n` (sizes vary so record boundaries do too).
func journalPayload(_ n: Int, size: Int? = nil) -> [UInt8] {
    let count = size ?? (n * 37) % 300
    var state = UInt32(truncatingIfNeeded: n) &* 2_654_435_761 &+ 1
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

func journalSegmentFiles(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".seg") }
        .sorted()
}

@Suite struct JournalTests {
    @Test func crc32cKnownVectors() {
        // RFC 3720 appendix B.4 and the common "123456789" check value.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0..<32)) == 0x46DD_794E)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func crc32cMatchesReferenceAtEveryLengthAndAlignment() {
        let data = journalPayload(7, size: 300)
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let slice = Array(data[start..<end])
                #expect(CRC32C.checksum(slice) == CRC32C.reference(slice), "bytes \(start)..<\(end)")
                // Unaligned start inside a larger buffer exercises the byte-wise prologue.
                let viaPointer = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
                #expect(viaPointer == CRC32C.reference(slice))
            }
        }
        let a = Array(data[0..<123])
        let b = Array(data[123...])
        #expect(CRC32C.update(CRC32C.checksum(a), b) == CRC32C.checksum(data))
    }

    @Test func appendReadRoundTrip() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal))
        defer { journal.close() }
        #expect(journal.lastSequence == 0)
        #expect(try journal.read(after: 0, maxRecords: 10, maxBytes: 1 << 20).isEmpty)

        let first = try await journal.append(journalPayload(1))
        let rest = try await journal.append((2...20).map { journalPayload($0) } + [[]])
        #expect(first == 1)
        #expect(rest == Array(2...21))
        #expect(journal.lastSequence == 21)

        let all = try journal.read(after: 0, maxRecords: 100, maxBytes: 1 << 20)
        #expect(all.map(\.sequence) == Array(1...21))
        for record in all.prefix(20) { #expect(record.payload == journalPayload(Int(record.sequence))) }
        #expect(all.last?.payload == [])

        #expect(try journal.read(after: 5, maxRecords: 3, maxBytes: 1 << 20).map(\.sequence) == [6, 7, 8])
        #expect(try journal.read(after: 21, maxRecords: 3, maxBytes: 1 << 20).isEmpty)
        #expect(try journal.read(after: 0, maxRecords: 0, maxBytes: 1 << 20).isEmpty)

        // maxBytes caps payload bytes, but one record always comes back so a reader makes progress.
        let one = try journal.read(after: 3, maxRecords: 100, maxBytes: 1)
        #expect(one.map(\.sequence) == [4])
        let budget = journalPayload(5).count + journalPayload(6).count
        #expect(try journal.read(after: 4, maxRecords: 100, maxBytes: budget).map(\.sequence) == [5, 6])

        let stats = journal.stats
        #expect(stats.lastSequence == 21)
        #expect(stats.segmentCount == 1)
        let expectedBytes = (1...20).reduce(0) { $0 + 16 + journalPayload($1).count } + 16
        #expect(stats.bytesOnDisk == expectedBytes)
        #expect(stats.unforwardedBytes == expectedBytes)
        #expect(stats.appends == 2)
    }

    @Test func reopenKeepsEverything() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        do {
            let journal = try Journal.open(JournalConfiguration(directory: tmp.journal, segmentBytes: 2000))
            _ = try await journal.append((1...40).map { journalPayload($0) })
            journal.close()
        }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal, segmentBytes: 2000))
        defer { journal.close() }
        #expect(journal.recovery.truncatedBytes == 0)
        #expect(journal.recovery.recordCount == 40)
        #expect(journal.lastSequence == 40)
        let records = try journal.read(after: 0, maxRecords: 1000, maxBytes: 1 << 20)
        #expect(records.map(\.sequence) == Array(1...40))
        #expect(records.map(\.payload) == (1...40).map { journalPayload($0) })
        #expect(try await journal.append(journalPayload(41)) == 41)
    }

    @Test func segmentRollover() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal, segmentBytes: 1000)
        let journal = try Journal.open(config)
        // 100-byte payloads = 116-byte records: 8 fit in 1000 bytes.
        for n in 1...30 { _ = try await journal.append(journalPayload(n, size: 100)) }
        // One oversized record gets a segment of its own rather than being refused.
        _ = try await journal.append(journalPayload(31, size: 3000))
        _ = try await journal.append(journalPayload(32, size: 10))
        let files = journalSegmentFiles(tmp.journal)
        #expect(files == ["00000000000000000001.seg", "00000000000000000009.seg", "00000000000000000017.seg",
                          "00000000000000000025.seg", "00000000000000000031.seg", "00000000000000000032.seg"])
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: tmp.journal + "/" + file)[.size] as? Int ?? -1
            #expect(size <= 1000 || file == "00000000000000000031.seg")
        }
        #expect(journal.stats.segmentCount == 6)
        // A read that spans several segments.
        let records = try journal.read(after: 5, maxRecords: 100, maxBytes: 1 << 20)
        #expect(records.map(\.sequence) == Array(6...32))
        journal.close()

        let reopened = try Journal.open(config)
        defer { reopened.close() }
        #expect(try reopened.read(after: 0, maxRecords: 100, maxBytes: 1 << 20).map(\.payload)
            == (1...30).map { journalPayload($0, size: 100) } + [journalPayload(31, size: 3000), journalPayload(32, size: 10)])
        #expect(try await reopened.append(journalPayload(33, size: 10)) == 33)
    }

    @Test func batchSpanningSegmentsIsOneAppend() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal, segmentBytes: 1000))
        defer { journal.close() }
        let sequences = try await journal.append((1...20).map { journalPayload($0, size: 100) })
        #expect(sequences == Array(1...20))
        #expect(journalSegmentFiles(tmp.journal).count == 3)
        #expect(try journal.read(after: 0, maxRecords: 100, maxBytes: 1 << 20).count == 20)
    }

    @Test func concurrentAppendsGetDistinctSequences() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal, segmentBytes: 64 << 10)
        let journal = try Journal.open(config)
        let results = try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
            for task in 0..<200 {
                group.addTask { (task, try await journal.append(journalPayload(task, size: 1000))) }
            }
            var out: [(Int, UInt64)] = []
            for try await result in group { out.append(result) }
            return out
        }
        #expect(Set(results.map(\.1)) == Set(1...200))
        #expect(journal.stats.commits <= 200)
        #expect(journal.stats.appends == 200)
        journal.close()

        let reopened = try Journal.open(config)
        defer { reopened.close() }
        let records = try reopened.read(after: 0, maxRecords: 1000, maxBytes: 1 << 30)
        #expect(records.map(\.sequence) == Array(1...200))
        let payloadBySequence = Dictionary(uniqueKeysWithValues: records.map { ($0.sequence, $0.payload) })
        for (task, sequence) in results {
            #expect(payloadBySequence[sequence] == journalPayload(task, size: 1000), "task \(task)")
        }
    }

    @Test func groupCommitDelayStillCommitsEverything() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(
            JournalConfiguration(directory: tmp.journal, groupCommitMaxDelay: .milliseconds(5)))
        defer { journal.close() }
        let sequences = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for task in 0..<10 {
                group.addTask { try await journal.append([journalPayload(task), journalPayload(task + 100)]) }
            }
            var all: [UInt64] = []
            for try await batch in group {
                #expect(batch.count == 2 && batch[1] == batch[0] + 1)  // a batch stays contiguous
                all += batch
            }
            return all
        }
        #expect(sequences.sorted() == Array(1...20))
        #expect(journal.stats.commits <= 10)
    }

    @Test func checkpointDeletesAppliedSegmentsAndSurvivesReopen() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal, segmentBytes: 1000)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...30).map { journalPayload($0, size: 100) })
        #expect(journalSegmentFiles(tmp.journal).count == 4)  // 1, 9, 17, 25
        let before = journal.stats

        try journal.setCheckpoint(16)  // covers segments 1 and 9 exactly
        #expect(journal.checkpoint == 16)
        #expect(journalSegmentFiles(tmp.journal) == ["00000000000000000017.seg", "00000000000000000025.seg"])
        #expect(journal.stats.unforwardedBytes == 14 * 116)
        #expect(journal.stats.bytesOnDisk == before.bytesOnDisk - 16 * 116)

        try journal.setCheckpoint(20)  // segment 17 still holds 21...24
        #expect(journalSegmentFiles(tmp.journal).count == 2)
        #expect(journal.stats.unforwardedBytes == 10 * 116)

        try journal.setCheckpoint(3)  // going back is ignored
        #expect(journal.checkpoint == 20)

        #expect {
            try journal.setCheckpoint(31)
        } throws: { ($0 as? JournalError)?.code == .invalidArgument }

        // Reading from before the oldest retained record starts at the oldest retained one.
        #expect(try journal.read(after: 0, maxRecords: 2, maxBytes: 1 << 20).map(\.sequence) == [17, 18])

        // The active segment stays even when fully applied: appends go there.
        try journal.setCheckpoint(30)
        #expect(journalSegmentFiles(tmp.journal) == ["00000000000000000025.seg"])
        journal.close()

        let reopened = try Journal.open(config)
        defer { reopened.close() }
        #expect(reopened.checkpoint == 30)
        #expect(reopened.lastSequence == 30)
        #expect(reopened.stats.unforwardedBytes == 0)
        #expect(try await reopened.append(journalPayload(31)) == 31)
        #expect(try reopened.read(after: 30, maxRecords: 10, maxBytes: 1 << 20).map(\.sequence) == [31])
        #expect(!FileManager.default.fileExists(atPath: tmp.journal + "/checkpoint.tmp"))
    }

    @Test func segmentsCoveredByCheckpointAreDeletedAtOpen() async throws {
        // Simulates a crash after the checkpoint rename but before the deletions.
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal, segmentBytes: 1000)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...20).map { journalPayload($0, size: 100) })
        let saved = tmp.path + "/saved.seg"
        try FileManager.default.copyItem(atPath: tmp.journal + "/00000000000000000001.seg", toPath: saved)
        try journal.setCheckpoint(10)
        journal.close()
        try FileManager.default.copyItem(atPath: saved, toPath: tmp.journal + "/00000000000000000001.seg")

        let reopened = try Journal.open(config)
        defer { reopened.close() }
        #expect(reopened.recovery.deletedSegments == 1)
        #expect(journalSegmentFiles(tmp.journal) == ["00000000000000000009.seg", "00000000000000000017.seg"])
        #expect(try reopened.read(after: 10, maxRecords: 100, maxBytes: 1 << 20).map(\.sequence) == Array(11...20))
    }

    @Test func quotaExceeded() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        // Ten 100-byte records (116 bytes each) fit in 1200; the eleventh does not.
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal, segmentBytes: 500, quotaBytes: 1200))
        defer { journal.close() }
        for n in 1...10 { _ = try await journal.append(journalPayload(n, size: 100)) }
        await #expect {
            _ = try await journal.append(journalPayload(11, size: 100))
        } throws: { ($0 as? JournalError)?.code == .quotaExceeded }
        // A checkpoint frees quota (2 records remain unforwarded: 232 bytes, so 8 more fit in 1200),
        // and a batch is accepted or refused whole.
        try journal.setCheckpoint(8)
        #expect(journal.stats.unforwardedBytes == 232)
        await #expect {
            _ = try await journal.append((11...19).map { journalPayload($0, size: 100) })
        } throws: { ($0 as? JournalError)?.code == .quotaExceeded }
        #expect(journal.lastSequence == 10)
        #expect(try await journal.append((11...18).map { journalPayload($0, size: 100) }) == Array(11...18))
        #expect(journal.stats.unforwardedBytes == 1160)
    }

    @Test func tooLargeAndClosed() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal, maxRecordBytes: 1000))
        await #expect {
            _ = try await journal.append([UInt8](repeating: 1, count: 1001))
        } throws: { ($0 as? JournalError)?.code == .tooLarge }
        #expect(try await journal.append([UInt8](repeating: 1, count: 1000)) == 1)
        journal.close()
        journal.close()
        await #expect {
            _ = try await journal.append([1])
        } throws: { ($0 as? JournalError)?.code == .closed }
        #expect {
            _ = try journal.read(after: 0, maxRecords: 1, maxBytes: 1)
        } throws: { ($0 as? JournalError)?.code == .closed }
    }

    @Test func secondOpenOfTheSameDirectoryIsRefused() throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal))
        #expect {
            _ = try Journal.open(JournalConfiguration(directory: tmp.journal))
        } throws: { error in
            guard let error = error as? JournalError else { return false }
            return error.code == .io && error.path == tmp.journal + "/LOCK"
        }
        journal.close()
        let again = try Journal.open(JournalConfiguration(directory: tmp.journal))
        again.close()
    }

    @Test func waitForRecordsWakesUp() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal))
        defer { journal.close() }
        let waiter = Task {
            await journal.waitForRecords(after: 0)
            return journal.lastSequence
        }
        try await Task.sleep(for: .milliseconds(20))
        _ = try await journal.append(journalPayload(1))
        #expect(await waiter.value >= 1)
        // Already satisfied: returns at once.
        await journal.waitForRecords(after: 0)

        // Cancellation wakes a waiter too.
        let cancelled = Task { await journal.waitForRecords(after: 100) }
        cancelled.cancel()
        await cancelled.value

        // Reading in a forwarder-like loop sees every record exactly once.
        let reader = Task {
            var seen: [UInt64] = []
            var position: UInt64 = 1
            while seen.count < 5 {
                await journal.waitForRecords(after: position)
                let records = try journal.read(after: position, maxRecords: 2, maxBytes: 1 << 20)
                seen += records.map(\.sequence)
                position = records.last?.sequence ?? position
            }
            return seen
        }
        for n in 2...6 { _ = try await journal.append(journalPayload(n)) }
        #expect(try await reader.value == [2, 3, 4, 5, 6])
    }

    @Test func closeWakesWaiters() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal))
        let waiter = Task { await journal.waitForRecords(after: 0) }
        try await Task.sleep(for: .milliseconds(20))
        journal.close()
        await waiter.value
        #expect(journal.lastSequence == 0)
    }
}
