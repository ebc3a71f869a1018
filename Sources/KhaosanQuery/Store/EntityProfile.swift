package import KhaosanModel

/// One name as `ReleaseStore.entity` found it.
package struct EntityProfile: Sendable, Hashable {
    /// nil: no stored name matches.
    package var kind: Entity.Kind?
    package var name: String
    package var releases: Int
    /// Every month from the first release naming it to the last, empty months as 0.
    package var months: [StoreFacet]
    package var withNames: [StoreNameCount]
    package var categories: [StoreFacet]
    /// Newest first.
    package var latest: [SearchResultHit]
    package var tookMicros: Int64
}
