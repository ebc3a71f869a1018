import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built executables sit next to the test bundle.
enum Binaries {
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["KHAOSAN_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }()
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// A scratch KHAOSAN_HOME with short paths (Unix socket paths are limited to 107 bytes).
struct Sandbox {
    let home: URL
    init() throws {
        home = URL(fileURLWithPath: "/tmp/kh-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }
    var querySocket: String { home.appendingPathComponent("query.sock").path }
    var ingestSocket: String { home.appendingPathComponent("ingest.sock").path }
    var database: String { home.appendingPathComponent("query.db").path }
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["KHAOSAN_HOME"] = home.path
        env.removeValue(forKey: "KHAOSAN_INGEST_SOCKET")
        env.removeValue(forKey: "KHAOSAN_QUERY_SOCKET")
        env["NO_COLOR"] = "1"
        return env
    }
    func remove() { try? FileManager.default.removeItem(at: home) }
}

/// A daemon running as a real child process.
final class Daemon: @unchecked Sendable {
    let process = Process()
    let name: String
    let logURL: URL
    let socket: String

    init(_ name: String, sandbox: Sandbox, arguments: [String] = [], socket: String) throws {
        self.name = name
        self.socket = socket
        logURL = sandbox.home.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: Binaries.path(name))
        process.arguments = arguments
        process.environment = sandbox.environment
        process.standardError = log
        process.standardOutput = log
        try process.run()
    }

    /// Waits until the socket accepts connections. Generous: a debug daemon is ready in about
    /// 0.1 s, but with the whole suite starting a dozen daemons at once beside the unit tests'
    /// fsyncs on a two-core machine, some took over 30 s (seen three times, 2026-12-01).
    func waitReady(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if canConnect(socket) { return }
            if !process.isRunning { throw HarnessError("\(name) exited early: \(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // A test task starved of threads (CPU-bound tests on both of them) can wake after the
        // deadline: the daemon may have been ready long before, so look once more.
        if canConnect(socket) { return }
        // Not left running behind the failed test (its sandbox is removed under it).
        await kill9()
        throw HarnessError("\(name) not ready within \(timeout): \(log)")
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func terminate() async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        return await waitExit()
    }

    func kill9() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await waitExit()
    }

    func waitExit(timeout: Duration = .seconds(30)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func canConnect(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b } }
    return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } } == 0
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// stdout as JSON Lines.
    var jsonLines: [[String: Any]] {
        stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

/// Runs the khaosan CLI to completion. Output goes through files, not pipes, so a chatty command
/// cannot block on a full pipe while we wait for it.
func khaosan(_ arguments: [String], sandbox: Sandbox, stdin: Data? = nil, environment extra: [String: String] = [:]) async throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Binaries.path("khaosan"))
    p.arguments = arguments
    var env = sandbox.environment
    for (k, v) in extra { env[k] = v }
    p.environment = env
    let out = sandbox.home.appendingPathComponent("cli-\(UUID().uuidString.prefix(6)).out")
    let err = sandbox.home.appendingPathComponent("cli-\(UUID().uuidString.prefix(6)).err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = try FileHandle(forWritingTo: err)
    if let stdin {
        let input = sandbox.home.appendingPathComponent("cli-\(UUID().uuidString.prefix(6)).in")
        try stdin.write(to: input)
        p.standardInput = try FileHandle(forReadingFrom: input)
    } else {
        p.standardInput = FileHandle.nullDevice
    }
    try p.run()
    while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    return CommandResult(
        status: p.terminationStatus,
        stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? ""
    )
}

/// Both services in a sandbox, stopped (SIGTERM) at the end.
func withServices<T>(queryArguments: [String] = [], _ body: (Sandbox, Daemon, Daemon) async throws -> T) async throws -> T {
    let sandbox = try Sandbox()
    let query = try Daemon("khaosan-queryd", sandbox: sandbox, arguments: queryArguments, socket: sandbox.querySocket)
    // A daemon that is not ready is killed by waitReady; the other one is stopped here.
    try await query.waitReady()
    let ingest = try Daemon("khaosan-ingestd", sandbox: sandbox, socket: sandbox.ingestSocket)
    do { try await ingest.waitReady() } catch { _ = await query.terminate(); throw error }
    do {
        let r = try await body(sandbox, query, ingest)
        _ = await ingest.terminate()
        _ = await query.terminate()
        sandbox.remove()
        return r
    } catch {
        _ = await ingest.terminate()
        _ = await query.terminate()
        throw HarnessError("\(error)\n--- queryd log:\n\(query.log.suffix(3000))\n--- ingestd log:\n\(ingest.log.suffix(3000))")
    }
}
