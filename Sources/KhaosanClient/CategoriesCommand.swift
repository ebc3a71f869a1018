import ArgumentParser
import KhaosanModel
import KhaosanRPC
import KhaosanWire

struct CategoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "categories",
        abstract: "List every category of the archive with its slug and number of releases.",
        discussion: """
            Either the slug or the name is what --category takes (search, timeline, count). \
            Most releases first. From the same numbers as `khaosan stats` (QueryService/Stats).

            With --json, one object per category: slug, name, count. A release filed with no \
            category has slug null and name "".
            """
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let s: StatsResponse = try await service.query().call { client in
            try await client.unary(KhaosanMethods.stats, StatsRequest())
        }
        if output.json {
            for c in s.categories {
                StdOut.line(JSONValue.object([
                    ("slug", .string(Self.slug(c))),
                    ("name", .string(c.label)),
                    ("count", .uint(c.count)),
                ]).encoded())
            }
            return
        }
        if s.categories.isEmpty {
            StdOut.line("No categories: the archive holds no releases yet.")
            return
        }
        for line in CategoryTable.lines(s.categories, style: output.style, width: Terminal.stdoutIsTerminal ? output.width : nil) { StdOut.line(line) }
    }

    /// A facet's key is the slug, else the name: nil for a category that has none.
    static func slug(_ f: FacetCount) -> String? {
        if f.key.isEmpty { return nil }
        if f.key == f.label && CategoryCatalog.category(named: f.label).slug == nil { return nil }
        return f.key
    }
}
