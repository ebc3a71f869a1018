/// What the percolator tells the feeds.
package enum FeedUpdate: Sendable {
    /// Build these feeds from a search of the archive (a saved search added, replaced or removed).
    case reload(Set<FeedKey>)
    /// A batch's matches per saved search, and every release the batch changed.
    case matched([FeedKey: [FeedEntry]], touched: Set<Int64>)
}
