/// One release as the index sees it: the fields it filters, facets and sorts by, and the search
/// streams of its title and body (normalised scalars, see `KhaosanThai.SearchText`).
package struct IndexDocument: Sendable, Hashable {
    package var releaseID: Int64
    /// Days since 1970-01-01 of the publication date.
    package var days: Int32
    package var categoryName: String
    package var categorySlug: String?
    /// 0 Thai, 1 English (the index only stores the ordinal; the caller names them).
    package var language: UInt8
    package var title: [UInt32]
    package var body: [UInt32]
    /// Positions in `title` and in `body` where a word of the segmentation starts (a boundary
    /// is also wherever a space or punctuation is, so these need only cover runs of letters).
    package var titleWords: [UInt32]
    package var bodyWords: [UInt32]

    package init(releaseID: Int64, days: Int32, categoryName: String, categorySlug: String?, language: UInt8,
                 title: [UInt32], body: [UInt32], titleWords: [UInt32] = [], bodyWords: [UInt32] = []) {
        self.titleWords = titleWords
        self.bodyWords = bodyWords
        self.releaseID = releaseID
        self.days = days
        self.categoryName = categoryName
        self.categorySlug = categorySlug
        self.language = language
        self.title = title
        self.body = body
    }
}
