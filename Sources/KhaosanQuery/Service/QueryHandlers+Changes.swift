import KhaosanModel
import KhaosanRPC
import KhaosanWire

/// QueryService/Diff and QueryService/Similar (issue 16, items 5 and 6).
extension QueryHandlers {
    func registerChanges(into router: inout RPCRouter) {
        router.unary(KhaosanMethods.diff) { (request: DiffRequest, _) in
            let old = request.oldVersion == 0 ? nil : Int(request.oldVersion)
            let new = request.newVersion == 0 ? nil : Int(request.newVersion)
            let d = try await db("diff") { try store.diff(id: request.id, oldVersion: old, newVersion: new) }
            return DiffResponse(
                id: d.id, oldVersion: UInt32(d.old.version), newVersion: UInt32(d.new.version),
                oldStoredAtUnixMs: d.old.storedAt, newStoredAtUnixMs: d.new.storedAt,
                fields: d.fields.map { f in
                    DiffField(name: f.name, edits: f.edits.map(Self.edit), oldNumber: UInt32(f.oldNumber ?? 0), newNumber: UInt32(f.newNumber ?? 0))
                },
                versions: UInt32(d.versions))
        }
        router.unary(KhaosanMethods.similar) { (request: SimilarRequest, _) in
            let limit = request.limit == 0 ? 10 : min(Int(request.limit), 100)
            let s = try await db("similar") { try store.similar(id: request.id, limit: limit) }
            return SimilarResponse(
                id: request.id, group: s.group,
                hits: s.hits.map { h in
                    SimilarHit(id: h.id, title: h.title, published: h.published, category: h.category,
                               estimated: h.estimated, exact: h.exact ?? -1, sameGroup: h.sameGroup)
                },
                candidates: UInt32(clamping: s.candidates))
        }
    }

    static func edit(_ e: WordEdit) -> DiffEdit {
        let kind: DiffEdit.Kind = switch e.kind {
        case .equal: .equal
        case .delete: .delete
        case .insert: .insert
        }
        return DiffEdit(kind: kind, text: e.text)
    }
}
