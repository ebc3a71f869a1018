import ArgumentParser
import KhaosanModel
import KhaosanRPC
import KhaosanWire

struct SavedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saved",
        abstract: "Saved searches, kept by khaosan-queryd with the archive (per user).",
        discussion: """
            Each saved search also has an Atom feed, $KHAOSAN_HOME/feeds/NAME.atom, rewritten \
            after each batch that brings it a match. `saved run NAME --since-last` prints what \
            matched after the previous run, in the order releases were applied (positions, as \
            `khaosan watch` prints them).
            """,
        subcommands: [SavedAdd.self, SavedList.self, SavedShow.self, SavedRemove.self, SavedRun.self]
    )
}

struct SavedAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Save a search under a name.")

    @Argument(help: "1-64 characters of A-Z a-z 0-9 . _ -")
    var name: String
    @Argument(help: "The search query (as for khaosan search).")
    var query: String
    @OptionGroup var filters: FilterOptions
    @Flag(help: "Replace a saved search of the same name (its last-run position is kept).")
    var replace = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let (from, to) = try filters.dates()
        let search = SavedSearch(name: name, query: query, from: from, to: to, categories: filters.trimmedCategories,
                                 language: filters.lang?.language, wholeWords: filters.wholeWords)
        let r: SaveSearchResponse = try await service.query().call { try await $0.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: search, replace: replace)) }
        if output.json { StdOut.line(AlertJSON.saved(r.search).encoded()) } else { StdOut.line("Saved \(r.search.name): \(r.search.query)") }
    }
}

struct SavedList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List your saved searches.")
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let r: ListSavedSearchesResponse = try await service.query().call { try await $0.unary(KhaosanMethods.listSavedSearches, ListSavedSearchesRequest()) }
        for s in r.searches {
            StdOut.line(output.json ? AlertJSON.saved(s).encoded() : "\(s.name)\t\(s.query)")
        }
        if r.searches.isEmpty && !output.json { StdOut.line("No saved searches.") }
    }
}

struct SavedShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one saved search.")
    @Argument var name: String
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let r: ListSavedSearchesResponse = try await service.query().call { try await $0.unary(KhaosanMethods.listSavedSearches, ListSavedSearchesRequest(name: name)) }
        for s in r.searches {
            if output.json { StdOut.line(AlertJSON.saved(s).encoded()); continue }
            StdOut.line("name:      \(s.name)")
            StdOut.line("query:     \(s.query)")
            if let f = s.from { StdOut.line("from:      \(f)") }
            if let t = s.to { StdOut.line("to:        \(t)") }
            if !s.categories.isEmpty { StdOut.line("category:  \(s.categories.joined(separator: ", "))") }
            if let l = s.language { StdOut.line("language:  \(l.rawValue)") }
            if s.wholeWords { StdOut.line("whole words") }
            StdOut.line("last run:  position \(s.lastRunPosition)")
            StdOut.line("created:   \(isoTimestamp(unixMillis: s.createdAtUnixMs))")
        }
    }
}

struct SavedRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a saved search.")
    @Argument var name: String
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let _: DeleteSavedSearchResponse = try await service.query().call { try await $0.unary(KhaosanMethods.deleteSavedSearch, DeleteSavedSearchRequest(name: name)) }
        StdOut.line("Deleted \(name).")
    }
}

struct SavedRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a saved search: its matches in applied order, or only those new since the last run.",
        discussion: "With --json, one object per match with the keys of `khaosan watch --json`.")
    @Argument var name: String
    @Flag(help: "Only what matched after the previous run.")
    var sinceLast = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let (name, sinceLast, json) = (name, sinceLast, output.json)
        // The server returns at most 1,000 a call and moves the position as far as those: ask
        // again until nothing more lies beyond.
        let to: UInt64 = try await service.query().call { client in
            var to: UInt64 = 0
            var first = true
            while true {
                let r: RunSavedSearchResponse = try await client.unary(
                    KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: name, sinceLast: sinceLast || !first))
                first = false
                for e in r.events { StdOut.line(json ? AlertJSON.event(e).encoded() : AlertJSON.line(e)) }
                to = r.toPosition
                if !r.more { return to }
            }
        }
        if !json { StdErr.line("through position \(to)") }
    }
}
