import Foundation
@testable import KhaosanPostgres
import KhaosanTestSupport
import Testing

/// `--store` URLs and `--store-password-file`: what is accepted, and what is refused with which
/// reason. No server needed.
struct PostgresStoreURLTests {
    @Test(arguments: [
        ("postgres://khaosan@/archive?host=/run/postgresql", "/run/postgresql/.s.PGSQL.5432", PostgresStoreURL.TLSMode.disable),
        ("postgres://khaosan@:5433/archive?host=/tmp/pg", "/tmp/pg/.s.PGSQL.5433", .disable),
        ("postgresql://khaosan@db.example:5432/archive", nil, .verifyFull),
        ("postgres://khaosan@db.example/archive?sslmode=require", nil, .require),
        ("postgres://khaosan@127.0.0.1:5432/archive?sslmode=disable", nil, .disable),
        ("postgres://khaosan@db.example/archive?sslmode=verify-full&sslrootcert=/etc/khaosan/ca.pem", nil, .verifyFull),
    ] as [(String, String?, PostgresStoreURL.TLSMode)])
    func accepted(_ text: String, socket: String?, tls: PostgresStoreURL.TLSMode) throws {
        let url = try PostgresStoreURL(text)
        #expect(url.socketPath == socket)
        #expect(url.tls == tls)
        #expect(url.database == "archive")
        #expect(url.user == "khaosan")
        #expect(url.description == text)
    }

    @Test(arguments: [
        ("mysql://u@h/db", "scheme \"mysql\""),
        ("postgres://u:hunter2@h/db", "holds a password"),
        ("postgres://h/db", "no user name"),
        ("postgres://u@h/", "no database name"),
        ("postgres://u@/db", "no host"),
        ("postgres://u@/db?host=relative/dir", "absolute path"),
        ("postgres://u@h/db?sslmode=prefer", "sslmode=prefer"),
        ("postgres://u@/db?host=/tmp&sslmode=require", "only for TCP"),
        ("postgres://u@h/db?sslmode=require&sslrootcert=/ca.pem", "only used with sslmode=verify-full"),
        ("postgres://u@h/db?application_name=x", "unknown parameter \"application_name\""),
    ])
    func refused(_ text: String, reason: String) {
        let error = #expect(throws: PostgresStoreError.self) { try PostgresStoreURL(text) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test func passwordFileMustBePrivate() throws {
        let dir = try Fixtures.temporaryDirectory("khpg-pw")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pw").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("s3cret\n".utf8), attributes: [.posixPermissions: 0o640])
        let error = #expect(throws: PostgresStoreError.self) { try PostgresStoreURL.readPassword(file: file) }
        #expect(error?.message.contains("readable by group or others (mode 640)") == true)
        #expect(error?.message.contains("s3cret") == false)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        #expect(try PostgresStoreURL.readPassword(file: file) == "s3cret")
        let missing = #expect(throws: PostgresStoreError.self) { try PostgresStoreURL.readPassword(file: dir.path + "/none") }
        #expect(missing?.message.contains(dir.path + "/none") == true)
    }
}
