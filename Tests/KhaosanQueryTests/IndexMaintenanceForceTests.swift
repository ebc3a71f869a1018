import Dispatch
import Testing
@testable import KhaosanIndex
import KhaosanModel
@testable import KhaosanQuery

/// The idle flush (forced) must not be lost behind an unforced run already waiting.
@Suite struct IndexMaintenanceForceTests {
    @Test func aForcedRunAskedForWhileOneWaitsIsNotDropped() throws {
        let path = try StoreFixtures.tempPath("force-flush")
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, indexFlushDocuments: 50)
        let held = DispatchSemaphore(value: 0)
        store.maintenance.scheduleStoreWork { held.wait() }
        let rs = (Int64(1)...70).map(IndexCatchUpTests.release)
        _ = try store.apply(source: "s", items: rs.map { (UInt64($0.id), $0) })
        // 70 documents in memory: an unforced run (it leaves fewer than 50) then a forced one.
        store.maintenance.schedule(store.index, logger: StoreFixtures.logger)
        store.maintenance.schedule(store.index, logger: StoreFixtures.logger, force: true)
        held.signal()
        // The queue is serial: once a backfill item runs, the maintenance before it has run
        // (the store work's own slot may be taken by the text compaction the apply asked for).
        let done = DispatchSemaphore(value: 0)
        store.maintenance.scheduleBackfill { done.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(store.index.memoryDocuments == 0)
        #expect(try store.search(SearchQuery(text: "marker70")).total == 1)
    }
}
