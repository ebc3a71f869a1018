// StatsResponse's hand mapping ([swift: hand-mapped] in query.proto): `first` and `last` have no
// presence flag on the wire; they are sent as days (nil as 0) and decode as nil when `releases`
// is 0. The rest of its bridge is in Generated/.
internal import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension StatsResponse {
    init(c: borrowing Khaosan__V1__StatsResponse) throws(WireError) {
        let any = c.releases > 0
        self.init(
            version: try swiftString(c.version, field: "version"),
            releases: c.releases, versions: c.versions, databaseBytes: c.database_bytes, textBytes: c.text_bytes,
            first: any ? CivilDate(daysSinceEpoch: Int(c.first_days)) : nil,
            last: any ? CivilDate(daysSinceEpoch: Int(c.last_days)) : nil,
            categories: try swiftMessages(c.categories, count: c.n_categories, field: "categories") { (f) throws(WireError) in try FacetCount(c: f) },
            languages: try swiftMessages(c.languages, count: c.n_languages, field: "languages") { (f) throws(WireError) in try FacetCount(c: f) },
            appliedSequence: c.applied_sequence,
            protobufCVersion: try swiftString(c.protobuf_c_version, field: "protobuf_c_version")
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__StatsResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.version = try arena.cString(version, field: "version")
        m.pointee.releases = releases
        m.pointee.versions = versions
        m.pointee.database_bytes = databaseBytes
        m.pointee.text_bytes = textBytes
        if let first { m.pointee.first_days = try int32Days(first, field: "first_days") }
        if let last { m.pointee.last_days = try int32Days(last, field: "last_days") }
        (m.pointee.n_categories, m.pointee.categories) = try cMessages(categories, arena: arena, field: "categories") { (fm, f) throws(WireError) in try f.fill(fm, arena) }
        (m.pointee.n_languages, m.pointee.languages) = try cMessages(languages, arena: arena, field: "languages") { (fm, f) throws(WireError) in try f.fill(fm, arena) }
        m.pointee.applied_sequence = appliedSequence
        m.pointee.protobuf_c_version = try arena.cString(protobufCVersion, field: "protobuf_c_version")
    }

    var wireSizeHint: Int {
        MemoryLayout<Khaosan__V1__StatsResponse>.stride + version.utf8.count + protobufCVersion.utf8.count + 2
            + (categories + languages).reduce(0) { $0 + $1.wireSizeHint + 8 }
    }
}
