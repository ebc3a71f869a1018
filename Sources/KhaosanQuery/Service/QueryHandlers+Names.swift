import KhaosanModel
import KhaosanRPC
import KhaosanWire

/// QueryService/Names and QueryService/Entity (issue 16, item 4): the store's name counts as
/// wire messages.
extension QueryHandlers {
    func registerNames(into router: inout RPCRouter) {
        router.unary(KhaosanMethods.names) { (request: NamesRequest, context) in
            let limit = request.limit == 0 ? 10 : Int(request.limit)
            let r = try await db("names") {
                try store.names(query: request.query, from: request.from, to: request.to, categories: request.categories,
                                limit: limit, deadline: context.deadline)
            }
            return NamesResponse(releases: UInt64(r.releases), counted: UInt64(r.counted), people: r.people.map(Self.wire),
                                 organisations: r.organisations.map(Self.wire), places: r.places.map(Self.wire),
                                 tookMicros: UInt64(max(0, r.tookMicros)))
        }
        router.unary(KhaosanMethods.entity) { (request: EntityRequest, context) in
            let limit = request.limit == 0 ? 10 : Int(request.limit)
            let p = try await db("entity") {
                try store.entity(name: request.name, kind: request.kind?.model, limit: limit, deadline: context.deadline)
            }
            func counts(_ f: [StoreFacet]) -> [LabelCount] { f.map { LabelCount(key: $0.key, label: $0.label, count: UInt64($0.count)) } }
            return EntityResponse(
                kind: p.kind.map(EntityKind.init), name: p.name, releases: UInt64(p.releases), months: counts(p.months),
                withNames: p.withNames.map(Self.wire), categories: counts(p.categories),
                latest: p.latest.map { EntityRelease(id: $0.id, title: $0.title, published: $0.published, category: $0.category) },
                tookMicros: UInt64(max(0, p.tookMicros)))
        }
    }

    static func wire(_ c: StoreNameCount) -> NameCount {
        NameCount(kind: EntityKind(c.kind), name: c.name, count: UInt64(c.count))
    }
}
