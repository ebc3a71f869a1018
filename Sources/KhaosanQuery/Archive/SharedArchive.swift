package import ServiceLifecycle

/// A shared archive of record for khaosan-queryd (issue 19, `--store`): the daemon's local SQLite
/// store and index become this node's copy, fed only from the archive's change feed.
package struct SharedArchive: Sendable {
    package var store: any ArchiveStore
    /// A replica refuses ApplyBatch/ApplyStream and only follows; a writer stores batches in the
    /// archive and answers once its own copy has applied them.
    package var replica: Bool
    /// What must run for the store to work (its connection upkeep and notifications): started
    /// before the follower in the daemon's ServiceGroup, stopped after it.
    package var services: [any Service]
    /// How long a writer waits for its local copy to apply a committed batch before answering
    /// UNAVAILABLE (the ingester retries it; the retry is a no-op in the archive).
    package var applyTimeout: Duration = .seconds(30)
    /// Where saved searches are shared (nil: each node keeps its own, as without `--store`).
    package var savedSearches: (any SavedSearchStore)?

    package init(store: any ArchiveStore, replica: Bool, services: [any Service] = [], savedSearches: (any SavedSearchStore)? = nil) {
        self.store = store
        self.replica = replica
        self.services = services
        self.savedSearches = savedSearches
    }
}
