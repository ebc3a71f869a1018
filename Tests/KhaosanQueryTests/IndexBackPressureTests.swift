import Dispatch
import Testing
@testable import KhaosanIndex
import KhaosanModel
@testable import KhaosanQuery

/// A bulk load must not pile up memory segments when the maintenance thread falls behind: past
/// `memoryFlushesBehind` flushes' worth of documents the writer flushes them itself.
@Suite struct IndexBackPressureTests {
    @Test func theWriterFlushesWhenMemorySegmentsPileUp() throws {
        let path = try StoreFixtures.tempPath("back-pressure")
        let flush = 10
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, indexFlushDocuments: flush)
        let limit = flush * ReleaseStore.memoryFlushesBehind
        // The maintenance thread stays busy for the whole load (it is serial): only the
        // writer's own flushes can bound the memory segments.
        let held = DispatchSemaphore(value: 0)
        store.maintenance.scheduleStoreWork { held.wait() }
        defer { held.signal() }
        for batch in stride(from: Int64(1), through: 600, by: 30) {
            let rs = (batch...(batch + 29)).map(IndexCatchUpTests.release)
            _ = try store.apply(source: "s", items: rs.map { (UInt64($0.id), $0) })
            // Right after an apply: under the limit plus the batch that crossed it.
            #expect(store.index.memoryDocuments < limit + 30)
        }
        // Files written while the maintenance thread was held: the writer's flushes.
        #expect(store.index.stats.segments > store.index.stats.memorySegments)
        #expect(Set(store.index.liveReleaseIDs()).count == 600)
        #expect(try store.search(SearchQuery(text: "marker599")).total == 1)
    }
}
