import Foundation
import KhaosanWire
package import Logging
package import NIOPosix
import ServiceLifecycle

/// Keeps the local store's saved searches equal to the shared archive's (issue 19): at start and
/// every `interval`, definitions added or changed there are saved here (keeping this node's
/// last-run position) and those removed there are removed here, each through the store's own
/// path, so the alert hub and the Atom feeds follow. A node's own saves reach its mirror at once
/// (the handler writes both); other nodes' within `interval`.
package struct SavedSearchMirror: Service, CustomStringConvertible {
    let shared: any SavedSearchStore
    let store: ReleaseStore
    let pool: NIOThreadPool
    let logger: Logger
    var interval: Duration = .seconds(5)

    package var description: String { "KhaosanQuery.SavedSearchMirror" }

    package init(shared: any SavedSearchStore, store: ReleaseStore, pool: NIOThreadPool, logger: Logger, interval: Duration = .seconds(5)) {
        self.shared = shared
        self.store = store
        self.pool = pool
        self.logger = logger
        self.interval = interval
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await sync()
                    failing = false
                } catch {
                    if !failing { logger.warning("saved searches not mirrored from the store; retrying", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass; returns how many definitions it saved or removed here.
    @discardableResult
    package func sync() async throws -> Int {
        let remote = try await shared.everySavedSearch()
        return try await pool.runIfActive { [store, logger] in
            let local = try store.allSavedSearches()
            var here: [String: SavedSearch] = [:]
            for (uid, s) in local { here["\(uid)/\(s.name)"] = s }
            var changed = 0
            var seen = Set<String>()
            for (uid, s) in remote {
                let key = "\(uid)/\(s.name)"
                seen.insert(key)
                if let mine = here[key], Self.sameDefinition(mine, s) { continue }
                do {
                    _ = try store.saveSearch(uid: uid, s, replace: true)
                    changed += 1
                } catch {
                    logger.warning("saved search from the store not mirrored", metadata: ["uid": "\(uid)", "name": "\(s.name)", "error": "\(error)"])
                }
            }
            for (uid, s) in local where !seen.contains("\(uid)/\(s.name)") {
                if try store.deleteSavedSearch(uid: uid, name: s.name) { changed += 1 }
            }
            return changed
        }
    }

    static func sameDefinition(_ a: SavedSearch, _ b: SavedSearch) -> Bool {
        a.query == b.query && a.from == b.from && a.to == b.to && a.categories == b.categories
            && a.language == b.language && a.wholeWords == b.wholeWords
    }
}
