import KhaosanModel

/// What a feed shows of a release: no text cut from the body (decompressing a thousand feeds'
/// bodies after each batch cost more than matching the batch); the entry links to the release.
package struct FeedEntry: Sendable {
    var id: Int64
    var title: String
    var published: CivilDate
    var category: Category
    var sourceURL: String
    /// Unix ms: when the current version was stored.
    var storedAt: Int64
}
