import KhaosanModel

/// `khaosan diff` (issue 16, "what changed"): two stored versions of one release compared word
/// by word. Reads the versions from SQLite by primary key (the superseded ones are whole JSON
/// in release_versions); no text is scanned beyond the one release.
extension ReleaseStore {
    /// `oldVersion` nil: the version before `newVersion`; `newVersion` nil: the current one.
    package func diff(id: Int64, oldVersion: Int?, newVersion: Int?) throws -> VersionDiff {
        guard let stored = try get(id: id, includeVersions: true) else {
            throw VersionNotFound("no release with id \(id)")
        }
        let all = stored.versions
        let known = all.map(\.version)
        let having = known.count == 1 ? "release \(id) has one version (1)" : "release \(id) has versions \(known.first!)-\(known.last!)"
        func find(_ v: Int) throws -> StoredVersion {
            guard let s = all.first(where: { $0.version == v }) else { throw VersionNotFound("\(having); no version \(v)") }
            return s
        }
        let new = try find(newVersion ?? stored.version)
        let old: StoredVersion
        if let oldVersion {
            old = try find(oldVersion)
        } else {
            guard let before = all.last(where: { $0.version < new.version }) else {
                throw VersionNotFound("\(having); no version before \(new.version) to compare with")
            }
            old = before
        }
        let o = old.release, n = new.release
        var fields = [FieldDiff(name: "title", edits: WordDiff.edits(old: o.title, new: n.title))]
        fields += WordDiff.paragraphs(old: o.paragraphs, new: n.paragraphs)
        func changed(_ name: String, _ a: String, _ b: String) {
            guard a != b else { return }
            var e: [WordEdit] = []
            if !a.isEmpty { e.append(WordEdit(kind: .delete, text: a)) }
            if !b.isEmpty { e.append(WordEdit(kind: .insert, text: b)) }
            fields.append(FieldDiff(name: name, edits: e))
        }
        changed("published", o.published.description, n.published.description)
        changed("category", o.category.name, n.category.name)
        changed("source_url", o.sourceURL, n.sourceURL)
        return VersionDiff(id: id, old: old, new: new, versions: all.count, fields: fields)
    }
}
