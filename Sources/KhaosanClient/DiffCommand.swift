import ArgumentParser
import KhaosanRPC
import KhaosanWire

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two stored versions of a release.",
        discussion: """
            Without versions, the version before the current one against the current one; with one \
            version V1, V1 against the current one; with two, V1 against V2. The texts are compared \
            word by word at Thai word boundaries (the same segmentation as =term), by the query \
            service. `khaosan get ID --versions` lists the versions.

            Output: a unified diff of the fields that changed (title, each changed paragraph, \
            published, category, source URL), with the old text on a - line and the new on a + \
            line; on a terminal the removed and added words are highlighted (NO_COLOR, --color never \
            turn that off).

            With --json, one object: id, old_version, new_version, old_stored_at, new_stored_at, \
            versions, and fields [{name, old_paragraph, new_paragraph (paragraphs only; null where \
            absent), changed, edits [{op: equal|delete|insert, text}]}], every field of both \
            versions (the equal and delete texts are the old field, the equal and insert texts the \
            new one).
            """
    )

    @Argument(help: "The release id.")
    var id: Int64

    @Argument(help: ArgumentHelp("The older version (default: the one before V2).", valueName: "V1"))
    var old: UInt32?

    @Argument(help: ArgumentHelp("The newer version (default: the current one).", valueName: "V2"))
    var new: UInt32?

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard id > 0 else { throw ValidationError("ID must be a positive number, got \(id)") }
        if old == 0 || new == 0 { throw ValidationError("versions are numbered from 1") }
    }

    func run() async throws {
        let request = DiffRequest(id: id, oldVersion: old ?? 0, newVersion: new ?? 0)
        let response: DiffResponse
        do {
            response = try await service.query().call { client in try await client.unary(KhaosanMethods.diff, request) }
        } catch let e as CLIError where e.message.hasPrefix("NOT_FOUND: ") {
            throw CLIError(String(e.message.dropFirst("NOT_FOUND: ".count)))
        }
        if output.json {
            StdOut.line(Self.json(response).encoded())
            return
        }
        for line in renderDiff(response, style: output.style) { StdOut.line(line) }
    }

    static func json(_ d: DiffResponse) -> JSONValue {
        func op(_ k: DiffEdit.Kind) -> String {
            switch k {
            case .equal: "equal"
            case .delete: "delete"
            case .insert: "insert"
            }
        }
        return .object([
            ("id", .int(d.id)),
            ("old_version", .uint(UInt64(d.oldVersion))),
            ("new_version", .uint(UInt64(d.newVersion))),
            ("old_stored_at", .string(isoTimestamp(unixMillis: d.oldStoredAtUnixMs))),
            ("new_stored_at", .string(isoTimestamp(unixMillis: d.newStoredAtUnixMs))),
            ("versions", .uint(UInt64(d.versions))),
            ("fields", .array(d.fields.map { f in
                var pairs: [(String, JSONValue)] = [("name", .string(f.name))]
                if f.name == "paragraph" {
                    pairs.append(("old_paragraph", f.oldNumber == 0 ? .null : .uint(UInt64(f.oldNumber))))
                    pairs.append(("new_paragraph", f.newNumber == 0 ? .null : .uint(UInt64(f.newNumber))))
                }
                pairs.append(("changed", .bool(f.edits.contains { $0.kind != .equal })))
                pairs.append(("edits", .array(f.edits.map { .object([("op", .string(op($0.kind))), ("text", .string($0.text))]) })))
                return .object(pairs)
            })),
        ])
    }
}
