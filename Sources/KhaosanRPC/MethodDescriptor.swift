/// A method's full path, e.g. `/khaosan.v1.QueryService/Search`.
package struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    package var service: String
    package var method: String
    /// Safe to send again after a failure whose outcome is unknown (reads, and writes the server
    /// applies idempotently).
    package var idempotent: Bool

    package init(service: String, method: String, idempotent: Bool) {
        self.service = service
        self.method = method
        self.idempotent = idempotent
    }

    package var path: String { "/\(service)/\(method)" }
    package var description: String { path }
}
