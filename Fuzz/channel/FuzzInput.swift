#if canImport(Glibc)
import Glibc
#endif
import KhaosanRPC
import KhaosanUnixTransport

/// One fuzz input: how the connection is set up, a schedule of events, and the bytes the peer
/// sends. Layout: `u8 setup, u8 schedule length L, L schedule bytes, the peer's bytes`. Each
/// schedule byte is an event (`byte >> 5`) with an argument (`byte & 31`), see `Event`; when the
/// schedule runs out, the peer's remaining bytes arrive in one read and the peer hangs up.
/// Keeping the peer's bytes apart from the schedule lets libFuzzer mutate the frames without
/// every mutation also rewriting when things happen (and the seeds are plain frame streams).
struct FuzzInput: Sendable {
    var setup: UInt8
    var schedule: [Event]
    var stream: [UInt8]

    enum Event: Equatable, Sendable {
        /// The next `1 + arg` bytes in one read: a frame dripped, or split anywhere.
        case feed(Int)
        /// The next `(1 + arg)^2 * 16` bytes (16 B to 16 KiB) in one read.
        case feedMany(Int)
        /// The event loop runs what is queued, other threads get a turn (a yield, or for
        /// `arg >= 24` a sleep of up to 2 ms: the client-streaming handlers run on Swift's
        /// pool), and the loop runs again.
        case runLoop(Int)
        /// The event loop's clock moves on (`FuzzInput.steps`): frame-read timeouts,
        /// deadlines and the budget's stuck timer fire.
        case advanceTime(Int)
        /// The connection is ended one of several ways (`Ending`).
        case end(Int)
        /// Writes start or stop failing as they do when the peer has gone (`PeerGone.Mode`).
        case writeFaults(Int)
        /// The next `1 + arg` whole frames (as far as the peer's bytes say), each in a read of its own.
        case frames(Int)
        /// The next `4 * (1 + arg)` bytes, one byte per read.
        case drip(Int)

        init(_ byte: UInt8) {
            let arg = Int(byte & 31)
            switch byte >> 5 {
            case 0: self = .feed(arg)
            case 1: self = .feedMany(arg)
            case 2: self = .runLoop(arg)
            case 3: self = .advanceTime(arg)
            case 4: self = .end(arg)
            case 5: self = .writeFaults(arg)
            case 6: self = .frames(arg)
            default: self = .drip(arg)
            }
        }

        var byte: UInt8 {
            switch self {
            case .feed(let a): UInt8(0 << 5 | a & 31)
            case .feedMany(let a): UInt8(1 << 5 | a & 31)
            case .runLoop(let a): UInt8(2 << 5 | a & 31)
            case .advanceTime(let a): UInt8(3 << 5 | a & 31)
            case .end(let a): UInt8(4 << 5 | a & 31)
            case .writeFaults(let a): UInt8(5 << 5 | a & 31)
            case .frames(let a): UInt8(6 << 5 | a & 31)
            case .drip(let a): UInt8(7 << 5 | a & 31)
            }
        }
    }

    /// How `Event.end` ends the connection, by `arg % 8`.
    enum Ending: Int {
        /// `channel.close()`, as the server does on a framing error or a forced close.
        case close = 0
        /// `channelInactive` fired through the pipeline (the socket went away under it).
        case inactive
        /// An EPIPE reaches the pipeline as an error.
        case errorCaught
        /// The server drains (SIGTERM): GOAWAY, then close once the last call ends.
        case drain
        /// The server's forced close (drain timeout, eviction of the idle-longest).
        case forceClose
        /// The next few bytes arrive and the channel closes in the same event-loop turn, before
        /// anything queued by that read (a handler's first step) has run: close in the middle
        /// of a frame, or just after one.
        case readThenClose, readThenClose2, readThenClose3
    }

    /// Clock steps around the limits the fuzzed configuration uses (frame-read timeout 10 s,
    /// stuck-budget timer 10 s, deadlines of a few ms to seconds).
    static let steps: [Int64] = [
        1_000_000, 5_000_000, 50_000_000, 500_000_000, 999_000_000, 1_000_000_000, 1_500_000_000,
        2_000_000_000, 5_000_000_000, 9_999_000_000, 10_000_000_000, 10_001_000_000,
        11_000_000_000, 30_000_000_000, 301_000_000_000, 3_600_000_000_000,
    ]

    init(setup: UInt8, schedule: [Event], stream: [UInt8]) {
        self.setup = setup
        self.schedule = schedule
        self.stream = stream
    }

    init(bytes: UnsafeRawBufferPointer) {
        setup = bytes.count > 0 ? bytes[0] : 0
        let length = bytes.count > 1 ? min(Int(bytes[1]), bytes.count - 2) : 0
        schedule = length > 0 ? bytes[2..<(2 + length)].map(Event.init) : []
        stream = bytes.count > 2 + length ? Array(bytes[(2 + length)...]) : []
    }

    var bytes: [UInt8] {
        precondition(schedule.count <= 255)
        return [setup, UInt8(schedule.count)] + schedule.map(\.byte) + stream
    }

    // MARK: The setup byte

    /// Bit 0: the connection was let in over a cap only to refuse its calls.
    var refused: Bool { setup & 1 != 0 }
    /// Bit 2: the peer's uid may call nothing (every call PERMISSION_DENIED). Bits 1, 6 and 7
    /// are unused.
    var strangerUID: Bool { setup & 4 != 0 }
    /// Bit 5: the uid may hold only two calls (calls-per-uid refusals).
    var tightUIDCap: Bool { setup & 32 != 0 }

    /// The server's configuration with limits small enough for short inputs to reach them.
    func configuration() -> RPCServerConfiguration {
        var c = RPCServerConfiguration(socketPath: "/nonexistent/fuzz.sock")
        c.maxMessageBytes = 4096
        c.maxConcurrentCallsPerConnection = 3
        c.maxCallsPerUID = tightUIDCap ? 2 : 64
        c.streamWindow = 4
        // Bits 3-4: the connection's request-byte budget, down to a few messages.
        c.maxBufferedBytesPerConnection = [64, 512, 4096, 32 << 20][Int(setup >> 3) & 3]
        if strangerUID { c.peerPolicy = PeerPolicy(alwaysAllowOwner: false) }
        return c
    }

    var peerUID: UInt32 { strangerUID ? 4_000_000 : getuid() }
}
