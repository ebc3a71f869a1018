import Foundation
import KhaosanIngest
import Testing

/// Issue 15, item 5c: a flipped bit inside a segment is not cut away as if it were a torn
/// tail; start-up refuses naming the segment and offset, and `repair-journal` salvages every
/// intact record.
@Suite struct JournalRepairTests {
    /// Offset of record `n` (1-based) in a segment of records 1...n-1 of `size`-byte payloads.
    static func offset(ofRecord n: Int, size: Int) -> Int { (n - 1) * (16 + size) }

    static func flip(_ path: String, at offset: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(offset))
        let original = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: [original[0] ^ 0x04])
        try handle.close()
    }

    static func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }

    @Test(arguments: [0, 8, 30])  // the length field, the sequence, the payload
    func flipInsideTheLastSegmentRefusesToOpen(at position: Int) async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let config = JournalConfiguration(directory: tmp.journal)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...20).map { journalPayload($0, size: 50) })
        journal.close()
        let segment = tmp.journal + "/" + journalSegmentFiles(tmp.journal)[0]
        let damaged = Self.offset(ofRecord: 10, size: 50)
        try Self.flip(segment, at: damaged + position)
        let before = Self.size(segment)

        #expect {
            _ = try Journal.open(config)
        } throws: { error in
            guard let e = error as? JournalError else { return false }
            return e.code == .corrupt && e.path == segment && e.message.contains("at offset \(damaged) ")
                && e.message.contains("repair-journal") && "\(e)".contains(segment)
        }
        #expect(Self.size(segment) == before, "nothing was cut")
        #expect(!journalSegmentFiles(tmp.journal).isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp.journal)) ?? []).allSatisfy { !$0.contains("torn") })
    }

    @Test func repairSalvagesEveryIntactRecordAndMarksTheLostOne() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        // Small segments: the damage is in a middle segment of several.
        let config = JournalConfiguration(directory: tmp.journal, segmentBytes: 700)
        let journal = try Journal.open(config)
        _ = try await journal.append((1...40).map { journalPayload($0, size: 50) })
        journal.close()
        let segments = journalSegmentFiles(tmp.journal)
        #expect(segments.count >= 3)
        let middle = segments[1]
        let first = Int(UInt64(middle.prefix(20))!)
        let victim = first + 2
        let damaged = Self.offset(ofRecord: victim - first + 1, size: 50)
        try Self.flip(tmp.journal + "/" + middle, at: damaged + 20)
        #expect(throws: JournalError.self) { _ = try Journal.open(config) }

        let dry = try JournalRepair.repair(directory: tmp.journal, dryRun: true)
        #expect(dry.movedTo == nil)
        #expect(journalSegmentFiles(tmp.journal) == segments, "a dry run changes nothing")

        let report = try JournalRepair.repair(directory: tmp.journal)
        #expect(report.salvaged == 39)
        #expect(report.lost == [UInt64(victim)...UInt64(victim)])
        #expect(report.damage.count == 1)
        #expect(report.damage.first?.segment == tmp.journal + "/" + middle)
        #expect(report.damage.first?.start == damaged)
        let moved = try #require(report.movedTo)
        #expect(journalSegmentFiles(moved) == segments, "the originals are kept")

        let repaired = try Journal.open(config)
        defer { repaired.close() }
        #expect(repaired.recovery.truncatedBytes == 0)
        let records = try repaired.read(after: 0, maxRecords: 100, maxBytes: 1 << 20)
        #expect(records.map(\.sequence) == Array(1...40))
        for r in records {
            if r.sequence == UInt64(victim) {
                let reason = try #require(JournalRepair.lostReason(r.payload))
                #expect(reason.contains("record \(victim)"))
            } else {
                #expect(r.payload == journalPayload(Int(r.sequence), size: 50), "record \(r.sequence)")
            }
        }
        // Appends go on after the last record.
        #expect(try await repaired.append(journalPayload(99)) == 41)
    }

    @Test func aSoundJournalIsLeftAlone() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal))
        _ = try await journal.append((1...5).map { journalPayload($0) })
        journal.close()
        let report = try JournalRepair.repair(directory: tmp.journal)
        #expect(report.isSound)
        #expect(report.movedTo == nil)
        #expect(report.salvaged == 5)
    }

    @Test func anOpenJournalIsNotRepaired() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let journal = try Journal.open(JournalConfiguration(directory: tmp.journal))
        defer { journal.close() }
        #expect(throws: JournalError.self) { _ = try JournalRepair.repair(directory: tmp.journal) }
    }
}
