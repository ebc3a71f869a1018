import Synchronization

/// How many exports khaosan-queryd runs at once. The stream window bounds one export's memory
/// (64 messages of about 256 KiB may sit in the connection's outbound buffer when a client
/// stops reading its socket), not the number of exports: without a bound, a uid's 256 calls
/// could pin 4 GiB. Past the limit an export is refused at once rather than queued, so the
/// caller knows why it waits.
final class ExportSlots: Sendable {
    let limit: Int
    private let running = Mutex(0)

    init(limit: Int) { self.limit = limit }

    func acquire() -> Bool {
        running.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    func release() { running.withLock { $0 -= 1 } }
}
