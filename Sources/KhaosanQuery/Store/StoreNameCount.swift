package import KhaosanModel

/// A name with the number of releases naming it (a person counted under its name without
/// title, shown in the spelling seen most often).
package struct StoreNameCount: Sendable, Hashable {
    package var kind: Entity.Kind
    package var name: String
    package var count: Int
}
