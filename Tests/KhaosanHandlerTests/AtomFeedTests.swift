import Foundation
import KhaosanModel
import KhaosanQuery
import KhaosanRPC
import KhaosanWire
import Testing

/// The saved searches' Atom feeds follow applied batches: matches merged in newest first, and a
/// release that stops matching (a new version) leaves its feed.
@Suite("Atom feeds")
struct AtomFeedTests {
    static func ids(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.components(separatedBy: "<entry>").dropFirst().compactMap { part in
            guard let a = part.range(of: "<id>"), let b = part.range(of: "</id>") else { return nil }
            return String(part[a.upperBound..<b.lowerBound])
        }
    }

    @Test func feedsFollowBatchesAndDropWhatStopsMatching() async throws {
        try await QueryUnderTest.with { q in
            let dir = q.directory.appendingPathComponent("feeds").path
            let feeds = AtomFeeds(directory: dir, store: q.store, ownUID: PeerCredentials.currentUID, logger: HandlerFixtures.logger)
            try feeds.start()
            let _: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "birds", query: AlertHandlerTests.word)))
            func apply(_ releases: [Release], from sequence: UInt64) async throws {
                let items = releases.enumerated().map { BatchItem(sequence: sequence + UInt64($0.offset), release: $0.element) }
                let _: ApplyBatchResponse = try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "s", items: items))
            }
            let file = dir + "/birds.atom"
            try await apply([1, 2, 3].map { AlertHandlerTests.release($0, matching: $0 != 2) } + [AlertHandlerTests.release(4, matching: true)], from: 1)
            feeds.drain()
            #expect(try Self.ids(file) == ["https://example.org/5004", "https://example.org/5003", "https://example.org/5001"])
            // Release 3 changes into a non-match; release 2 into a match.
            try await apply([AlertHandlerTests.release(3, matching: false, version: 2), AlertHandlerTests.release(2, matching: true, version: 2)], from: 5)
            feeds.drain()
            #expect(try Self.ids(file) == ["https://example.org/5004", "https://example.org/5002", "https://example.org/5001"])
            #expect(!FileManager.default.fileExists(atPath: file + ".tmp"))
            let _: DeleteSavedSearchResponse = try await q.client.unary(KhaosanMethods.deleteSavedSearch, DeleteSavedSearchRequest(name: "birds"))
            feeds.drain()
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }
}

@Suite("Atom feed timestamps")
struct AtomTimestampTests {
    @Test(arguments: [Int64(0), 1_733_011_200_123, 951_782_400_005, -1, 4_102_444_799_999])
    func timestampsAreRFC3339AsFoundationWritesThem(ms: Int64) {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        #expect(AtomFeeds.timestamp(ms) == f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)))
    }
}
