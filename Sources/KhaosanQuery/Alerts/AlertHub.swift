import Dispatch
import KhaosanIndex
import KhaosanModel
import KhaosanRPC
package import KhaosanWire
import Logging
import Synchronization

/// The percolator: every batch the store applies is matched, on a thread of its own, against
/// the standing queries (active watches and every saved search, whose feeds follow them). The
/// batch becomes one small memory segment and each query is evaluated over it, so a thousand
/// standing queries cost a thousand evaluations of a few hundred documents per batch, not a
/// thousand searches of the archive; and no query is evaluated at all while there are none.
///
/// Order: `applied` is called by the store inside its commit order, and batches are matched one
/// after another on one serial queue, so each watcher receives events in position order.
package final class AlertHub: Sendable {
    /// Events a watcher may have waiting before it is told to resume (WatchSubscription).
    package static let watcherQueueCapacity = 4_096
    package static let maxWatchersPerUID = 64
    package static let maxSavedSearchesPerUID = 1_000

    private struct State {
        var watchers: [UInt64: WatchSubscription] = [:]
        var saved: [FeedKey: StandingQuery] = [:]
        var nextID: UInt64 = 1
        var feedSink: (@Sendable (FeedUpdate) -> Void)?
    }

    private let state = Mutex(State())
    private let active = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "khaosan-percolator", qos: .utility)
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Whether any standing query exists: the store hands batches over only then.
    var isActive: Bool { active.load(ordering: .relaxed) > 0 }

    private func updateActive(_ s: State) { active.store(s.watchers.count + s.saved.count, ordering: .relaxed) }

    /// Called with the saved searches a batch changed (their feeds are to be written again).
    package func setFeedSink(_ sink: @escaping @Sendable (FeedUpdate) -> Void) {
        state.withLock { $0.feedSink = sink }
    }

    func register(uid: UInt32, query: StandingQuery) throws -> WatchSubscription {
        try state.withLock { s in
            let mine = s.watchers.values.reduce(0) { $0 + ($1.uid == uid ? 1 : 0) }
            guard mine < Self.maxWatchersPerUID else {
                throw RPCError(code: .resourceExhausted, message: "uid \(uid) has \(mine) watches open; the limit is \(Self.maxWatchersPerUID)",
                               metadata: [Metadata.refusalKey: "watchers-per-uid"])
            }
            let w = WatchSubscription(id: s.nextID, uid: uid, query: query, capacity: Self.watcherQueueCapacity)
            s.nextID += 1
            s.watchers[w.id] = w
            updateActive(s)
            return w
        }
    }

    /// A watch without a call (benchmarks): its events, and how to end it.
    package func subscribe(uid: UInt32, query text: String) throws -> (events: AsyncStream<WatchEvent>, end: @Sendable () -> Void) {
        let w = try register(uid: uid, query: try StandingQuery(text: text, from: nil, to: nil, categories: [], language: nil, wholeWords: false))
        return (w.events, { self.unregister(w) })
    }

    func unregister(_ w: WatchSubscription) {
        w.finish()
        state.withLock { s in
            s.watchers[w.id] = nil
            updateActive(s)
        }
    }

    /// Follows (or with nil forgets) a saved search; its feed is written (or removed) once now.
    func setSaved(_ key: FeedKey, _ query: StandingQuery?) {
        let sink = state.withLock { s in
            s.saved[key] = query
            updateActive(s)
            return s.feedSink
        }
        sink?(.reload([key]))
    }

    /// Ends every watch (at shutdown); each handler then returns and its call ends.
    func closeAll() {
        for w in state.withLock({ Array($0.watchers.values) }) { w.finish() }
    }

    package var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Hands a committed batch to the percolator thread (the caller holds the store's commit order).
    /// `segment`: the index's memory segment of the batch's documents, in the same order.
    func applied(_ batch: [AppliedRelease], segment: Segment? = nil) {
        queue.async { self.percolate(batch, segment) }
    }

    /// Waits until every batch handed over so far has been matched (tests, benchmarks).
    package func drain() { queue.sync {} }

    private func percolate(_ batch: [AppliedRelease], _ segment: Segment?) {
        let (watchers, saved, sink) = state.withLock { (Array($0.watchers.values), $0.saved, $0.feedSink) }
        guard !watchers.isEmpty || !saved.isEmpty else { return }
        let snapshot = segment.flatMap { $0.docCount == batch.count ? IndexSnapshot.of($0) : nil } ?? IndexSnapshot.batch(batch.map(\.document))
        // A release changed twice in one batch: its later copy is the live one, at the later position.
        var latest: [Int64: Int] = [:]
        for (i, a) in batch.enumerated() { latest[a.release.id] = i }
        func matches(_ q: StandingQuery) -> [Int] {
            do {
                return try q.matchingIDs(snapshot).compactMap { latest[$0] }.sorted()
            } catch {
                logger.warning("standing query not matched against a batch", metadata: ["query": "\(q.text)", "error": "\(error)"])
                return []
            }
        }
        for w in watchers {
            for i in matches(w.query) {
                let a = batch[i], r = a.release
                w.deliver(WatchEvent(position: a.position, id: r.id, title: r.title, published: r.published, category: r.category,
                                     language: r.language, snippet: w.query.snippet(title: r.title, body: a.body),
                                     sourceURL: r.sourceURL, updated: a.updated))
            }
        }
        guard let sink else { return }
        var changed: [FeedKey: [FeedEntry]] = [:]
        for (key, q) in saved {
            let m = matches(q)
            if m.isEmpty { continue }
            changed[key] = m.map { i in
                let a = batch[i], r = a.release
                return FeedEntry(id: r.id, title: r.title, published: r.published, category: r.category, sourceURL: r.sourceURL, storedAt: a.storedAt)
            }
        }
        // Also without a match: a release that left a feed must leave it.
        sink(.matched(changed, touched: Set(batch.map(\.release.id))))
    }
}
