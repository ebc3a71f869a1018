internal import CKhaosanUTF8

/// UTF-8 checks for strings that come from C. The standard library validates a byte at a time
/// (about 2 GB/s on Thai text here) and offers no way to make a String from bytes already checked
/// except `UTF8Span(unchecked:)`; so the check is done 16 bytes at a time in C (5 GB/s), and the
/// String is then copied from the checked bytes without a second validation.
package enum UTF8Validation {
    /// Well-formed UTF-8 by Unicode's table 3-7 (no overlongs, no surrogates, nothing past U+10FFFF).
    package static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        khaosan_utf8_valid(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count) != 0
    }

    /// The same answer from the byte-at-a-time loop used on CPUs without SSSE3; for tests.
    package static func isValidScalar(_ bytes: UnsafeRawBufferPointer) -> Bool {
        khaosan_utf8_valid_scalar(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count) != 0
    }

    /// A String of `bytes`, or nil when they are not UTF-8.
    package static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard isValid(bytes) else { return nil }
        let typed = bytes.assumingMemoryBound(to: UInt8.self)
        return String(copying: UTF8Span(unchecked: typed.span))
    }
}
