/// A compression call that failed: what was being done and zstd's own reason.
package struct CompressionError: Error, Sendable, CustomStringConvertible {
    package var operation: String
    package var reason: String

    package init(_ operation: String, _ reason: String) {
        self.operation = operation
        self.reason = reason
    }

    package var description: String { "\(operation): \(reason)" }
}
