package import KhaosanWire

/// Saved searches kept in a shared archive (issue 19), so every node of one archive knows the
/// same ones. Each node keeps a mirror in its local store (`SavedSearchMirror`), which its Atom
/// feeds, `saved list`, `saved run` and `watch --saved` read; the last-run position stays per
/// node, since positions are the local copy's own.
package protocol SavedSearchStore: Sendable {
    /// Stores the definition for `uid` (an existing one only with `replace`); returns it as stored.
    func storeSavedSearch(uid: UInt32, _ search: SavedSearch, replace: Bool) async throws -> SavedSearch
    func removeSavedSearch(uid: UInt32, name: String) async throws -> Bool
    func everySavedSearch() async throws -> [(uid: UInt32, search: SavedSearch)]
}
