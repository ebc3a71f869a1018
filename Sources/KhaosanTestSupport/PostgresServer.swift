package import Foundation

/// A real PostgreSQL server for tests (issue 19): `initdb` and `pg_ctl start` in a fresh temporary
/// directory, listening on a Unix socket only (`listen_addresses=''`), as the `postgres` user via
/// `runuser` when we are root (the server refuses to run as root). `stop()` removes everything.
///
/// Binaries: `$KHAOSAN_POSTGRES_BIN` (or `$KHAOSAN_PG_BIN`, scripts/pg-cluster.sh's name), else Debian's `/usr/lib/postgresql/15/bin`. Missing ones are
/// an error (the tests fail), unless `KHAOSAN_SKIP_POSTGRES=1`, which `PostgresServer.skipped`
/// reports so suites can be disabled on purpose.
package final class PostgresServer: @unchecked Sendable {
    package static var skipped: Bool { ProcessInfo.processInfo.environment["KHAOSAN_SKIP_POSTGRES"] == "1" }
    package static var binDirectory: String {
        let env = ProcessInfo.processInfo.environment
        return env["KHAOSAN_POSTGRES_BIN"] ?? env["KHAOSAN_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Holds the socket (`.s.PGSQL.5432`), the data directory `data/` and the server's `log`.
    package let directory: URL
    package let user = "postgres"
    package let password: String?
    let asPostgres: Bool

    package var socketDirectory: String { directory.path }
    package var dataDirectory: String { directory.path + "/data" }
    package var logFile: String { directory.path + "/log" }

    /// `postgres://postgres@/DATABASE?host=SOCKETDIR`, what `--store` takes.
    package func url(database: String) -> String { "postgres://\(user)@/\(database)?host=\(socketDirectory)" }

    /// Starts a new server. With `password`, local connections need it (scram-sha-256).
    package init(password: String? = nil) throws {
        let bin = Self.binDirectory
        for tool in ["initdb", "pg_ctl", "psql"] where !FileManager.default.isExecutableFile(atPath: bin + "/" + tool) {
            throw Failure(description: "PostgreSQL's \(tool) not found in \(bin) (apt-get install postgresql-15, or set "
                + "KHAOSAN_POSTGRES_BIN; KHAOSAN_SKIP_POSTGRES=1 skips these tests)")
        }
        directory = try Fixtures.temporaryDirectory("khpg")
        self.password = password
        asPostgres = getuid() == 0
        if asPostgres {
            try Self.run("/bin/chown", ["postgres:postgres", directory.path])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        var initdb = ["-D", dataDirectory, "-U", user, "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
        if let password {
            let file = directory.path + "/pwfile"
            _ = FileManager.default.createFile(atPath: file, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600])
            if asPostgres { try Self.run("/bin/chown", ["postgres:postgres", file]) }
            initdb += ["--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--pwfile=" + file]
        } else {
            initdb += ["--auth=trust"]
        }
        try tool("initdb", initdb)
        try start()
    }

    private var startOptions: String {
        "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory)' -c port=5432 -c fsync=off "
            + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    }

    package func start() throws {
        try tool("pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", "30", "-o", startOptions, "start"])
    }

    package func restart() throws {
        try tool("pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", "30", "-m", "fast", "-o", startOptions, "restart"])
    }

    /// Stops the server (fast: open sessions are ended) without removing anything.
    package func halt() throws {
        try tool("pg_ctl", ["-D", dataDirectory, "-w", "-t", "30", "-m", "fast", "stop"])
    }

    /// Runs SQL through psql as the superuser (e.g. `CREATE DATABASE x`).
    package func psql(_ sql: String, database: String = "postgres") throws {
        var env: [String: String] = [:]
        if let password { env["PGPASSWORD"] = password }
        try tool("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-U", user, "-d", database, "-c", sql], environment: env)
    }

    package func createDatabase(_ name: String) throws { try psql("CREATE DATABASE \"\(name)\"") }

    /// Stops the server and removes its directory.
    package func stop() {
        _ = try? tool("pg_ctl", ["-D", dataDirectory, "-w", "-t", "30", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if FileManager.default.fileExists(atPath: directory.path) { stop() } }

    private func tool(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let path = Self.binDirectory + "/" + name
        if asPostgres {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", "/usr/bin/env"] + environment.map { "\($0)=\($1)" } + [path] + arguments)
        } else {
            try Self.run("/usr/bin/env", environment.map { "\($0)=\($1)" } + [path] + arguments)
        }
    }

    /// Runs a tool to completion. posix_spawn and waitpid rather than Foundation's Process,
    /// whose waitUntilExit was seen never to return when called from a test's task (the child
    /// already a zombie); output goes to a file, read back for the error message.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outPath = "/tmp/khpg-out-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Through sh, to start in /tmp: the postgres user may not enter the test's directory.
        let argv: [UnsafeMutablePointer<CChar>?] = (["/bin/sh", "-c", "cd /tmp && exec \"$0\" \"$@\"", executable] + arguments)
            .map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "\(executable): posix_spawn failed: errno \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "\(executable): waitpid failed: errno \(errno)") }
        }
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let how = exited ? "exited \(code)" : "was killed by signal \(status & 0x7f)"
            throw Failure(description: "\(([executable] + arguments).joined(separator: " ")) \(how): \(text)")
        }
        return text
    }
}
