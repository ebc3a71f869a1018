import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import KhaosanIndex
import KhaosanDaemon
import Logging
import Synchronization

/// Runs the search index's maintenance (writing memory segments to files, merging files) on a
/// thread of its own, one run at a time, so neither the writer nor a search waits for it. A
/// Dispatch queue rather than a Task: the work is blocking file I/O and seconds of CPU, which
/// must not occupy a thread of Swift's cooperative pool. Also gives the index's mapped pages back
/// once searches have stopped for a while.
final class IndexMaintenance: Sendable {
    private static let idleDelay: DispatchTimeInterval = .seconds(2)
    private let queue = DispatchQueue(label: "khaosan-index-maintenance", qos: .utility)
    private struct State {
        var scheduled = false
        var forceNext = false
        var searches = 0
        var trimScheduled = false
        var storeWorkScheduled = false
        var backfillScheduled = false
    }
    private let state = Mutex(State())

    /// Runs maintenance soon; `force` also writes memory segments smaller than a flush (done when
    /// writes stop, so an idle service holds no index in its heap).
    func schedule(_ index: SearchIndex, logger: Logger, force: Bool = false) {
        // A forced run asked for while an unforced one waits makes that one forced: dropped, it
        // left up to a flush's worth of documents in memory after a bulk load for good.
        if force { state.withLock { $0.forceNext = true } }
        once(\.scheduled) { [self] in
            let force = state.withLock { s -> Bool in
                defer { s.forceNext = false }
                return s.forceNext
            }
            do { try index.maintain(force: force) } catch {
                // The index is derived: what a failed flush did not write is indexed again from the
                // store's index log at the next start.
                logger.error("search index maintenance failed", metadata: ["error": "\(error)"])
            }
            // A flush frees the memory segments and the merge's buffers: give the heap back.
            HeapTrim.returnFreedMemory()
        }
    }

    /// Runs `work` (the store's text compaction) on the maintenance thread, at its priority, one
    /// run at a time; a call while one is pending is dropped (the pending run sees its rows too).
    func scheduleStoreWork(_ work: @escaping @Sendable () -> Void) {
        once(\.storeWorkScheduled, work)
    }

    /// Runs `work` (the near-duplicate backfill) on the maintenance thread, one run at a time:
    /// apart from the store work, so that a compaction pending at open does not drop it.
    func scheduleBackfill(_ work: @escaping @Sendable () -> Void) {
        once(\.backfillScheduled, work)
    }

    /// Queues `work` at the maintenance priority unless a run marked by `pending` is queued.
    private func once(_ pending: any WritableKeyPath<State, Bool> & Sendable, _ work: @escaping @Sendable () -> Void) {
        let go = state.withLock { s in
            if s[keyPath: pending] { return false }
            s[keyPath: pending] = true
            return true
        }
        guard go else { return }
        queue.async { [self] in
            state.withLock { $0[keyPath: pending] = false }
            Self.lowerPriority()
            work()
        }
    }

    /// Maintenance yields the CPU to ingest and searches (nice 10 for this thread: on Linux a
    /// thread's nice value is its own).
    static func lowerPriority() {
        #if canImport(Glibc)
        guard let gettid = Self.gettid else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(gettid()), 10)
        #endif
    }

    /// glibc's gettid(2) wrapper, which Swift's Glibc module does not declare.
    private static let gettid: (@convention(c) () -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gettid") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Called after each search: once searches stop for `idleDelay`, the mapped segment pages are
    /// dropped from the resident set down to `idleResident`, least recently searched first.
    func searched(_ index: SearchIndex) {
        SegmentStorage.tick()
        let arm = state.withLock { s in
            s.searches += 1
            if s.trimScheduled { return false }
            s.trimScheduled = true
            return true
        }
        if arm { armTrim(index, seen: state.withLock { $0.searches }) }
        queue.async { Self.keepResidentWithinBudget(index) }
    }

    /// Mapped segment pages a search touches stay resident until released: over a long run of
    /// searches they added up to the whole index (550 MB for the corpus). After every search,
    /// above `residentBudget` the chunks searched least recently are dropped (they stay in the
    /// page cache; touching one again is a minor fault) until the resident set is
    /// `residentTrimmed`. Dropping every mapped page over 220 MB instead (until
    /// session 17) emptied the pages nearly every search reads too: first searches took 0.91× the
    /// time with this (BENCHMARKS.md "Session 17"). The gap between the two figures is a few
    /// searches' worth of new pages, so drops come in batches, not after every search. The
    /// issue allows 300 MB while querying; a search's own heap and the pages read between two
    /// checks come on top of `residentBudget` (VmHWM 266-276 MB over 176 CLI searches, 274 MB with
    /// pages of 1,000 hits, 271 MB in-process).
    static let residentBudget = 260 << 20
    static let residentTrimmed = 220 << 20

    /// Idle, the chunks searched most recently stay up to this resident set (the issue allows
    /// 150 MB idle): the next search, typically a person's after a pause, then finds the pages
    /// most searches read (dictionary, common bigrams, hot-tier sets) still mapped. Dropping
    /// every page when idle, as before, left about 83 MB; searches after a 3 s pause took 0.88-0.93×
    /// the time with this (`Benchmarks/bench-after-idle.py`, BENCHMARKS.md "Session 17").
    static let idleResident = 120 << 20

    private static func keepResidentWithinBudget(_ index: SearchIndex) {
        guard let resident = residentBytes(), resident > residentBudget else { return }
        index.releaseLeastRecentlyUsed(downTo: residentTrimmed, resident: residentBytes)
    }

    /// This process's resident set, from /proc/self/statm (second field, in pages).
    static func residentBytes() -> Int? {
        #if canImport(Glibc)
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard n > 0 else { return nil }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    private func armTrim(_ index: SearchIndex, seen: Int) {
        queue.asyncAfter(deadline: .now() + Self.idleDelay) { [self] in
            let now = state.withLock { s in
                if s.searches == seen { s.trimScheduled = false }
                return s.searches
            }
            if now == seen {
                // The heap first: what it gives back is room the mapped pages may keep.
                HeapTrim.returnFreedMemory()
                index.releaseLeastRecentlyUsed(downTo: Self.idleResident, resident: Self.residentBytes)
            } else {
                armTrim(index, seen: now)
            }
        }
    }
}
