import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `khaosan-ingestd repair-journal`: salvages every intact record of a damaged journal (a bit
/// flipped inside a segment, which recovery refuses to cut away) into new segments.
///
/// Each segment is read record by record; at damage the scan looks ahead, byte by byte, for the
/// next record whose checksum holds and whose sequence comes later, and goes on from there. The
/// records found keep their sequences (khaosan-queryd skips positions it has applied, so
/// renumbering could skip a record it never had). Each sequence missing between two salvaged
/// ones gets a *lost-record marker* in its place, so sequences stay contiguous and the loss is
/// not silent: the forwarder sets each marker aside as a dead letter (code DATA_LOSS), shown by
/// `khaosan status`. The original segments are moved, not deleted, to a sibling directory
/// `<journal>.damaged-<UTC time>`. Damage at the very end of the last segment is a torn append
/// (nothing acknowledged) or lost records; what the bytes held cannot be told, so they are only
/// kept in the moved copy.
package enum JournalRepair {
    package struct Damage: Sendable, Equatable, CustomStringConvertible {
        package var segment: String
        package var start: Int
        /// Where the next intact record starts, or the file's size.
        package var end: Int
        package var reason: String
        package var description: String { "\(segment): bytes \(start)..<\(end) unreadable (\(reason))" }
    }

    package struct Report: Sendable, CustomStringConvertible {
        package var segments = 0
        package var salvaged = 0
        package var damage: [Damage] = []
        /// Sequences that had no intact record, written as lost-record markers.
        package var lost: [ClosedRange<UInt64>] = []
        /// Where the original segments went; nil when nothing was changed.
        package var movedTo: String?
        package var lostCount: UInt64 { lost.reduce(0) { $0 + ($1.upperBound - $1.lowerBound + 1) } }
        package var isSound: Bool { damage.isEmpty && lost.isEmpty }

        package var description: String {
            var lines = ["\(segments) segment\(segments == 1 ? "" : "s") read, \(salvaged) intact record\(salvaged == 1 ? "" : "s") salvaged"]
            for d in damage { lines.append("damage: \(d)") }
            for r in lost {
                lines.append(r.lowerBound == r.upperBound ? "lost: record \(r.lowerBound) (a lost-record marker takes its place; it becomes a DATA_LOSS dead letter)"
                    : "lost: records \(r.lowerBound)...\(r.upperBound) (lost-record markers take their places; they become DATA_LOSS dead letters)")
            }
            if let movedTo { lines.append("original segments moved to \(movedTo)") } else if isSound { lines.append("the journal is sound; nothing changed") }
            return lines.joined(separator: "\n")
        }
    }

    /// The payload of a lost-record marker: this prefix, then why, in words.
    package static let lostMarker: [UInt8] = Array("KHAOSAN-LOST-RECORD\n".utf8)

    /// Why a record was lost, if `payload` is a lost-record marker.
    package static func lostReason(_ payload: [UInt8]) -> String? {
        guard payload.starts(with: lostMarker) else { return nil }
        return String(decoding: payload[lostMarker.count...], as: UTF8.self)
    }

    /// Repairs the journal in `directory` (which must not be open: the LOCK is taken). With
    /// `dryRun`, only reports.
    package static func repair(directory: String, maxRecordBytes: Int = 8 << 20, segmentBytes: Int = 64 << 20, dryRun: Bool = false) throws -> Report {
        var dir = directory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        let lockFD = try JournalIO.openFile(dir + "/LOCK", O_RDWR | O_CREAT)
        defer { JournalIO.closeFD(lockFD) }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            throw JournalError(.io, "the journal is open (is khaosan-ingestd running? stop it first)", path: dir + "/LOCK")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw JournalError(.io, "cannot list directory: \(error)", path: dir)
        }
        let firsts = names.compactMap(JournalSegment.parseFileName).sorted()
        var report = Report()
        report.segments = firsts.count
        var records: [(sequence: UInt64, payload: [UInt8])] = []
        for first in firsts {
            let path = dir + "/" + JournalSegment.fileName(first)
            let fd = try JournalIO.openFile(path, O_RDONLY)
            defer { JournalIO.closeFD(fd) }
            let data = try JournalIO.preadAll(fd, count: try JournalIO.fileSize(fd, path: path), at: 0, path: path)
            let expected = records.last.map { $0.sequence + 1 } ?? first
            let (found, damage) = scan(data, path: path, from: expected, maxRecordBytes: maxRecordBytes)
            records += found.filter { $0.sequence > (records.last?.sequence ?? 0) }
            report.damage += damage
        }
        report.salvaged = records.count
        // Gaps: before the first record (from the first segment's own first sequence) and between records.
        var markers: [(UInt64, [UInt8])] = []
        var previous = (firsts.first ?? 1) - 1
        for r in records {
            if r.sequence > previous + 1 {
                let range = (previous + 1)...(r.sequence - 1)
                report.lost.append(range)
                let near = report.damage.first.map { " near \($0.segment) offset \($0.start)" } ?? ""
                for s in range {
                    markers.append((s, lostMarker + Array("record \(s) was unreadable in the journal\(near); removed by repair-journal on \(isoNow())".utf8)))
                }
            }
            previous = r.sequence
        }
        guard !report.isSound, !dryRun else { return report }

        // New segments beside the old, then the swap: old ones moved out, new ones in.
        let all = (records.map { ($0.sequence, $0.payload) } + markers).sorted { $0.0 < $1.0 }
        let stamp = isoNow().replacingOccurrences(of: ":", with: "")
        let staging = dir + "/repair-" + stamp
        let moved = dir + ".damaged-" + stamp
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            try FileManager.default.createDirectory(atPath: moved, withIntermediateDirectories: false)
        } catch {
            throw JournalError(.io, "cannot create a directory for the repair: \(error)", path: staging)
        }
        var written: [String] = []
        var chunk: [UInt8] = []
        var chunkFirst: UInt64?
        func flushChunk() throws {
            guard let f = chunkFirst else { return }
            let name = JournalSegment.fileName(f)
            let fd = try JournalIO.openFile(staging + "/" + name, O_WRONLY | O_CREAT | O_EXCL)
            defer { JournalIO.closeFD(fd) }
            try chunk.withUnsafeBytes { try JournalIO.pwriteAll(fd, $0, at: 0, path: staging + "/" + name) }
            try JournalIO.fullSync(fd, path: staging + "/" + name)
            written.append(name)
            chunk.removeAll(keepingCapacity: true)
            chunkFirst = nil
        }
        for (sequence, payload) in all {
            if chunkFirst != nil && chunk.count + payload.count + JournalRecordFormat.headerSize > segmentBytes { try flushChunk() }
            if chunkFirst == nil { chunkFirst = sequence }
            JournalRecordFormat.append(sequence: sequence, payload: payload, to: &chunk)
        }
        try flushChunk()
        try JournalIO.syncDirectory(staging)
        for first in firsts {
            let name = JournalSegment.fileName(first)
            guard rename(dir + "/" + name, moved + "/" + name) == 0 else {
                throw JournalError(.io, "cannot move \(name) to \(moved): \(JournalIO.errnoText())", path: dir + "/" + name)
            }
        }
        // Saved torn tails belong to the segments they came from.
        for name in names where name.contains(".seg.torn-") {
            _ = rename(dir + "/" + name, moved + "/" + name)
        }
        try JournalIO.syncDirectory(moved)
        for name in written {
            guard rename(staging + "/" + name, dir + "/" + name) == 0 else {
                throw JournalError(.io, "cannot move the repaired \(name) into place: \(JournalIO.errnoText())", path: staging + "/" + name)
            }
        }
        try JournalIO.syncDirectory(dir)
        rmdir(staging)
        report.movedTo = moved
        return report
    }

    /// The intact records of one segment, in file order, and its damaged ranges.
    static func scan(_ data: [UInt8], path: String, from expected: UInt64, maxRecordBytes: Int)
        -> (records: [(sequence: UInt64, payload: [UInt8])], damage: [Damage]) {
        var records: [(sequence: UInt64, payload: [UInt8])] = []
        var damage: [Damage] = []
        data.withUnsafeBytes { raw in
            var offset = 0
            var next = expected
            while offset < raw.count {
                switch JournalRecordFormat.parse(raw, at: offset, maxRecordBytes: maxRecordBytes) {
                case .record(let sequence, let range, let end) where sequence >= next:
                    records.append((sequence, Array(raw[range])))
                    next = sequence + 1
                    offset = end
                case .record:
                    damage.append(Damage(segment: path, start: offset, end: offset + 1, reason: "record out of sequence order"))
                    offset = resync(raw, after: offset, next: next, maxRecordBytes: maxRecordBytes) ?? raw.count
                case .invalid(let reason):
                    let resume = resync(raw, after: offset, next: next, maxRecordBytes: maxRecordBytes)
                    damage.append(Damage(segment: path, start: offset, end: resume ?? raw.count, reason: reason))
                    offset = resume ?? raw.count
                }
            }
        }
        return (records, damage)
    }

    /// The first offset after `offset` where an intact record with a plausible later sequence
    /// starts. The sequence field is checked before the checksum, so a scan over garbage costs
    /// a comparison per byte rather than a CRC over a random length.
    static func resync(_ raw: UnsafeRawBufferPointer, after offset: Int, next: UInt64, maxRecordBytes: Int) -> Int? {
        var p = offset + 1
        while p + JournalRecordFormat.headerSize <= raw.count {
            let sequence = JournalRecordFormat.load(UInt64.self, raw, at: p + 8)
            if sequence >= next && sequence < next &+ (1 << 32) {
                if case .record = JournalRecordFormat.parse(raw, at: p, maxRecordBytes: maxRecordBytes) { return p }
            }
            p += 1
        }
        return nil
    }

    private static func isoNow() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
