#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Testing
@testable import KhaosanIngest

/// Issue 15, item 2: every error type that can end an ingest-side call maps to the status a
/// client should act on; UNAVAILABLE (the one code clients retry) only where trying again can
/// succeed without anyone acting.
@Suite struct IngestErrorMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var error: any Error & Sendable
        var code: RPCError.Code
        var testDescription: String { "\(error) → \(code)" }
    }

    static let cases: [Case] = [
        Case(error: JournalError(.quotaExceeded, "quota"), code: .resourceExhausted),
        Case(error: JournalError(.noSpace, "full", systemError: ENOSPC), code: .resourceExhausted),
        Case(error: JournalError(.tooLarge, "big"), code: .invalidArgument),
        Case(error: JournalError(.io, "pwrite: EIO", systemError: EIO), code: .failedPrecondition),
        Case(error: JournalError(.corrupt, "checksum mismatch at offset 4096", path: "/j/00000000000000000001.seg"), code: .failedPrecondition),
        Case(error: JournalError(.closed, "closed"), code: .unavailable),
        Case(error: JournalError(.invalidArgument, "checkpoint beyond the end"), code: .internal),
        Case(error: CatalogError(path: "/s/catalog.bin", operation: "write", errno: EIO), code: .failedPrecondition),
        Case(error: CatalogError(path: "/s/catalog.bin", operation: "write", errno: ENOSPC), code: .resourceExhausted),
        Case(error: CatalogError(path: "/s/catalog.bin", operation: "open", errno: EISDIR), code: .failedPrecondition),
        // A failed fsync never passes, even when the errno is ENOSPC (a loop device's backing full).
        Case(error: CatalogError(path: "/s/catalog.bin", operation: "fsync", errno: ENOSPC), code: .failedPrecondition),
        Case(error: ReleaseError(code: .badDateLine, field: "published", line: 4, message: "line 4"), code: .invalidArgument),
        Case(error: WireError(code: .invalidUTF8, field: "items[3].release.title", message: "bad byte"), code: .invalidArgument),
        Case(error: WireError(code: .allocationLimit, message: "over budget"), code: .resourceExhausted),
        Case(error: RPCError(code: .permissionDenied, message: "uid 7"), code: .permissionDenied),
        Case(error: CancellationError(), code: .cancelled),
    ]

    @Test(arguments: cases)
    func mapsTo(_ c: Case) {
        let e = RPCError(wrapping: c.error)
        #expect(e.code == c.code)
        #expect(!e.message.isEmpty)
    }

    /// An error nobody mapped is INTERNAL, which no client retries, and not UNAVAILABLE.
    @Test func unknownErrorsAreInternal() {
        struct Unmapped: Error {}
        #expect(RPCError(wrapping: Unmapped()).code == .internal)
    }

    /// The message says the cause once: the description does not append it again.
    @Test func causeIsNotRepeated() {
        let cause = JournalError(.io, "fdatasync: Input/output error", path: "/j/1.seg", systemError: EIO)
        let e = RPCError(wrapping: cause)
        #expect(e.description.components(separatedBy: "Input/output error").count == 2, "\(e)")
    }
}
