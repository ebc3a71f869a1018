/// A facet value with its count as the store computes it (the wire's `FacetCount` carries it to
/// clients); also a "did you mean" suggestion (key: the query, label: the word).
package struct StoreFacet: Sendable, Hashable {
    /// Category: slug when known, else the name. Month: `YYYY-MM`.
    package var key: String
    package var label: String
    package var count: Int
}
