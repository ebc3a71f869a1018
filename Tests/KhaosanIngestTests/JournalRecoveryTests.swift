import Foundation
import KhaosanIngest
import Testing

/// Damage on disk: torn tails, flipped bytes, missing or damaged files.
@Suite struct JournalRecoveryTests {
    /// Builds a closed journal of `count` records with varied sizes, spread over several segments.
    private func build(_ directory: String, count: Int, segmentBytes: Int = 2000) async throws -> JournalConfiguration {
        let config = JournalConfiguration(directory: directory, segmentBytes: segmentBytes)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...count).map { journalPayload($0) })
        journal.close()
        return config
    }

    private func lastSegment(_ directory: String) -> String {
        directory + "/" + journalSegmentFiles(directory).last!
    }

    private func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
    }

    @Test func tornTailAtRandomCutPoints() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let template = tmp.path + "/template"
        let config = try await build(template, count: 60)
        let segments = journalSegmentFiles(template)
        #expect(segments.count >= 3)
        let last = segments.last!
        let firstInLast = UInt64(last.prefix(20))!
        // Record end offsets inside the last segment, from the known payload sizes.
        var ends: [Int] = []
        var offset = 0
        for n in Int(firstInLast)...60 {
            offset += 16 + journalPayload(n).count
            ends.append(offset)
        }
        let lastSize = try fileSize(template + "/" + last)
        #expect(lastSize == offset)

        var generator = SystemRandomNumberGenerator()
        for iteration in 0..<100 {
            let dir = tmp.path + "/run\(iteration)"
            try FileManager.default.copyItem(atPath: template, toPath: dir)
            let cut = iteration == 0 ? lastSize : Int.random(in: 0..<lastSize, using: &generator)
            #expect(truncate(dir + "/" + last, off_t(cut)) == 0)

            let complete = ends.filter { $0 <= cut }.count
            let keptBytes = complete == 0 ? 0 : ends[complete - 1]
            let expectedLast = firstInLast - 1 + UInt64(complete)

            var runConfig = config
            runConfig.directory = dir
            let journal = try Journal.open(runConfig)
            #expect(journal.lastSequence == expectedLast, "cut at \(cut)")
            #expect(journal.recovery.truncatedBytes == cut - keptBytes, "cut at \(cut)")
            #expect(try fileSize(dir + "/" + last) == keptBytes)
            if cut > keptBytes {
                let saved = try #require(journal.recovery.savedTail)
                #expect(try fileSize(saved) == cut - keptBytes)
            }
            let records = try journal.read(after: 0, maxRecords: 1000, maxBytes: 1 << 30)
            #expect(records.map(\.sequence) == Array(1...expectedLast))
            #expect(records.allSatisfy { $0.payload == journalPayload(Int($0.sequence)) })
            // New appends continue right after the last intact record.
            let next = try await journal.append([journalPayload(1000), journalPayload(1001)])
            #expect(next == [expectedLast + 1, expectedLast + 2])
            journal.close()

            let reopened = try Journal.open(runConfig)
            #expect(reopened.recovery.truncatedBytes == 0)
            #expect(try reopened.read(after: expectedLast, maxRecords: 10, maxBytes: 1 << 20).map(\.payload)
                == [journalPayload(1000), journalPayload(1001)])
            reopened.close()
            try FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test(arguments: [0, 3, 5, 11, 16, 40])
    func flippedByteInLastRecordIsDetected(at position: Int) async throws {
        // Positions: length field, CRC, sequence, payload.
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...5).map { journalPayload($0, size: 50) })
        journal.close()

        let path = lastSegment(tmp.journal)
        let lastRecordStart = 4 * 66
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(lastRecordStart + position))
        let original = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: UInt64(lastRecordStart + position))
        try handle.write(contentsOf: [original[0] ^ 0x20])
        try handle.close()

        let reopened = try Journal.open(config)
        defer { reopened.close() }
        #expect(reopened.lastSequence == 4)
        #expect(reopened.recovery.truncatedBytes == 66)
        #expect(reopened.recovery.reason?.contains("offset \(lastRecordStart)") == true)
        #expect(try reopened.read(after: 0, maxRecords: 10, maxBytes: 1 << 20).map(\.sequence) == [1, 2, 3, 4])
        #expect(try await reopened.append(journalPayload(9)) == 5)
    }

    @Test func corruptionInOlderSegmentRefusesToOpen() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = try await build(tmp.journal, count: 60)
        let first = tmp.journal + "/" + journalSegmentFiles(tmp.journal)[0]
        let offset = 16 + journalPayload(1).count + 20  // inside record 2's payload
        let handle = try #require(FileHandle(forUpdatingAtPath: first))
        try handle.seek(toOffset: UInt64(offset))
        let original = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: [original[0] ^ 0x01])
        try handle.close()
        let sizeBefore = try fileSize(first)

        #expect {
            _ = try Journal.open(config)
        } throws: { error in
            guard let error = error as? JournalError else { return false }
            return error.code == .corrupt && error.path == first
                && error.message.contains("offset \(16 + journalPayload(1).count)")
                && error.message.contains("checksum")
        }
        // Nothing was cut.
        #expect(try fileSize(first) == sizeBefore)
    }

    @Test func truncatedOlderSegmentRefusesToOpen() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = try await build(tmp.journal, count: 60)
        let second = tmp.journal + "/" + journalSegmentFiles(tmp.journal)[1]
        #expect(truncate(second, off_t(try fileSize(second) - 3)) == 0)
        #expect {
            _ = try Journal.open(config)
        } throws: { ($0 as? JournalError)?.code == .corrupt && ($0 as? JournalError)?.path == second }
    }

    @Test func missingSegmentRefusesToOpen() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = try await build(tmp.journal, count: 60)
        let files = journalSegmentFiles(tmp.journal)
        try FileManager.default.removeItem(atPath: tmp.journal + "/" + files[1])
        #expect {
            _ = try Journal.open(config)
        } throws: { ($0 as? JournalError)?.code == .corrupt && ($0 as? JournalError)?.path == tmp.journal + "/" + files[2] }
        // A missing first segment is a gap after the checkpoint (0).
        try FileManager.default.removeItem(atPath: tmp.journal + "/" + files[0])
        #expect {
            _ = try Journal.open(config)
        } throws: { ($0 as? JournalError)?.code == .corrupt }
    }

    @Test func garbageAfterTheLastRecordIsCut() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = try await build(tmp.journal, count: 10)
        let path = lastSegment(tmp.journal)
        let size = try fileSize(path)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seekToEnd()
        // Zeros (as a crash can leave after an extended file) followed by noise.
        try handle.write(contentsOf: [UInt8](repeating: 0, count: 4096) + journalPayload(3, size: 100))
        try handle.close()
        let journal = try Journal.open(config)
        defer { journal.close() }
        #expect(journal.lastSequence == 10)
        #expect(journal.recovery.truncatedBytes == 4196)
        #expect(try fileSize(path) == size)
    }

    @Test func emptyLastSegmentIsReused() async throws {
        // A crash right after creating a new segment leaves it empty.
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = try await build(tmp.journal, count: 10)
        let empty = tmp.journal + "/00000000000000000011.seg"
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        let journal = try Journal.open(config)
        defer { journal.close() }
        #expect(journal.lastSequence == 10)
        #expect(try await journal.append(journalPayload(11)) == 11)
        #expect(try fileSize(empty) == 16 + journalPayload(11).count)
    }

    @Test func damagedCheckpointRefusesToOpen() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal)
        let journal = try Journal.open(config)
        _ = try await journal.append(journalPayload(1))
        try journal.setCheckpoint(1)
        journal.close()
        let path = tmp.journal + "/checkpoint"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Journal.open(config)
        } throws: { ($0 as? JournalError)?.code == .corrupt && ($0 as? JournalError)?.path == path }
    }

    @Test func checkpointBeyondTheLogRefusesToOpen() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...3).map { journalPayload($0) })
        try journal.setCheckpoint(3)
        journal.close()
        // Applied records lost from disk: not a torn tail, must not be papered over.
        let segment = lastSegment(tmp.journal)
        #expect(truncate(segment, off_t(16 + journalPayload(1).count + 5)) == 0)
        #expect {
            _ = try Journal.open(config)
        } throws: { ($0 as? JournalError)?.code == .corrupt }
    }
}
