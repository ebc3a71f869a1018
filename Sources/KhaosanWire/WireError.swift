/// A message could not be encoded or decoded. Like grpc-swift's `RPCError`, the code is a struct
/// so codes can be added without breaking callers that switch over them.
package struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: UInt8, Sendable, Hashable {
            case malformed, invalidUTF8, embeddedNUL, allocationLimit, invalidValue, unsupportedLibrary
        }
        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The bytes are not a valid protobuf encoding of the message (truncated, bad tag, ...).
        package static let malformed = Code(.malformed)
        /// A string field holds bytes that are not UTF-8 (protobuf-c does not check).
        package static let invalidUTF8 = Code(.invalidUTF8)
        /// A Swift string holds U+0000, which protobuf-c's `char *` would silently cut.
        package static let embeddedNUL = Code(.embeddedNUL)
        /// Decoding would allocate more than `WireLimits` allows.
        package static let allocationLimit = Code(.allocationLimit)
        /// A value is outside what the Swift model can hold (unknown enum value, missing
        /// required submessage, a date or line number that does not fit the wire type).
        package static let invalidValue = Code(.invalidValue)
        /// The linked libprotobuf-c is older than the one the generated code was made for.
        package static let unsupportedLibrary = Code(.unsupportedLibrary)

        package var description: String {
            switch wrapped {
            case .malformed: "malformed"
            case .invalidUTF8: "invalid-utf8"
            case .embeddedNUL: "embedded-nul"
            case .allocationLimit: "allocation-limit"
            case .invalidValue: "invalid-value"
            case .unsupportedLibrary: "unsupported-library"
            }
        }
    }

    package var code: Code
    /// Dotted path of the field concerned, relative to the top-level message
    /// (`release.paragraphs[3]`); empty when the error concerns the whole message.
    package var field: String
    package var message: String

    package init(code: Code, field: String = "", message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    package var description: String {
        field.isEmpty ? "\(code): \(message)" : "\(code) at \(field): \(message)"
    }

    /// The same error seen from the enclosing message: `title` inside `items[2]` becomes
    /// `items[2].title`. Paths are built only on failure, so the success path pays nothing.
    func under(_ parent: String) -> WireError {
        var e = self
        e.field = field.isEmpty ? parent : parent + "." + field
        return e
    }
}
