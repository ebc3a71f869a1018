import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire

/// `khaosan entity NAME`: one name's releases per month, the names most often with it, its
/// categories and its latest releases (issue 16, item 4).
struct EntityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entity",
        abstract: "One person, organisation or place: releases per month, the names with it, categories, latest releases.",
        discussion: """
            NAME as written in the releases (a person with or without the title; a given or \
            family name alone finds a person too). Without --kind, the kind the name is stored \
            under most often. --json: one object, {"kind","name","releases","months":[{"month",\
            "count"}],"with":[{"kind","name","count"}],"categories":[{"category","slug","count"}],\
            "latest":[{"id","title","published","category"}]}.
            """
    )

    @Argument(help: "The name.")
    var name: String

    @Option(help: "person, org or place.")
    var kind: EntityKind?

    @Option(help: "Names with it and latest releases to show (1-100).")
    var limit: UInt32 = 10

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("the name is empty") }
        if limit < 1 || limit > 100 { throw ValidationError("--limit must be 1-100") }
    }

    func run() async throws {
        let request = EntityRequest(name: name, kind: kind, limit: limit)
        let r: EntityResponse = try await service.query().call { client in try await client.unary(KhaosanMethods.entity, request) }
        if output.json {
            StdOut.line(JSONValue.object([
                ("kind", r.kind.map { .string($0.label) } ?? .null), ("name", .string(r.name)), ("releases", .uint(r.releases)),
                ("months", .array(r.months.map { .object([("month", .string($0.key)), ("count", .uint($0.count))]) })),
                ("with", .array(r.withNames.map { .object([("kind", .string($0.kind.label)), ("name", .string($0.name)), ("count", .uint($0.count))]) })),
                ("categories", .array(r.categories.map { .object([("category", .string($0.label)), ("slug", .string($0.key)), ("count", .uint($0.count))]) })),
                ("latest", .array(r.latest.map {
                    .object([("id", .int($0.id)), ("title", .string($0.title)), ("published", .string($0.published.description)),
                             ("category", .string($0.category.name))])
                })),
            ]).encoded())
            if r.kind == nil { throw CLIError("no release names \"\(name)\"", exitCode: 1) }
            return
        }
        guard let kind = r.kind else { throw CLIError("no release names \"\(name)\"", exitCode: 1) }
        let style = output.style
        StdOut.line(style.bold("\(r.name)") + style.dim("  \(kind.label), \(r.releases) releases"))
        if !r.months.isEmpty {
            StdOut.line(style.bold("Per month"))
            let most = max(r.months.map(\.count).max() ?? 1, 1)
            for m in r.months {
                let bar = String(repeating: "█", count: Int((Double(m.count) / Double(most) * 30).rounded(.up)))
                StdOut.line("  \(m.key)  \(m.label.padding(toLength: 16, withPad: " ", startingAt: 0)) \(bar) \(m.count)")
            }
        }
        if !r.withNames.isEmpty {
            StdOut.line(style.bold("Named with it"))
            for n in r.withNames { StdOut.line("  \(n.count)  \(n.name)" + style.dim("  \(n.kind.label)")) }
        }
        if !r.categories.isEmpty {
            StdOut.line(style.bold("Categories"))
            for c in r.categories { StdOut.line("  \(c.count)  \(c.label)") }
        }
        if !r.latest.isEmpty {
            StdOut.line(style.bold("Latest"))
            for h in r.latest { StdOut.line("  #\(h.id)  \(h.published)  \(h.title)") }
        }
    }
}
