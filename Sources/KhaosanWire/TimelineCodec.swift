// timeline.proto <-> TimelineMessages.swift (issue 16), kept apart from QueryCodec.swift so
// that generated conversions can replace it whole.
internal import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension Khaosan__V1__TimelineRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__timeline_request__init(m) } }
extension Khaosan__V1__TimelineSeries: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__timeline_series__init(m) } }
extension Khaosan__V1__TimelineResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__timeline_response__init(m) } }

/// A repeated scalar field (`T *` with its count).
func swiftScalars<T>(_ items: UnsafeMutablePointer<T>?, count: Int) -> [T] {
    guard count > 0, let items else { return [] }
    return Array(UnsafeBufferPointer(start: items, count: count))
}

func cScalars<T>(_ values: [T], _ arena: Arena) -> (Int, UnsafeMutablePointer<T>?) {
    guard let array = arena.array(T.self, count: values.count) else { return (0, nil) }
    for (i, v) in values.enumerated() { array[i] = v }
    return (values.count, array)
}

extension TimelineRequest {
    init(c: borrowing Khaosan__V1__TimelineRequest) throws(WireError) {
        let period: Period?
        switch c.period {
        case KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_NONE: period = nil
        case KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_DAY: period = .day
        case KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_WEEK: period = .week
        case KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_MONTH: period = .month
        case KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_YEAR: period = .year
        default: throw unknownEnum(c.period.rawValue, field: "period")
        }
        self.init(
            queries: try swiftStrings(c.queries, count: c.n_queries, field: "queries"),
            period: period,
            from: c.has_from != 0 ? CivilDate(daysSinceEpoch: Int(c.from_days)) : nil,
            to: c.has_to != 0 ? CivilDate(daysSinceEpoch: Int(c.to_days)) : nil,
            categories: try swiftStrings(c.categories, count: c.n_categories, field: "categories"),
            language: try swiftLanguage(c.language, field: "language"),
            wholeWords: c.whole_words != 0, totals: c.totals != 0)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__TimelineRequest>, _ arena: Arena) throws(WireError) {
        (m.pointee.n_queries, m.pointee.queries) = try cStrings(queries, arena: arena, field: "queries")
        switch period {
        case nil: m.pointee.period = KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_NONE
        case .day: m.pointee.period = KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_DAY
        case .week: m.pointee.period = KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_WEEK
        case .month: m.pointee.period = KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_MONTH
        case .year: m.pointee.period = KHAOSAN__V1__TIMELINE_PERIOD__TIMELINE_PERIOD_YEAR
        }
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
        m.pointee.whole_words = cBool(wholeWords)
        m.pointee.totals = cBool(totals)
    }
}

extension TimelineSeries {
    init(c: borrowing Khaosan__V1__TimelineSeries) throws(WireError) {
        self.init(query: try swiftString(c.query, field: "query"), total: c.total,
                  counts: swiftScalars(c.counts, count: c.n_counts),
                  error: try swiftString(c.error, field: "error"), errorPosition: c.error_position)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__TimelineSeries>, _ arena: Arena) throws(WireError) {
        m.pointee.query = try arena.cString(query, field: "query")
        m.pointee.total = total
        (m.pointee.n_counts, m.pointee.counts) = cScalars(counts, arena)
        m.pointee.error = try arena.cString(error, field: "error")
        m.pointee.error_position = errorPosition
    }
}

extension TimelineResponse {
    init(c: borrowing Khaosan__V1__TimelineResponse) throws(WireError) {
        self.init(
            periodStarts: swiftScalars(c.period_start_days, count: c.n_period_start_days).map { CivilDate(daysSinceEpoch: Int($0)) },
            series: try swiftMessages(c.series, count: c.n_series, field: "series") { (s) throws(WireError) in try TimelineSeries(c: s) },
            totals: swiftScalars(c.totals, count: c.n_totals),
            tookMicros: c.took_micros)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__TimelineResponse>, _ arena: Arena) throws(WireError) {
        var days: [Int32] = []
        days.reserveCapacity(periodStarts.count)
        for (i, d) in periodStarts.enumerated() { days.append(try int32Days(d, field: "period_start_days[\(i)]")) }
        (m.pointee.n_period_start_days, m.pointee.period_start_days) = cScalars(days, arena)
        (m.pointee.n_series, m.pointee.series) = try cMessages(series, arena: arena, field: "series") { (sm, s) throws(WireError) in try s.fill(sm, arena) }
        (m.pointee.n_totals, m.pointee.totals) = cScalars(totals, arena)
        m.pointee.took_micros = tookMicros
    }
}
