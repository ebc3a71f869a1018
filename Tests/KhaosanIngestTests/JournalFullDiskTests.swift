import Foundation
import KhaosanIngest
import Testing

/// Issue 13, item 8: after a full disk the journal refused every append until restarted. On a
/// real full file system (a 1 MiB tmpfs, so root only), appends now fail with `noSpace`, leave
/// nothing behind, and succeed again once space is freed, in the same process.
@Suite("Journal: a full disk passes")
struct JournalFullDiskTests {
    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func appendsResumeOnceSpaceIsFreed() async throws {
        let tmp = JournalTempDir()
        defer { tmp.remove() }
        let mountPoint = tmp.path + "/fs"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]) == 0 else {
            Issue.record("mount failed")
            return
        }
        defer { _ = Self.run("/bin/umount", [mountPoint]) }
        // Most of the space taken by another file, as on a disk another program fills.
        let filler = mountPoint + "/filler"
        FileManager.default.createFile(atPath: filler, contents: Data(count: 700 << 10))

        let journal = try Journal.open(JournalConfiguration(directory: mountPoint + "/journal", segmentBytes: 64 << 10))
        defer { journal.close() }
        var written: [UInt64] = []
        var full: JournalError?
        for n in 0..<200 {
            do {
                written.append(try await journal.append(journalPayload(n, size: 8 << 10)))
            } catch let e as JournalError {
                full = e
                break
            }
        }
        #expect(full?.code == .noSpace, "\(String(describing: full))")
        // Still full: refused again, the same way, and the records before stay readable.
        await #expect(throws: JournalError.self) { _ = try await journal.append(journalPayload(999, size: 8 << 10)) }
        #expect(try journal.read(after: 0, maxRecords: 1000, maxBytes: 64 << 20).map(\.sequence) == written)

        try FileManager.default.removeItem(atPath: filler)
        let next = try await journal.append(journalPayload(1000, size: 8 << 10))
        #expect(next == (written.last ?? 0) + 1, "sequences stay contiguous")
        let all = try journal.read(after: 0, maxRecords: 1000, maxBytes: 64 << 20)
        #expect(all.map(\.sequence) == written + [next])
        #expect(all.last?.payload == journalPayload(1000, size: 8 << 10))
        journal.close()
        // And what is on disk recovers cleanly.
        let reopened = try Journal.open(JournalConfiguration(directory: mountPoint + "/journal", segmentBytes: 64 << 10))
        #expect(reopened.recovery.truncatedBytes == 0)
        #expect(reopened.lastSequence == next)
        reopened.close()
    }

    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
