// libFuzzer entry point for the RPC framing as a server reads it: the input is a byte stream of
// frames. Every frame header is scanned with a small payload limit, HEADERS and TRAILERS payloads
// are decoded, and MESSAGE payloads are unpacked through the protobuf-c bridge as the request types
// the services accept. Nothing may crash, overrun (AddressSanitizer) or fail to make progress.
// Built with FrameCore.swift, Metadata.swift and RPCError.swift by Fuzz/run-wire-fuzz.sh.
import KhaosanModel
import KhaosanWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    var rest = UnsafeRawBufferPointer(start: data, count: size)
    while !rest.isEmpty {
        let header: FrameScanner.Header?
        do {
            header = try FrameScanner.scan(rest, maxPayload: 64 * 1024)
        } catch {
            return 0  // a real connection is closed here
        }
        guard let header else { return 0 }  // incomplete: a real decoder waits for more bytes
        precondition(header.consumed > 0 && header.consumed <= rest.count && header.payload.upperBound == header.consumed)
        let payload = UnsafeRawBufferPointer(rebasing: rest[header.payload])
        switch header.kind {
        case 1: _ = try? CallHeaders.decode(bytes: payload)
        case 4: _ = try? CallTrailers.decode(bytes: payload)
        case 2:
            let limits = WireLimits.fixed(4 << 20)
            switch header.stream % 4 {
            case 0: _ = try? IngestRequest(wireBytes: payload, limits: limits)
            case 1: _ = try? ApplyBatchRequest(wireBytes: payload, limits: limits)
            case 2: _ = try? SearchRequest(wireBytes: payload, limits: limits)
            default: _ = try? HealthCheckRequest(wireBytes: payload, limits: limits)
            }
        default: break
        }
        rest = UnsafeRawBufferPointer(rebasing: rest[header.consumed...])
    }
    return 0
}
