// Swift mirrors of names.proto (issue 16, item 4). Plain values; the conversions are generated
// (scripts/gen-wire.py, Generated/NamesWire.swift).
package import KhaosanModel

/// What a name names; nil where any kind will do (ENTITY_KIND_UNSPECIFIED).
package enum EntityKind: Sendable, Hashable, CaseIterable {
    case person, organisation, place

    package init(_ k: Entity.Kind) {
        switch k {
        case .person: self = .person
        case .organisation: self = .organisation
        case .place: self = .place
        }
    }

    package var model: Entity.Kind {
        switch self {
        case .person: .person
        case .organisation: .organisation
        case .place: .place
        }
    }
}

package struct NameCount: Sendable, Hashable {
    package var kind: EntityKind
    package var name: String
    package var count: UInt64

    package init(kind: EntityKind, name: String, count: UInt64) {
        self.kind = kind
        self.name = name
        self.count = count
    }
}

package struct LabelCount: Sendable, Hashable {
    package var key: String
    package var label: String
    package var count: UInt64

    package init(key: String, label: String, count: UInt64) {
        self.key = key
        self.label = label
        self.count = count
    }
}

package struct NamesRequest: Sendable, Hashable {
    package var query: String
    /// Per kind; 0: 10.
    package var limit: UInt32
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]

    package init(query: String, limit: UInt32 = 0, from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = []) {
        self.query = query
        self.limit = limit
        self.from = from
        self.to = to
        self.categories = categories
    }
}

package struct NamesResponse: Sendable, Hashable {
    package var releases: UInt64
    package var counted: UInt64
    package var people: [NameCount]
    package var organisations: [NameCount]
    package var places: [NameCount]
    package var tookMicros: UInt64

    package init(releases: UInt64 = 0, counted: UInt64 = 0, people: [NameCount] = [], organisations: [NameCount] = [],
                 places: [NameCount] = [], tookMicros: UInt64 = 0) {
        self.releases = releases
        self.counted = counted
        self.people = people
        self.organisations = organisations
        self.places = places
        self.tookMicros = tookMicros
    }
}

package struct EntityRequest: Sendable, Hashable {
    package var name: String
    /// nil: the kind the name is stored under most often.
    package var kind: EntityKind?
    package var limit: UInt32

    package init(name: String, kind: EntityKind? = nil, limit: UInt32 = 0) {
        self.name = name
        self.kind = kind
        self.limit = limit
    }
}

package struct EntityRelease: Sendable, Hashable {
    package var id: Int64
    package var title: String
    package var published: CivilDate
    package var category: Category

    package init(id: Int64, title: String, published: CivilDate, category: Category) {
        self.id = id
        self.title = title
        self.published = published
        self.category = category
    }
}

package struct EntityResponse: Sendable, Hashable {
    /// nil when no stored name matches.
    package var kind: EntityKind?
    package var name: String
    package var releases: UInt64
    package var months: [LabelCount]
    package var withNames: [NameCount]
    package var categories: [LabelCount]
    package var latest: [EntityRelease]
    package var tookMicros: UInt64

    package init(kind: EntityKind? = nil, name: String = "", releases: UInt64 = 0, months: [LabelCount] = [], withNames: [NameCount] = [],
                 categories: [LabelCount] = [], latest: [EntityRelease] = [], tookMicros: UInt64 = 0) {
        self.kind = kind
        self.name = name
        self.releases = releases
        self.months = months
        self.withNames = withNames
        self.categories = categories
        self.latest = latest
        self.tookMicros = tookMicros
    }
}
