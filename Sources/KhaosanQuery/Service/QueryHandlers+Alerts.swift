import KhaosanModel
import KhaosanRPC
import KhaosanWire

/// Saved searches and QueryService/Watch (issue 17). Saved searches belong to the caller's uid
/// (the transport's peer credentials): each uid sees and runs only its own.
extension QueryHandlers {
    /// Replay pages: a watch that starts far back sends the matches 1,000 at a time.
    static let replayPage = 1_000

    func registerAlerts(into router: inout RPCRouter) {
        router.unary(KhaosanMethods.saveSearch) { (request: SaveSearchRequest, context) in
            let uid = context.peer.uid
            if let shared = archive?.savedSearches {
                return SaveSearchResponse(search: try await saveShared(shared, uid: uid, request))
            }
            return SaveSearchResponse(search: try await db("save_search") { try store.saveSearch(uid: uid, request.search, replace: request.replace) })
        }
        router.unary(KhaosanMethods.listSavedSearches) { (request: ListSavedSearchesRequest, context) in
            let uid = context.peer.uid
            let name = request.name.isEmpty ? nil : request.name
            let found = try await db("list_saved_searches") { try store.savedSearches(uid: uid, name: name) }
            if let name, found.isEmpty { throw RPCError(code: .notFound, message: "no saved search named \(name)") }
            return ListSavedSearchesResponse(searches: found)
        }
        router.unary(KhaosanMethods.deleteSavedSearch) { (request: DeleteSavedSearchRequest, context) in
            let uid = context.peer.uid
            if let shared = archive?.savedSearches {
                guard try await deleteShared(shared, uid: uid, name: request.name) else {
                    throw RPCError(code: .notFound, message: "no saved search named \(request.name)")
                }
                return DeleteSavedSearchResponse()
            }
            guard try await db("delete_saved_search", { try store.deleteSavedSearch(uid: uid, name: request.name) }) else {
                throw RPCError(code: .notFound, message: "no saved search named \(request.name)")
            }
            return DeleteSavedSearchResponse()
        }
        router.unary(KhaosanMethods.runSavedSearch) { (request: RunSavedSearchRequest, context) in
            let uid = context.peer.uid
            let limit = request.limit == 0 ? Self.replayPage : min(Int(request.limit), Self.replayPage)
            return try await db("run_saved_search") { try store.runSavedSearch(uid: uid, name: request.name, sinceLast: request.sinceLast, limit: limit) }
        }
        router.serverStreaming(KhaosanMethods.watch) { (request: WatchRequest, responses: ResponseSink<WatchMessage>, context) in
            try await watch(request, responses, context)
        }
    }

    /// Registers the watcher first, then replays from the archive, then sends what the hub
    /// delivers, skipping positions the replay covered: a batch applied while the replay runs
    /// is in the replay's snapshot or reaches the watcher live (or both), never neither.
    private func watch(_ request: WatchRequest, _ responses: ResponseSink<WatchMessage>, _ context: ServerContext) async throws {
        let uid = context.peer.uid
        let query: StandingQuery
        do {
            if request.saved.isEmpty {
                query = try StandingQuery(text: request.query, from: request.from, to: request.to, categories: request.categories,
                                          language: request.language, wholeWords: request.wholeWords)
            } else {
                guard let saved = try await db("list_saved_searches", { try store.savedSearches(uid: uid, name: request.saved) }).first else {
                    throw RPCError(code: .notFound, message: "no saved search named \(request.saved)")
                }
                query = try StandingQuery(saved)
            }
        } catch let e as QuerySyntaxError {
            throw RPCError(wrapping: e)
        }
        let subscription = try store.alerts.register(uid: uid, query: query)
        defer { store.alerts.unregister(subscription) }
        var last: UInt64
        if let from = request.fromPosition ?? (request.existing ? 0 : nil) {
            last = from
            while true {
                let after = last
                let page = try await db("watch_replay") { try store.matches(after: after, query: query, limit: Self.replayPage) }
                for e in page.events { try await responses.send(WatchMessage(kind: .event, event: e, position: e.position)) }
                last = max(last, page.through)
                if !page.more { break }
            }
        } else {
            last = try await db("watch_position") { try store.currentPosition() }
        }
        try await responses.send(WatchMessage(kind: .live, position: last))
        for await event in subscription.events {
            guard event.position > last else { continue }
            try await responses.send(WatchMessage(kind: .event, event: event, position: event.position))
            last = event.position
        }
        try Task.checkCancellation()
        if subscription.overflowed {
            throw RPCError(code: .aborted, message: "the watcher fell behind; resume from position \(last)",
                           metadata: [Metadata.refusalKey: "watch-overflow", "x-khaosan-resume-position": "\(last)"])
        }
    }
}
