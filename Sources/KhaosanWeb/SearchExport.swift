package import KhaosanRPC
package import KhaosanWire

/// Where a download's rows come from. Today: the Search RPC, a page of 1,000 at a time, up to
/// `cap` rows. When QueryService/Export lands (branch h6-export), `pages` alone changes to
/// read that stream; the routes and formats stay.
package struct SearchExport: Sendable {
    package static let pageSize = 1000
    /// At most this many rows per download (stated in the page and the README): the Search
    /// RPC computes the top `offset + limit`, so deeper pages cost more each.
    package static let defaultCap = 10_000

    package var client: RPCClient
    package var cap: Int

    package init(client: RPCClient, cap: Int = SearchExport.defaultCap) {
        self.client = client
        self.cap = cap
    }

    /// The first page, fetched before the response starts so that a bad query is still a 400
    /// page and the headers can carry the total.
    package func first(_ view: SearchView) async throws -> SearchResponse {
        try await client.unary(KhaosanMethods.search, view.searchRequest(limit: min(Self.pageSize, cap), offset: 0, facets: false))
    }

    /// Hands `body` every page of hits after `first`, in order, until the total or the cap.
    package func pages(_ view: SearchView, after first: SearchResponse, _ body: ([SearchHit]) async throws -> Void) async throws {
        try await body(first.hits)
        var offset = first.hits.count
        let end = min(Int(clamping: first.total), cap)
        while offset < end {
            let limit = min(Self.pageSize, end - offset)
            let page: SearchResponse = try await client.unary(KhaosanMethods.search, view.searchRequest(limit: limit, offset: offset, facets: false))
            if page.hits.isEmpty { break }
            try await body(page.hits)
            offset += page.hits.count
        }
    }
}
