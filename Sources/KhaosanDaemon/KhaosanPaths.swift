import Foundation
import KhaosanRPC

/// Where things live by default, shared by the daemons, the CLI and Deploy/local.sh:
/// `$KHAOSAN_HOME` (default `$HOME/.local/state/khaosan`) holds both sockets and the state.
package enum KhaosanPaths {
    package static func home(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let h = env["KHAOSAN_HOME"], !h.isEmpty { return h }
        let base = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return base + "/.local/state/khaosan"
    }

    package static func ingestSocket(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let s = env["KHAOSAN_INGEST_SOCKET"], !s.isEmpty { return s }
        return home(env) + "/ingest.sock"
    }

    package static func querySocket(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let s = env["KHAOSAN_QUERY_SOCKET"], !s.isEmpty { return s }
        return home(env) + "/query.sock"
    }
}

/// A `key = value` configuration file (`#` starts a comment), as Deploy/ installs in /etc/khaosan.
/// Command-line flags override it.
package struct ConfigFile: Sendable {
    package var values: [String: String] = [:]

    package init() {}

    package init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot read config file \(path): \(error.localizedDescription)")
        }
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw RPCError(code: .invalidArgument, message: "\(path):\(n + 1): expected key = value, got \"\(trimmed)\"")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
    }

    package subscript(_ key: String) -> String? { values[key] }

    /// A comma- or space-separated list of uids.
    package func uids(_ key: String) throws -> Set<UInt32> {
        guard let v = values[key] else { return [] }
        var out = Set<UInt32>()
        for part in v.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let uid = UInt32(part) else { throw RPCError(code: .invalidArgument, message: "config key \(key): \"\(part)\" is not a uid") }
            out.insert(uid)
        }
        return out
    }
}
