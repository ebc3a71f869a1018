/// What `ReleaseStore.names` counted: the query's total, how many of its releases were counted,
/// the top names per kind.
package struct NamesResult: Sendable, Hashable {
    package var releases: Int
    package var counted: Int
    package var people: [StoreNameCount]
    package var organisations: [StoreNameCount]
    package var places: [StoreNameCount]
    package var tookMicros: Int64
}
