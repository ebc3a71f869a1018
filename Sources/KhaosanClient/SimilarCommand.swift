import ArgumentParser
import KhaosanModel
import KhaosanRPC
import KhaosanWire

struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "List the releases most like one (near-duplicates first).",
        discussion: """
            Similarity is the Jaccard similarity of the two releases' sets of word 3-shingles \
            (three consecutive words of title and body, Thai cut at word boundaries): 1 is the same \
            text. The query service estimates it from MinHash signatures stored at ingest and \
            computes it exactly from both texts for the top 20. Releases at 0.65 or more (exactly, \
            checked at ingest) are grouped as near-duplicates (`search --collapse`); `=` marks those in the same \
            group. Releases sharing no LSH band (similarity below about 0.3) are not listed.

            With --json, one object per release: id, title, published, category, estimated, exact \
            (null when not verified), same_group; then a last line {"id", "group", "candidates"}.
            """
    )

    @Argument(help: "The release id.")
    var id: Int64

    @Option(help: "How many releases to list (1-100).")
    var limit = 10

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard id > 0 else { throw ValidationError("ID must be a positive number, got \(id)") }
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be 1-100, got \(limit)") }
    }

    func run() async throws {
        let request = SimilarRequest(id: id, limit: UInt32(limit))
        let response: SimilarResponse
        do {
            response = try await service.query().call { client in try await client.unary(KhaosanMethods.similar, request) }
        } catch let e as CLIError where e.message.hasPrefix("NOT_FOUND: ") {
            throw CLIError(String(e.message.dropFirst("NOT_FOUND: ".count)))
        }
        if output.json {
            for h in response.hits {
                StdOut.line(JSONValue.object([
                    ("id", .int(h.id)), ("title", .string(h.title)), ("published", .string(h.published.description)),
                    ("category", .string(h.category.name)), ("estimated", .double(h.estimated)),
                    ("exact", h.exact < 0 ? .null : .double(h.exact)), ("same_group", .bool(h.sameGroup)),
                ]).encoded())
            }
            StdOut.line(JSONValue.object([
                ("id", .int(response.id)), ("group", .int(response.group)), ("candidates", .uint(UInt64(response.candidates))),
            ]).encoded())
            return
        }
        let style = output.style
        if response.hits.isEmpty {
            StdOut.line("No similar releases (none shares an LSH band with #\(id)).")
            return
        }
        let width = output.width
        for h in response.hits {
            let score = h.exact >= 0 ? String(format2(h.exact)) : "~" + format2(h.estimated)
            let mark = h.sameGroup ? "=" : " "
            let head = "\(score) \(mark) #\(h.id)  \(h.published)  "
            let title = h.title.truncated(toWidth: max(10, width - displayWidth(head)))
            StdOut.line(style.bold(score) + " " + mark + " " + style.dim("#\(h.id)  \(h.published)") + "  " + title)
        }
        let group = response.group == id ? "no group (alone)" : "group #\(response.group)"
        StdOut.line("")
        StdOut.line(style.dim("#\(id): \(group) · \(response.candidates) candidates · exact Jaccard, ~ estimated, = same group"))
    }

    private func format2(_ x: Double) -> String {
        let v = Int((x * 100).rounded())
        return "\(v / 100).\(v % 100 < 10 ? "0" : "")\(v % 100)"
    }
}
