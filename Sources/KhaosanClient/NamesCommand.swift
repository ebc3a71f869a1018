import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire

extension EntityKind: ExpressibleByArgument {
    package init?(argument: String) {
        switch argument {
        case "person", "people": self = .person
        case "org", "organisation", "organization": self = .organisation
        case "place": self = .place
        default: return nil
        }
    }
    package static var allValueStrings: [String] { ["person", "org", "place"] }

    /// The JSON and query-language name of the kind.
    var label: String {
        switch self {
        case .person: "person"
        case .organisation: "org"
        case .place: "place"
        }
    }
}

/// `khaosan names QUERY`: the people, organisations and places most often named in the
/// releases a search would return (issue 16, item 4).
struct NamesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "names",
        abstract: "The people, organisations and places named most often in the releases matching a query.",
        discussion: """
            QUERY is in the language of `khaosan search`, person:"...", org:"..." and \
            place:"..." included. Counts are releases (a name counts once per release), over \
            the 20,000 most relevant matches at most. --json: one object per name, \
            {"kind":"person|org|place","name","count"}, then {"releases","counted"}.
            """
    )

    @Argument(help: "A search query.")
    var query: String

    @Option(help: "Names per kind (1-100).")
    var limit: UInt32 = 10

    @Option(help: ArgumentHelp("Only releases published on or after this day.", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Only releases published on or before this day.", valueName: "date"))
    var to: String?

    @Option(name: .customLong("category"), help: ArgumentHelp("Only this category (repeatable).", valueName: "name-or-slug"))
    var categories: [String] = []

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("the query is empty") }
        if limit < 1 || limit > 100 { throw ValidationError("--limit must be 1-100") }
    }

    func run() async throws {
        let fromDate = try from.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--from") }
        let toDate = try to.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--to") }
        let request = NamesRequest(query: query, limit: limit, from: fromDate, to: toDate,
                                   categories: categories.map(CategoryCatalog.trimmedName).filter { !$0.isEmpty })
        let r: NamesResponse = try await service.query().call { client in try await client.unary(KhaosanMethods.names, request) }
        let groups: [(String, [NameCount])] = [("People", r.people), ("Organisations", r.organisations), ("Places", r.places)]
        if output.json {
            for (_, names) in groups {
                for n in names {
                    StdOut.line(JSONValue.object([("kind", .string(n.kind.label)), ("name", .string(n.name)), ("count", .uint(n.count))]).encoded())
                }
            }
            StdOut.line(JSONValue.object([("releases", .uint(r.releases)), ("counted", .uint(r.counted))]).encoded())
            return
        }
        let style = output.style
        StdOut.line(style.dim("\(r.releases) releases" + (r.counted < r.releases ? ", names counted in the \(r.counted) most relevant" : "")))
        for (title, names) in groups where !names.isEmpty {
            StdOut.line(style.bold(title))
            let width = String(names.map(\.count).max() ?? 0).count
            for n in names { StdOut.line("  " + String(repeating: " ", count: width - String(n.count).count) + "\(n.count)  \(n.name)") }
        }
    }
}
