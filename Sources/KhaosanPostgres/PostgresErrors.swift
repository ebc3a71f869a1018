import Foundation
import PostgresNIO

/// PSQLError's own description is deliberately generic; these messages say what failed from its
/// code, the server's SQLSTATE and message, and the underlying socket error, never the password.
enum PostgresErrors {
    static func describe(_ error: any Error, url: PostgresStoreURL, doing what: String) -> PostgresStoreError {
        if let e = error as? PostgresStoreError { return e }
        let prefix = "PostgreSQL store \(url) (\(what))"
        guard let e = error as? PSQLError else {
            if error is CancellationError { return PostgresStoreError("\(prefix): cancelled", kind: .retryable) }
            return PostgresStoreError("\(prefix): \(error)", kind: .retryable)
        }
        if e.code == .server {
            let state = e.serverInfo?[.sqlState] ?? "?"
            let message = e.serverInfo?[.message] ?? "no message"
            let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
            let text = "\(prefix): \(message)\(detail) [SQLSTATE \(state)]"
            switch state {
            case "28P01", "28000":
                return PostgresStoreError(text + "; check the user and --store-password-file", kind: .precondition)
            case "3D000":
                return PostgresStoreError(text + "; create the database first (createdb)", kind: .precondition)
            case "25006":
                return PostgresStoreError(text + "; this server is read-only (a hot standby?): a writer needs the primary", kind: .precondition)
            default:
                // Class 08 (connection), 40 (serialisation, deadlock), 53 (resources), 57 (the
                // server shutting down or restarting): worth trying again later.
                let retry = ["08", "40", "53", "57"].contains(String(state.prefix(2)))
                return PostgresStoreError(text, kind: retry ? .retryable : .internalError)
            }
        }
        switch e.code {
        case .authMechanismRequiresPassword:
            return PostgresStoreError("\(prefix): the server asks for a password; give --store-password-file", kind: .precondition)
        case .sslUnsupported:
            return PostgresStoreError("\(prefix): the server does not offer TLS; enable it or, on a trusted network only, add sslmode=disable", kind: .precondition)
        case .failedToAddSSLHandler, .saslError, .unsupportedAuthMechanism:
            return PostgresStoreError("\(prefix): \(e.code)\(e.underlying.map { ": \($0)" } ?? "")", kind: .precondition)
        default:
            let cause = e.underlying.map { ": \($0)" } ?? ""
            return PostgresStoreError("\(prefix): \(e.code)\(cause)", kind: .retryable)
        }
    }
}
