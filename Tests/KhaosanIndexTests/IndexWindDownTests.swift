import Foundation
import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// The shutdown write-out: bounded by its deadline, never merging, and never covering in the
/// manifest what it left in memory (the next start indexes that again from the store's log).
struct IndexWindDownTests {
    /// Five batches of 64 documents, each a flush's worth, with log sequences 1...5.
    static func loaded(_ dir: URL) -> (SearchIndex, [IndexDocument]) {
        var rng = SplitMix64(seed: 17)
        let docs = IndexPropertyTests.docs(&rng, count: 320)
        let index = SearchIndex(directory: IndexDirectory(path: dir.path), flushDocuments: 64, logger: Logger(label: "test"))
        _ = try? index.open()
        for b in 0..<5 { index.add(Array(docs[(b * 64)..<((b + 1) * 64)]), sequences: Int64(b + 1)...Int64(b + 1)) }
        return (index, docs)
    }

    @Test func aPassedDeadlineWritesNothingAndTheIndexStillAnswers() throws {
        let dir = try Fixtures.temporaryDirectory("wind-down")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (index, docs) = Self.loaded(dir)
        try index.windDown(by: .now)
        #expect(index.stats.memorySegments == 5)
        #expect(index.coveredSequence == 0)
        // A maintenance run after the wind-down (the background thread's) does not start a file.
        try index.maintain(force: true)
        #expect(index.stats.memorySegments == 5)
        let phrase = IndexPropertyTests.trimmed(Array(docs[3].title.prefix(3)))
        try #require(!phrase.isEmpty)
        #expect(try IndexPropertyTests.all(index, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(docs, phrase))
        // The next start finds no files: everything is indexed again from the log.
        let reopened = SearchIndex(directory: IndexDirectory(path: dir.path), logger: Logger(label: "test"))
        #expect(try reopened.open() == nil)
    }

    @Test func aLaterDeadlineWritesEveryBatchAndMergesNone() throws {
        let dir = try Fixtures.temporaryDirectory("wind-down")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (index, docs) = Self.loaded(dir)
        try index.windDown(by: .now + .seconds(600))
        #expect(index.stats.memorySegments == 0)
        // One file per flush's worth: small adjacent files are merged by maintenance, not here.
        #expect(index.stats.segments == 5)
        #expect(index.coveredSequence == 5)
        let reopened = SearchIndex(directory: IndexDirectory(path: dir.path), logger: Logger(label: "test"))
        #expect(try reopened.open() == 5)
        let phrase = IndexPropertyTests.trimmed(Array(docs[200].title.prefix(4)))
        try #require(!phrase.isEmpty)
        #expect(try IndexPropertyTests.all(reopened, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(docs, phrase))
    }
}
