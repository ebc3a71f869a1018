internal import CProtobufC
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The libprotobuf-c this process linked, for status reports and a start-up check.
package enum WireLibrary {
    /// Oldest library accepted: the generated code comes from protoc-c 1.4.1.
    package static let minimumVersionNumber: UInt32 = 1_004_001

    /// e.g. `1.4.1`.
    package static var protobufCVersion: String {
        guard let p = protobuf_c_version() else { return "unknown" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
    }

    /// major * 1_000_000 + minor * 1_000 + patch.
    package static var protobufCVersionNumber: UInt32 { protobuf_c_version_number() }

    package static func checkMinimumVersion() throws(WireError) {
        let n = protobufCVersionNumber
        guard n >= minimumVersionNumber else {
            throw WireError(
                code: .unsupportedLibrary,
                message: "libprotobuf-c \(protobufCVersion) (\(n)) is older than 1.4.1 (\(minimumVersionNumber)); install libprotobuf-c1 >= 1.4.1"
            )
        }
    }
}
