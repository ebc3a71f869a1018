import KhaosanRPC
import KhaosanWire

/// SaveSearch and DeleteSavedSearch when the archive shares saved searches (issue 19): checked
/// here as the local store checks them, stored in the archive, then in this node's mirror at once
/// (other nodes' mirrors follow within seconds).
extension QueryHandlers {
    func saveShared(_ shared: any SavedSearchStore, uid: UInt32, _ request: SaveSearchRequest) async throws -> SavedSearch {
        try ReleaseStore.checkName(request.search.name)
        _ = try StandingQuery(request.search)
        let stored: SavedSearch
        do { stored = try await shared.storeSavedSearch(uid: uid, request.search, replace: request.replace) } catch {
            throw RPCError(wrapping: error)
        }
        return try await db("save_search") { [store] in try store.saveSearch(uid: uid, stored, replace: true) }
    }

    func deleteShared(_ shared: any SavedSearchStore, uid: UInt32, name: String) async throws -> Bool {
        let removed: Bool
        do { removed = try await shared.removeSavedSearch(uid: uid, name: name) } catch { throw RPCError(wrapping: error) }
        let here = try await db("delete_saved_search") { [store] in try store.deleteSavedSearch(uid: uid, name: name) }
        return removed || here
    }
}
