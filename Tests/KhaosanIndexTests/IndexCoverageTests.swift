import Foundation
import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// What the manifest says its files cover of the store's index log: the store forgets every log
/// entry up to it, so it must never reach a sequence whose documents are still only in memory.
struct IndexCoverageTests {
    @Test func aFlushDoesNotCoverABatchLeftInMemory() throws {
        let dir = try Fixtures.temporaryDirectory("coverage")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 9)
        let docs = IndexPropertyTests.docs(&rng, count: 120)
        let index = SearchIndex(directory: IndexDirectory(path: dir.path), flushDocuments: 64, logger: Logger(label: "test"))
        #expect(try index.open() == nil)
        // A later batch arrives first and fills a flush on its own; the earlier one stays in memory.
        index.add(Array(docs[0..<100]), sequences: 11...20)
        index.add(Array(docs[100...]), sequences: 1...10)
        try index.maintain()
        #expect(index.stats.memorySegments == 1)
        #expect(index.coveredSequence == 0)
        try index.maintain(force: true)
        #expect(index.coveredSequence == 20)
    }

    @Test(arguments: [(next: 21 as Int64, covered: 20 as Int64), (15, 14), (40, 20)])
    func coverageStopsBeforeTheFirstSequenceStillInMemory(next: Int64, covered: Int64) throws {
        let seg = Segment(storage: SegmentStorage(bytes: SegmentBuilder().build()))
        let left = [SearchIndex.Part(segment: seg, file: nil, sequence: next + 5, firstSequence: next)]
        #expect(SearchIndex.covered(through: 20, stillInMemory: left) == covered)
        #expect(SearchIndex.covered(through: 20, stillInMemory: []) == 20)
    }
}
