// Swift mirrors of changes.proto (issue 16, items 5 and 6). Plain values; the conversions are
// generated (scripts/gen-wire.py, Generated/ChangesWire.swift).
package import KhaosanModel

package struct DiffRequest: Sendable, Hashable {
    package var id: Int64
    /// 0: the version before `newVersion`.
    package var oldVersion: UInt32
    /// 0: the current version.
    package var newVersion: UInt32

    package init(id: Int64, oldVersion: UInt32 = 0, newVersion: UInt32 = 0) {
        self.id = id
        self.oldVersion = oldVersion
        self.newVersion = newVersion
    }
}

package struct DiffEdit: Sendable, Hashable {
    package enum Kind: Sendable, Hashable, CaseIterable { case equal, delete, insert }
    package var kind: Kind
    /// Original characters; equal + delete texts are the old field, equal + insert the new one.
    package var text: String

    package init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

package struct DiffField: Sendable, Hashable {
    /// "title", "paragraph", "published", "category", "source_url".
    package var name: String
    package var edits: [DiffEdit]
    /// A paragraph's number (from 1) in each version; 0 where it is absent.
    package var oldNumber: UInt32
    package var newNumber: UInt32

    package init(name: String, edits: [DiffEdit] = [], oldNumber: UInt32 = 1, newNumber: UInt32 = 1) {
        self.name = name
        self.edits = edits
        self.oldNumber = oldNumber
        self.newNumber = newNumber
    }
}

package struct DiffResponse: Sendable, Hashable {
    package var id: Int64
    package var oldVersion: UInt32
    package var newVersion: UInt32
    package var oldStoredAtUnixMs: Int64
    package var newStoredAtUnixMs: Int64
    package var fields: [DiffField]
    package var versions: UInt32

    package init(id: Int64 = 0, oldVersion: UInt32 = 0, newVersion: UInt32 = 0, oldStoredAtUnixMs: Int64 = 0,
                 newStoredAtUnixMs: Int64 = 0, fields: [DiffField] = [], versions: UInt32 = 0) {
        self.id = id
        self.oldVersion = oldVersion
        self.newVersion = newVersion
        self.oldStoredAtUnixMs = oldStoredAtUnixMs
        self.newStoredAtUnixMs = newStoredAtUnixMs
        self.fields = fields
        self.versions = versions
    }
}

package struct SimilarRequest: Sendable, Hashable {
    package var id: Int64
    /// 0: the server's default (10).
    package var limit: UInt32

    package init(id: Int64, limit: UInt32 = 0) {
        self.id = id
        self.limit = limit
    }
}

package struct SimilarHit: Sendable, Hashable {
    package var id: Int64
    package var title: String
    package var published: CivilDate
    package var category: Category
    /// MinHash estimate of the Jaccard similarity of the word 3-shingle sets.
    package var estimated: Double
    /// Exact Jaccard similarity; negative when not verified.
    package var exact: Double
    package var sameGroup: Bool

    package init(id: Int64, title: String, published: CivilDate, category: Category, estimated: Double, exact: Double = -1,
                 sameGroup: Bool = false) {
        self.id = id
        self.title = title
        self.published = published
        self.category = category
        self.estimated = estimated
        self.exact = exact
        self.sameGroup = sameGroup
    }
}

package struct SimilarResponse: Sendable, Hashable {
    package var id: Int64
    /// The id of the group's first release; the release's own id when it has no near-duplicate.
    package var group: Int64
    package var hits: [SimilarHit]
    /// Releases sharing at least one LSH band with it.
    package var candidates: UInt32

    package init(id: Int64 = 0, group: Int64 = 0, hits: [SimilarHit] = [], candidates: UInt32 = 0) {
        self.id = id
        self.group = group
        self.hits = hits
        self.candidates = candidates
    }
}
