// query.proto <-> QueryMessages.swift. Unknown enum values are `.invalidValue` (see ReleaseCodec.swift).
internal import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension Khaosan__V1__SearchRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__search_request__init(m) } }
extension Khaosan__V1__Highlight: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__highlight__init(m) } }
extension Khaosan__V1__SearchHit: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__search_hit__init(m) } }
extension Khaosan__V1__FacetCount: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__facet_count__init(m) } }
extension Khaosan__V1__SearchResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__search_response__init(m) } }
extension Khaosan__V1__GetRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__get_request__init(m) } }
extension Khaosan__V1__ReleaseVersion: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__release_version__init(m) } }
extension Khaosan__V1__GetResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__get_response__init(m) } }
extension Khaosan__V1__LatestRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__latest_request__init(m) } }
extension Khaosan__V1__LatestResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__latest_response__init(m) } }
extension Khaosan__V1__StatsRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__stats_request__init(m) } }
extension Khaosan__V1__StatsResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__stats_response__init(m) } }
extension Khaosan__V1__BatchItem: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__batch_item__init(m) } }
extension Khaosan__V1__ApplyBatchRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__apply_batch_request__init(m) } }
extension Khaosan__V1__ApplyBatchResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__apply_batch_response__init(m) } }
extension Khaosan__V1__AppliedPositionRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__applied_position_request__init(m) } }
extension Khaosan__V1__AppliedPositionResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__applied_position_response__init(m) } }
extension Khaosan__V1__IntegrityCheckRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__integrity_check_request__init(m) } }
extension Khaosan__V1__IntegrityCheckResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__integrity_check_response__init(m) } }
extension Khaosan__V1__BackupRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__backup_request__init(m) } }
extension Khaosan__V1__BackupResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__backup_response__init(m) } }

// MARK: SearchRequest

extension SearchRequest {
    init(c: borrowing Khaosan__V1__SearchRequest) throws(WireError) {
        let sort: Sort
        switch c.sort {
        case KHAOSAN__V1__SEARCH_REQUEST__SORT__SORT_RELEVANCE: sort = .relevance
        case KHAOSAN__V1__SEARCH_REQUEST__SORT__SORT_NEWEST: sort = .newest
        case KHAOSAN__V1__SEARCH_REQUEST__SORT__SORT_OLDEST: sort = .oldest
        default: throw unknownEnum(c.sort.rawValue, field: "sort")
        }
        self.init(
            query: try swiftString(c.query, field: "query"),
            from: c.has_from != 0 ? CivilDate(daysSinceEpoch: Int(c.from_days)) : nil,
            to: c.has_to != 0 ? CivilDate(daysSinceEpoch: Int(c.to_days)) : nil,
            categories: try swiftStrings(c.categories, count: c.n_categories, field: "categories"),
            language: try swiftLanguage(c.language, field: "language"),
            sort: sort, limit: c.limit, offset: c.offset, facets: c.facets != 0, wholeWords: c.whole_words != 0
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__SearchRequest>, _ arena: Arena) throws(WireError) {
        m.pointee.query = try arena.cString(query, field: "query")
        if let from {
            m.pointee.has_from = 1
            m.pointee.from_days = try int32Days(from, field: "from_days")
        }
        if let to {
            m.pointee.has_to = 1
            m.pointee.to_days = try int32Days(to, field: "to_days")
        }
        (m.pointee.n_categories, m.pointee.categories) = try cStrings(categories, arena: arena, field: "categories")
        m.pointee.language = cLanguage(language)
        switch sort {
        case .relevance: m.pointee.sort = KHAOSAN__V1__SEARCH_REQUEST__SORT__SORT_RELEVANCE
        case .newest: m.pointee.sort = KHAOSAN__V1__SEARCH_REQUEST__SORT__SORT_NEWEST
        case .oldest: m.pointee.sort = KHAOSAN__V1__SEARCH_REQUEST__SORT__SORT_OLDEST
        }
        m.pointee.limit = limit
        m.pointee.offset = offset
        m.pointee.facets = cBool(facets)
        m.pointee.whole_words = cBool(wholeWords)
    }
}

// MARK: Highlight, SearchHit, FacetCount, SearchResponse

extension Highlight {
    init(c: borrowing Khaosan__V1__Highlight) throws(WireError) {
        self.init(start: c.start, end: c.end)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__Highlight>, _ arena: Arena) throws(WireError) {
        m.pointee.start = start
        m.pointee.end = end
    }
}

extension SearchHit {
    init(c: borrowing Khaosan__V1__SearchHit) throws(WireError) {
        self.init(
            id: c.id,
            title: try swiftString(c.title, field: "title"),
            published: CivilDate(daysSinceEpoch: Int(c.published_days)),
            category: try swiftCategory(c.category, field: "category"),
            language: try requiredLanguage(c.language, field: "language"),
            score: c.score,
            snippet: try swiftString(c.snippet, field: "snippet"),
            highlights: try swiftMessages(c.highlights, count: c.n_highlights, field: "highlights") { (h) throws(WireError) in try Highlight(c: h) },
            sourceURL: try swiftString(c.source_url, field: "source_url")
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__SearchHit>, _ arena: Arena) throws(WireError) {
        m.pointee.id = id
        m.pointee.title = try arena.cString(title, field: "title")
        m.pointee.published_days = try int32Days(published, field: "published_days")
        m.pointee.category = try cCategory(category, arena, field: "category")
        m.pointee.language = cLanguage(language)
        m.pointee.score = score
        m.pointee.snippet = try arena.cString(snippet, field: "snippet")
        (m.pointee.n_highlights, m.pointee.highlights) = try cMessages(highlights, arena: arena, field: "highlights") { (hm, h) throws(WireError) in try h.fill(hm, arena) }
        m.pointee.source_url = try arena.cString(sourceURL, field: "source_url")
    }
}

extension FacetCount {
    init(c: borrowing Khaosan__V1__FacetCount) throws(WireError) {
        self.init(key: try swiftString(c.key, field: "key"), label: try swiftString(c.label, field: "label"), count: c.count)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__FacetCount>, _ arena: Arena) throws(WireError) {
        m.pointee.key = try arena.cString(key, field: "key")
        m.pointee.label = try arena.cString(label, field: "label")
        m.pointee.count = count
    }
}

func swiftFacets(_ items: UnsafeMutablePointer<UnsafeMutablePointer<Khaosan__V1__FacetCount>?>?, count: Int, field: String) throws(WireError) -> [FacetCount] {
    try swiftMessages(items, count: count, field: field) { (f) throws(WireError) in try FacetCount(c: f) }
}

func cFacets(_ facets: [FacetCount], _ arena: Arena, field: String) throws(WireError) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Khaosan__V1__FacetCount>?>?) {
    try cMessages(facets, arena: arena, field: field) { (m, f) throws(WireError) in try f.fill(m, arena) }
}

func swiftHits(_ items: UnsafeMutablePointer<UnsafeMutablePointer<Khaosan__V1__SearchHit>?>?, count: Int, field: String) throws(WireError) -> [SearchHit] {
    try swiftMessages(items, count: count, field: field) { (h) throws(WireError) in try SearchHit(c: h) }
}

func cHits(_ hits: [SearchHit], _ arena: Arena, field: String) throws(WireError) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Khaosan__V1__SearchHit>?>?) {
    try cMessages(hits, arena: arena, field: field) { (m, h) throws(WireError) in try h.fill(m, arena) }
}

extension SearchResponse {
    init(c: borrowing Khaosan__V1__SearchResponse) throws(WireError) {
        self.init(
            hits: try swiftHits(c.hits, count: c.n_hits, field: "hits"),
            total: c.total,
            categoryFacets: try swiftFacets(c.category_facets, count: c.n_category_facets, field: "category_facets"),
            monthFacets: try swiftFacets(c.month_facets, count: c.n_month_facets, field: "month_facets"),
            tookMicros: c.took_micros,
            suggestions: try swiftFacets(c.suggestions, count: c.n_suggestions, field: "suggestions")
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__SearchResponse>, _ arena: Arena) throws(WireError) {
        (m.pointee.n_hits, m.pointee.hits) = try cHits(hits, arena, field: "hits")
        m.pointee.total = total
        (m.pointee.n_category_facets, m.pointee.category_facets) = try cFacets(categoryFacets, arena, field: "category_facets")
        (m.pointee.n_month_facets, m.pointee.month_facets) = try cFacets(monthFacets, arena, field: "month_facets")
        m.pointee.took_micros = tookMicros
        (m.pointee.n_suggestions, m.pointee.suggestions) = try cFacets(suggestions, arena, field: "suggestions")
    }
}

// MARK: Get

extension GetRequest {
    init(c: borrowing Khaosan__V1__GetRequest) throws(WireError) {
        self.init(id: c.id, includeVersions: c.include_versions != 0)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__GetRequest>, _ arena: Arena) throws(WireError) {
        m.pointee.id = id
        m.pointee.include_versions = cBool(includeVersions)
    }
}

extension ReleaseVersion {
    init(c: borrowing Khaosan__V1__ReleaseVersion) throws(WireError) {
        self.init(
            version: c.version,
            contentHash: try swiftString(c.content_hash, field: "content_hash"),
            storedAtUnixMs: c.stored_at_unix_ms,
            release: try swiftRelease(c.release, field: "release")
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__ReleaseVersion>, _ arena: Arena) throws(WireError) {
        m.pointee.version = version
        m.pointee.content_hash = try arena.cString(contentHash, field: "content_hash")
        m.pointee.stored_at_unix_ms = storedAtUnixMs
        m.pointee.release = try cRelease(release, arena, field: "release")
    }
}

extension GetResponse {
    init(c: borrowing Khaosan__V1__GetResponse) throws(WireError) {
        self.init(
            release: c.release == nil ? nil : try swiftRelease(c.release, field: "release"),
            version: c.version,
            versions: try swiftMessages(c.versions, count: c.n_versions, field: "versions") { (v) throws(WireError) in try ReleaseVersion(c: v) }
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__GetResponse>, _ arena: Arena) throws(WireError) {
        if let release { m.pointee.release = try cRelease(release, arena, field: "release") }
        m.pointee.version = version
        (m.pointee.n_versions, m.pointee.versions) = try cMessages(versions, arena: arena, field: "versions") { (vm, v) throws(WireError) in try v.fill(vm, arena) }
    }

    var sizeHint: Int {
        (release.map(approximateSize) ?? 0) + versions.reduce(0) { $0 + approximateSize($1.release) }
    }
}

// MARK: Latest, Stats

extension LatestRequest {
    init(c: borrowing Khaosan__V1__LatestRequest) throws(WireError) { self.init(limit: c.limit) }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__LatestRequest>, _ arena: Arena) throws(WireError) { m.pointee.limit = limit }
}

extension LatestResponse {
    init(c: borrowing Khaosan__V1__LatestResponse) throws(WireError) {
        self.init(hits: try swiftHits(c.hits, count: c.n_hits, field: "hits"))
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__LatestResponse>, _ arena: Arena) throws(WireError) {
        (m.pointee.n_hits, m.pointee.hits) = try cHits(hits, arena, field: "hits")
    }
}

extension StatsRequest {
    init(c: borrowing Khaosan__V1__StatsRequest) throws(WireError) { self.init() }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__StatsRequest>, _ arena: Arena) throws(WireError) {}
}

extension StatsResponse {
    init(c: borrowing Khaosan__V1__StatsResponse) throws(WireError) {
        let any = c.releases > 0
        self.init(
            version: try swiftString(c.version, field: "version"),
            releases: c.releases, versions: c.versions, databaseBytes: c.database_bytes, textBytes: c.text_bytes,
            first: any ? CivilDate(daysSinceEpoch: Int(c.first_days)) : nil,
            last: any ? CivilDate(daysSinceEpoch: Int(c.last_days)) : nil,
            categories: try swiftFacets(c.categories, count: c.n_categories, field: "categories"),
            languages: try swiftFacets(c.languages, count: c.n_languages, field: "languages"),
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
        (m.pointee.n_categories, m.pointee.categories) = try cFacets(categories, arena, field: "categories")
        (m.pointee.n_languages, m.pointee.languages) = try cFacets(languages, arena, field: "languages")
        m.pointee.applied_sequence = appliedSequence
        m.pointee.protobuf_c_version = try arena.cString(protobufCVersion, field: "protobuf_c_version")
    }
}

// MARK: ApplyBatch, AppliedPosition

extension BatchItem {
    init(c: borrowing Khaosan__V1__BatchItem) throws(WireError) {
        self.init(sequence: c.sequence, release: try swiftRelease(c.release, field: "release"))
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__BatchItem>, _ arena: Arena) throws(WireError) {
        m.pointee.sequence = sequence
        m.pointee.release = try cRelease(release, arena, field: "release")
    }
}

extension ApplyBatchRequest {
    init(c: borrowing Khaosan__V1__ApplyBatchRequest) throws(WireError) {
        self.init(
            source: try swiftString(c.source, field: "source"),
            items: try swiftMessages(c.items, count: c.n_items, field: "items") { (i) throws(WireError) in try BatchItem(c: i) }
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__ApplyBatchRequest>, _ arena: Arena) throws(WireError) {
        m.pointee.source = try arena.cString(source, field: "source")
        (m.pointee.n_items, m.pointee.items) = try cMessages(items, arena: arena, field: "items") { (im, i) throws(WireError) in try i.fill(im, arena) }
    }

    var sizeHint: Int { items.reduce(0) { $0 + approximateSize($1.release) } }
}

extension ApplyBatchResponse {
    init(c: borrowing Khaosan__V1__ApplyBatchResponse) throws(WireError) {
        self.init(appliedSequence: c.applied_sequence, inserted: c.inserted, updated: c.updated, duplicates: c.duplicates)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__ApplyBatchResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.applied_sequence = appliedSequence
        m.pointee.inserted = inserted
        m.pointee.updated = updated
        m.pointee.duplicates = duplicates
    }
}

extension AppliedPositionRequest {
    init(c: borrowing Khaosan__V1__AppliedPositionRequest) throws(WireError) {
        self.init(source: try swiftString(c.source, field: "source"))
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__AppliedPositionRequest>, _ arena: Arena) throws(WireError) {
        m.pointee.source = try arena.cString(source, field: "source")
    }
}

extension AppliedPositionResponse {
    init(c: borrowing Khaosan__V1__AppliedPositionResponse) throws(WireError) { self.init(appliedSequence: c.applied_sequence) }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__AppliedPositionResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.applied_sequence = appliedSequence
    }
}

// MARK: Integrity, Backup

extension IntegrityCheckRequest {
    init(c: borrowing Khaosan__V1__IntegrityCheckRequest) throws(WireError) { self.init() }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IntegrityCheckRequest>, _ arena: Arena) throws(WireError) {}
}

extension IntegrityCheckResponse {
    init(c: borrowing Khaosan__V1__IntegrityCheckResponse) throws(WireError) {
        self.init(ok: c.ok != 0, detail: try swiftString(c.detail, field: "detail"))
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IntegrityCheckResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.ok = cBool(ok)
        m.pointee.detail = try arena.cString(detail, field: "detail")
    }
}

extension BackupRequest {
    init(c: borrowing Khaosan__V1__BackupRequest) throws(WireError) {
        self.init(path: try swiftString(c.path, field: "path"))
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__BackupRequest>, _ arena: Arena) throws(WireError) {
        m.pointee.path = try arena.cString(path, field: "path")
    }
}

extension BackupResponse {
    init(c: borrowing Khaosan__V1__BackupResponse) throws(WireError) { self.init(bytes: c.bytes, releases: c.releases) }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__BackupResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.bytes = bytes
        m.pointee.releases = releases
    }
}
