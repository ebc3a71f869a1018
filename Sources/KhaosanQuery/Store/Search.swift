import GRDB
import KhaosanModel

extension ReleaseStore {
    package func search(_ q: SearchQuery) throws -> SearchResults {
        let started = ContinuousClock.now
        let compiled = try QueryParser.compile(q.text)
        let limit = min(max(q.limit, 1), SearchQuery.maxLimit)
        let offset = max(q.offset, 0)

        var conditions: [String] = []
        var filterArgs: [(any DatabaseValueConvertible)?] = []
        if let from = q.from { conditions.append("r.published_days >= ?"); filterArgs.append(from.daysSinceEpoch) }
        if let to = q.to { conditions.append("r.published_days <= ?"); filterArgs.append(to.daysSinceEpoch) }
        if !q.categories.isEmpty {
            let marks = Array(repeating: "?", count: q.categories.count).joined(separator: ", ")
            conditions.append("(r.category_name IN (\(marks)) OR r.category_slug IN (\(marks)))")
            filterArgs += q.categories.map { $0 } + q.categories.map { $0 }
        }
        if let language = q.language { conditions.append("r.language = ?"); filterArgs.append(language.rawValue) }
        let filter = conditions.map { " AND " + $0 }.joined()
        let matchArgs = StatementArguments([compiled.match]) + StatementArguments(filterArgs)
        let needles = Snippet.needles(compiled.positivePhrases)

        let key = ResultCache.key(q)
        let cacheable = offset + limit <= ResultCache.depth
        let generation = resultCache.generation
        if cacheable, let c = resultCache.get(key) {
            let page = c.ranked.count > offset ? Array(c.ranked[offset..<min(offset + limit, c.ranked.count)]) : []
            let hits = try pool.read { db in try page.compactMap { try Self.hit(db, id: $0.0, score: $0.1, needles: needles) } }
            return SearchResults(hits: hits, total: c.total, categoryFacets: c.categoryFacets, monthFacets: c.monthFacets,
                                 tookMicros: Self.micros(started.duration(to: .now)))
        }

        return try pool.read { db in
            // One statement, stepped to the end: the page is cut out in Swift while the rest is
            // counted (and faceted) in the same pass, so FTS5 evaluates the query only once.
            let facetColumns = q.facets ? ", r.category_name, r.category_slug, r.published_days" : ""
            let sql: String
            switch q.sort {
            case .relevance:
                // ORDER BY rank lets FTS5 sort by bm25 itself without reading the texts.
                sql = conditions.isEmpty && !q.facets
                    ? "SELECT rowid, rank FROM fts WHERE fts MATCH ? ORDER BY rank"
                    : "SELECT fts.rowid, fts.rank\(facetColumns) FROM fts JOIN releases r ON r.id = fts.rowid WHERE fts MATCH ?\(filter) ORDER BY fts.rank"
            case .newest, .oldest:
                // No rank here, so FTS5 does no scoring: the match set is an IN list and the
                // date order comes from the releases_published index.
                let dir = q.sort == .newest ? "DESC" : "ASC"
                sql = """
                    SELECT r.id\(facetColumns) FROM releases r WHERE r.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)\(filter)
                    ORDER BY r.published_days \(dir), r.id \(dir)
                    """
            }
            let scored = q.sort == .relevance
            let facetBase = scored ? 2 : 1
            let window = cacheable ? 0..<ResultCache.depth : offset..<(offset + limit)
            var ranked: [(Int64, Double)] = []
            var total = 0
            var cats: [String: FacetCount] = [:]
            var days: [Int: Int] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: matchArgs)
            let literal = compiled.literalNeedles
            while let row = try rows.next() {
                if !literal.isEmpty, try !Self.containsLiterally(db, id: row[0], needles: literal) { continue }
                if window.contains(total) { ranked.append((row[0], scored ? -(row[1] as Double) : 0)) }
                total += 1
                if q.facets {
                    let name: String = row[facetBase]
                    let slug: String? = row[facetBase + 1]
                    let key = slug ?? name
                    if cats[key] == nil { cats[key] = FacetCount(key: key, label: name, count: 1) } else { cats[key]!.count += 1 }
                    days[row[facetBase + 2], default: 0] += 1
                }
            }
            var categoryFacets: [FacetCount] = []
            var monthFacets: [FacetCount] = []
            if q.facets {
                var months: [String: Int] = [:]
                for (d, n) in days { months[Self.monthKey(CivilDate(daysSinceEpoch: d)), default: 0] += n }
                categoryFacets = Self.sortFacets(Array(cats.values))
                monthFacets = months.keys.sorted().map { FacetCount(key: $0, label: Self.monthLabel($0), count: months[$0]!) }
            }

            if cacheable {
                resultCache.put(key, ResultCache.Entry(
                    ranked: ranked, total: total, categoryFacets: categoryFacets, monthFacets: monthFacets, generation: generation))
                ranked = ranked.count > offset ? Array(ranked[offset..<min(offset + limit, ranked.count)]) : []
            }
            let hits = try ranked.compactMap { try Self.hit(db, id: $0.0, score: $0.1, needles: needles) }
            return SearchResults(hits: hits, total: total, categoryFacets: categoryFacets, monthFacets: monthFacets,
                                 tookMicros: Self.micros(started.duration(to: .now)))
        }
    }

    /// Whether the release's title or body holds every needle byte for byte, ASCII letters
    /// compared case-insensitively (needles are lower-cased). Works on the UTF-8 bytes directly:
    /// String.lowercased() on every candidate made a common term take a second.
    static func containsLiterally(_ db: Database, id: Int64, needles: [[UInt8]]) throws -> Bool {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, body FROM release_texts_decoded WHERE id = ?"), arguments: [id]) else { return false }
        var title: String = row[0]
        var body: String = row[1]
        return needles.allSatisfy { needle in
            title.withUTF8 { Self.find(needle, in: $0) } || body.withUTF8 { Self.find(needle, in: $0) }
        }
    }

    @inline(__always)
    static func asciiLower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    static func find(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, hay.count >= needle.count else { return false }
        let last = hay.count - needle.count
        var i = 0
        while i <= last {
            if asciiLower(hay[i]) == first {
                var j = 1
                while j < needle.count, asciiLower(hay[i + j]) == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    static func micros(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
    }

    static func monthKey(_ d: CivilDate) -> String { String(d.description.prefix(7)) }

    static let thaiMonths = [
        "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
        "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
    ]

    /// `2023-10` -> `ตุลาคม 2566` (Buddhist-era year, as thaigov writes dates).
    static func monthLabel(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return key }
        return "\(thaiMonths[m - 1]) \(y + 543)"
    }
}
