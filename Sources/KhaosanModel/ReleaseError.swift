/// Why a release was rejected. The code is a struct, not an enum, so codes can be added without
/// breaking anyone who switches over them (the same choice as grpc-swift's RPCError.Code).
package struct ReleaseError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        package static let invalidUTF8 = Code(rawValue: "invalid-utf8")
        package static let tooLarge = Code(rawValue: "too-large")
        package static let emptyFile = Code(rawValue: "empty-file")
        package static let missingTitle = Code(rawValue: "missing-title")
        package static let missingDateLine = Code(rawValue: "missing-date-line")
        package static let badDateLine = Code(rawValue: "bad-date-line")
        package static let missingSourceURL = Code(rawValue: "missing-source-url")
        package static let badSourceURL = Code(rawValue: "bad-source-url")
        package static let emptyBody = Code(rawValue: "empty-body")
        package static let placeholderPage = Code(rawValue: "placeholder-page")
        package static let badJSON = Code(rawValue: "bad-json")
        package static let missingField = Code(rawValue: "missing-field")
        package static let badField = Code(rawValue: "bad-field")
    }

    package var code: Code
    /// The field concerned (`title`, `published`, `source_url`, ...), when there is one.
    package var field: String?
    /// 1-based line in the input, when there is one.
    package var line: Int?
    /// Human-readable detail, e.g. `line 4: "วันพุธที่ 31 กุมภาพันธ์ 2566"`.
    package var message: String

    package init(code: Code, field: String? = nil, line: Int? = nil, message: String) {
        self.code = code
        self.field = field
        self.line = line
        self.message = message
    }

    /// `code: message`, the form the CLI prints.
    package var description: String { "\(code.rawValue): \(message)" }
}
