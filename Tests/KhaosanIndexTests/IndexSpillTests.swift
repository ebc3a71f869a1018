import Foundation
import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// Memory segments of an index with a directory live in spill files (mapped, never fsync'ed,
/// named by no manifest): each is removed once its documents are in a segment file, by a
/// shutdown that leaves it, or by the next open after a crash, and answers never depend on it.
struct IndexSpillTests {
    static func spills(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".spill") }.sorted()
    }

    @Test func aBatchIsMappedFromItsSpillFileUntilAFlushWritesIt() throws {
        let dir = try Fixtures.temporaryDirectory("spill")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 23)
        let docs = IndexPropertyTests.docs(&rng, count: 96)
        let index = SearchIndex(directory: IndexDirectory(path: dir.path), flushDocuments: 64, logger: Logger(label: "test"))
        #expect(try index.open() == nil)
        index.add(Array(docs[0..<32]), sequences: 1...1)
        index.add(Array(docs[32..<64]), sequences: 2...2)
        #expect(try Self.spills(dir).count == 2)
        let phrase = IndexPropertyTests.trimmed(Array(docs[40].title.prefix(3)))
        try #require(!phrase.isEmpty)
        let first = Array(docs[0..<64])
        #expect(try IndexPropertyTests.all(index, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(first, phrase))
        // Dropping the mapped pages (what an idle service does) changes no answer.
        index.releaseMemory()
        #expect(try IndexPropertyTests.all(index, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(first, phrase))
        try index.maintain()
        #expect(try Self.spills(dir).isEmpty)
        #expect(index.stats.memorySegments == 0)
        #expect(index.coveredSequence == 2)
        index.add(Array(docs[64..<96]), sequences: 3...3)
        #expect(try Self.spills(dir).count == 1)
        #expect(try IndexPropertyTests.all(index, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(docs, phrase))
    }

    @Test func aStartRemovesTheSpillFilesACrashLeft() throws {
        let dir = try Fixtures.temporaryDirectory("spill")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 29)
        let docs = IndexPropertyTests.docs(&rng, count: 128)
        do {
            let index = SearchIndex(directory: IndexDirectory(path: dir.path), flushDocuments: 64, logger: Logger(label: "test"))
            _ = try index.open()
            index.add(Array(docs[0..<64]), sequences: 1...1)
            try index.maintain()
            index.add(Array(docs[64..<128]), sequences: 2...2)
            // No maintenance, no wind-down: as a kill -9 leaves it.
        }
        #expect(try Self.spills(dir).count == 1)
        let reopened = SearchIndex(directory: IndexDirectory(path: dir.path), logger: Logger(label: "test"))
        #expect(try reopened.open() == 1)
        #expect(try Self.spills(dir).isEmpty)
        let phrase = IndexPropertyTests.trimmed(Array(docs[10].title.prefix(3)))
        try #require(!phrase.isEmpty)
        #expect(try IndexPropertyTests.all(reopened, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(Array(docs[0..<64]), phrase))
    }

    @Test func aShutdownRemovesTheSpillFilesItLeavesAndStillAnswers() throws {
        let dir = try Fixtures.temporaryDirectory("spill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (index, docs) = IndexWindDownTests.loaded(dir)
        #expect(try Self.spills(dir).count == 5)
        try index.windDown(by: .now)
        #expect(index.stats.memorySegments == 5)
        #expect(try Self.spills(dir).isEmpty)
        let phrase = IndexPropertyTests.trimmed(Array(docs[130].title.prefix(3)))
        try #require(!phrase.isEmpty)
        #expect(try IndexPropertyTests.all(index, IndexQuery(phrase: phrase)).1 == IndexPropertyTests.naive(docs, phrase))
    }
}
