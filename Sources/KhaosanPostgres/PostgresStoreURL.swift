import Foundation

/// `--store postgres://USER@HOST:PORT/DBNAME?sslmode=...` or, for a Unix socket,
/// `postgres://USER@/DBNAME?host=/socket/dir` (the server's socket `.s.PGSQL.PORT` in that
/// directory). The password never comes from the URL (it would show in `ps` and in logs): it is
/// read from `--store-password-file`. Over TCP, TLS is required and the server's certificate
/// verified (`sslmode=verify-full`, optionally `sslrootcert=FILE`) unless the URL says
/// `sslmode=require` (encrypted, not verified) or `sslmode=disable` explicitly.
package struct PostgresStoreURL: Sendable, Hashable, CustomStringConvertible {
    package enum Endpoint: Sendable, Hashable {
        case unixSocket(directory: String, port: Int)
        case tcp(host: String, port: Int)
    }
    package enum TLSMode: String, Sendable, Hashable { case disable, require, verifyFull = "verify-full" }

    package var user: String
    package var database: String
    package var endpoint: Endpoint
    package var tls: TLSMode
    package var rootCertificateFile: String?
    /// The URL as given (it holds no password: one is refused).
    package var description: String

    package var socketPath: String? {
        if case let .unixSocket(directory, port) = endpoint { return directory + "/.s.PGSQL.\(port)" }
        return nil
    }

    package init(_ text: String) throws {
        func bad(_ why: String) -> PostgresStoreError {
            PostgresStoreError("--store \(Self.redacted(text)): \(why)", kind: .precondition)
        }
        guard let c = URLComponents(string: text), let scheme = c.scheme else {
            throw bad("not a URL; expected postgres://USER@HOST:PORT/DBNAME or postgres://USER@/DBNAME?host=/socket/dir")
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw bad("scheme \"\(scheme)\": expected postgres://") }
        if c.password != nil {
            throw bad("the URL holds a password; give it in a file with --store-password-file (mode 0600) instead")
        }
        guard let user = c.user, !user.isEmpty else { throw bad("no user name (postgres://USER@...)") }
        let database = String(c.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw bad("no database name (postgres://USER@HOST/DBNAME)") }
        var socketDirectory: String?
        var sslmode: String?
        var rootCert: String?
        for item in c.queryItems ?? [] {
            switch item.name {
            case "host": socketDirectory = item.value
            case "sslmode": sslmode = item.value
            case "sslrootcert": rootCert = item.value
            default: throw bad("unknown parameter \"\(item.name)\" (known: host, sslmode, sslrootcert)")
            }
        }
        let port = c.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) out of range") }
        let host = c.host ?? ""
        if let dir = socketDirectory {
            guard dir.hasPrefix("/") else { throw bad("host=\(dir): a Unix socket directory must be an absolute path") }
            guard host.isEmpty else { throw bad("both a host (\(host)) and host=\(dir); give one") }
            endpoint = .unixSocket(directory: dir, port: port)
        } else if host.hasPrefix("/") {
            endpoint = .unixSocket(directory: host, port: port)
        } else {
            guard !host.isEmpty else { throw bad("no host; for a Unix socket write postgres://USER@/DBNAME?host=/socket/dir") }
            endpoint = .tcp(host: host, port: port)
        }
        switch (endpoint, sslmode) {
        case (.unixSocket, nil), (.unixSocket, "disable"): tls = .disable
        case (.unixSocket, let m?): throw bad("sslmode=\(m) on a Unix socket; TLS is only for TCP (omit sslmode)")
        case (.tcp, nil): tls = .verifyFull
        case (.tcp, let m?):
            guard let mode = TLSMode(rawValue: m) else { throw bad("sslmode=\(m): expected disable, require or verify-full") }
            tls = mode
        }
        if rootCert != nil && tls != .verifyFull { throw bad("sslrootcert is only used with sslmode=verify-full") }
        self.user = user
        self.database = database
        self.rootCertificateFile = rootCert
        self.description = text
    }

    /// The URL with any password replaced, for the message that refuses it.
    static func redacted(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "REDACTED"
        return c.string ?? "(unparsable URL)"
    }

    /// The password in `path`, refused when the file is readable by group or others.
    package static func readPassword(file path: String) throws -> String {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw PostgresStoreError("--store-password-file \(path): cannot read it: \(error.localizedDescription)", kind: .precondition)
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw PostgresStoreError("--store-password-file \(path): readable by group or others (mode \(String(mode & 0o777, radix: 8))); "
                + "chmod 600 it, owned by the service's user", kind: .precondition)
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PostgresStoreError("--store-password-file \(path): cannot read it as UTF-8 text", kind: .precondition)
        }
        // One line: the trailing newline an editor adds is not part of the password.
        let password = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !password.isEmpty else { throw PostgresStoreError("--store-password-file \(path): empty", kind: .precondition) }
        return password
    }
}
