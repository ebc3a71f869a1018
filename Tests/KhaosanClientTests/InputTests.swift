import Foundation
import KhaosanModel
import KhaosanTestSupport
import KhaosanWire
import Testing
@testable import KhaosanClient

@Suite struct DateArgumentTests {
    @Test(arguments: [
        ("2023-10-01", CivilDate(year: 2023, month: 10, day: 1)),
        ("1/10/2566", CivilDate(year: 2023, month: 10, day: 1)),
        ("1 ต.ค. 2566", CivilDate(year: 2023, month: 10, day: 1)),
        ("18 ตุลาคม 2566", CivilDate(year: 2023, month: 10, day: 18)),
        ("๑/๑๐/๒๕๖๖", CivilDate(year: 2023, month: 10, day: 1)),
        ("29/2/2567", CivilDate(year: 2024, month: 2, day: 29)),
        (" 2024-02-29 ", CivilDate(year: 2024, month: 2, day: 29)),
    ])
    func accepted(_ text: String, _ date: CivilDate) throws {
        #expect(try parseDateArgument(text, option: "--from") == date)
    }

    @Test(arguments: ["2023-13-01", "31/9/2566", "29/2/2566", "yesterday", "", "1 ตค 66x", "2023/10/01/5"])
    func rejectedNamingTheOption(_ text: String) {
        do {
            _ = try parseDateArgument(text, option: "--to")
            Issue.record("\"\(text)\" was accepted")
        } catch {
            #expect(error.message.hasPrefix("--to:"))
            #expect(error.message.contains("\"\(text)\""))
            #expect(error.exitCode == 2)
        }
    }
}

@Suite struct PathWalkerTests {
    /// A tree with awkward names, a socket, a hidden file and an empty folder.
    private func makeTree() throws -> URL {
        let root = try Fixtures.temporaryDirectory("cli-walk")
        let fm = FileManager.default
        let dirs = ["b dir", "a\tdir/ข่าว ไทย", "empty", ".hidden-dir"]
        for d in dirs { try fm.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true) }
        let files = [
            "top.txt",
            "b dir/ด้านสังคม_1_x.txt",
            "a\tdir/one two.txt",
            "a\tdir/ข่าว ไทย/ข่าวนายกรัฐมนตรี_5.txt",
            "a\tdir/ข่าว ไทย/release.json",
            ".hidden",
            ".hidden-dir/inside.txt",
        ]
        for (i, f) in files.enumerated() {
            try Data(repeating: 0x41, count: i + 1).write(to: root.appendingPathComponent(f))
        }
        // A Unix socket: must be skipped.
        let sock = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(sock >= 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = root.appendingPathComponent("b dir/s.sock").path
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(sock)
        return root
    }

    @Test func walksNestedFoldersInSortedOrder() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let found = try walkPaths([root.path])
        let rel = found.map { String($0.path.dropFirst(root.path.count + 1)) }
        #expect(rel == [
            "a\tdir/one two.txt",
            "a\tdir/ข่าว ไทย/release.json",
            "a\tdir/ข่าว ไทย/ข่าวนายกรัฐมนตรี_5.txt",
            "b dir/ด้านสังคม_1_x.txt",
            "top.txt",
        ])
        // Sizes come from the files (each was written with a distinct length).
        #expect(found.first { $0.path.hasSuffix("top.txt") }?.size == 1)
        #expect(found.first { $0.path.hasSuffix("_5.txt") }?.size == 4)
        #expect(found.map(\.baseName).contains("ข่าวนายกรัฐมนตรี_5.txt"))
    }

    @Test func fileGivenDirectlyIsTakenAsIs() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let hidden = root.appendingPathComponent(".hidden").path
        let found = try walkPaths([hidden, root.path + "/b dir/"])
        #expect(found.map(\.path) == [hidden, root.path + "/b dir/ด้านสังคม_1_x.txt"])
    }

    @Test func missingPathAndSocketAreErrorsNamingThePath() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        for p in [root.path + "/nope", root.path + "/b dir/s.sock"] {
            do {
                _ = try walkPaths([p])
                Issue.record("\(p) accepted")
            } catch {
                #expect(error.message.hasPrefix(p + ":"))
                #expect(error.exitCode == 2)
            }
        }
    }

    @Test func jsonFilesAreStructuredOthersThaigov() {
        let bytes = Array("{}".utf8)
        #expect(rawRelease(path: "a/x.json", baseName: "x.json", bytes: bytes) == .structuredJSON(fileName: "x.json", bytes: bytes))
        #expect(rawRelease(path: "a/ข่าว_1.txt", baseName: "ข่าว_1.txt", bytes: bytes) == .thaigovFile(fileName: "ข่าว_1.txt", bytes: bytes))
        #expect(rawRelease(path: "-", baseName: "-", bytes: Array("\n {\"id\":1}".utf8)).fileName == "stdin")
        if case .structuredJSON = rawRelease(path: "-", baseName: "-", bytes: Array("\n {".utf8)) {} else { Issue.record("stdin JSON not detected") }
        if case .thaigovFile = rawRelease(path: "-", baseName: "-", bytes: Array("รัฐบาลไทย".utf8)) {} else { Issue.record("stdin text taken as JSON") }
    }
}

/// Issue 13, item 8: the CLI read a 300 MB file whole (565 MB resident) before saying it was
/// too large, and named a wrong limit.
@Suite("CLI: a file over the limit is not read")
struct InputLimitTests {
    @Test func aLargeFileIsRefusedFromItsSize() throws {
        let dir = try Fixtures.temporaryDirectory("limit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.txt").path
        // Sparse: 300 MB long, no blocks written, so reading it whole would be the only cost.
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        #expect(ftruncate(fd, 300_000_000) == 0)
        close(fd)
        guard case .tooLarge(let size) = try readInput(path, limit: SizeLimits.maxReleaseInputBytes) as InputBytes else {
            Issue.record("expected too large")
            return
        }
        #expect(size == 300_000_000)
        let message = tooLargeMessage(size: size, limit: SizeLimits.maxReleaseInputBytes)
        #expect(message.contains("\(SizeLimits.maxReleaseInputBytes)"))
        #expect(message.contains("300000000 bytes"))
    }

    @Test func aFileAtTheLimitIsRead() throws {
        let dir = try Fixtures.temporaryDirectory("limit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("edge.txt").path
        FileManager.default.createFile(atPath: path, contents: Data(count: 1000))
        guard case .bytes(let b) = try readInput(path, limit: 1000) as InputBytes else {
            Issue.record("expected the bytes")
            return
        }
        #expect(b.count == 1000)
        guard case .tooLarge = try readInput(path, limit: 999) as InputBytes else {
            Issue.record("expected too large")
            return
        }
    }
}
