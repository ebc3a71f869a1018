import Foundation
import KhaosanRPC
import KhaosanTestSupport
import Testing
@testable import KhaosanQuery

/// Issue 13, item 8: Backup wrote through a dangling symlink and took `..` as given; a database
/// made read-only went unnoticed when the service ran as root.
@Suite("Backup target and read-only storage")
struct BackupTargetTests {
    @Test func aDanglingSymlinkIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory("backup")
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("b.db").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.appendingPathComponent("nowhere/x.db").path)
        let error = #expect(throws: RPCError.self) { _ = try BackupTarget.resolve(link) }
        #expect(error?.code == .alreadyExists)
    }

    @Test func dotDotIsResolvedAndRelativePathsRefused() throws {
        let dir = try Fixtures.temporaryDirectory("backup")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let real = String(cString: realpath(dir.path, nil))
        #expect(try BackupTarget.resolve(dir.path + "/sub/../b.db") == real + "/b.db")
        #expect(throws: RPCError.self) { _ = try BackupTarget.resolve("b.db") }
        #expect(throws: RPCError.self) { _ = try BackupTarget.resolve(dir.path + "/missing/b.db") }
        #expect(throws: RPCError.self) { _ = try BackupTarget.resolve(dir.path + "/sub/..") }
    }

    @Test func aFileNobodyMayWriteIsReadOnlyEvenForRoot() throws {
        let dir = try Fixtures.temporaryDirectory("ro")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("q.db").path
        FileManager.default.createFile(atPath: db, contents: Data([1]))
        #expect(StorageProbe.readOnlyReason(databasePath: db) == nil)
        chmod(db, 0o444)
        #expect(StorageProbe.readOnlyReason(databasePath: db) != nil)
    }
}
