/// The id that ties together what both services log for one user action (`x-request-id`,
/// `request.id` in log metadata). The CLI makes one per invocation and sends it on every call;
/// a server makes one for a call that came without.
package enum RequestID {
    /// Longest id taken from a peer as it is: it goes into every log line of the call.
    package static let maxLength = 64

    /// 16 lower-case hex digits from the system's random source.
    package static func make() -> String {
        let n = UInt64.random(in: .min ... .max)
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The peer's id, if it sent a usable one (printable ASCII, not too long), else a new one.
    package static func accept(_ sent: String?) -> String {
        guard let sent, !sent.isEmpty, sent.utf8.count <= maxLength,
              sent.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return make() }
        return sent
    }
}
