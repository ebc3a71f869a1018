package import KhaosanModel
package import KhaosanWire

/// A JSON value with keys in the order given, so every line of `--json` output has its keys in a
/// stable, documented order. Strings are written as raw UTF-8 (Thai stays readable).
package indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// One line of JSON (no newline).
    package func encoded() -> String {
        var o = ""
        append(to: &o)
        return o
    }

    private func append(to o: inout String) {
        switch self {
        case .null: o += "null"
        case .bool(let b): o += b ? "true" : "false"
        case .int(let i): o += String(i)
        case .uint(let u): o += String(u)
        case .double(let d):
            if d.isFinite {
                // Integral values keep a fraction so consumers see a float consistently.
                o += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) + ".0" : "\(d)"
            } else {
                o += "null"
            }
        case .string(let s): ReleaseParser.appendJSONString(s, to: &o)
        case .array(let items):
            o += "["
            for (i, v) in items.enumerated() {
                if i > 0 { o += "," }
                v.append(to: &o)
            }
            o += "]"
        case .object(let pairs):
            o += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { o += "," }
                ReleaseParser.appendJSONString(k, to: &o)
                o += ":"
                v.append(to: &o)
            }
            o += "}"
        }
    }
}

extension JSONValue {
    package static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}

/// The JSON shapes of the CLI. Keys are part of the interface: add, never rename.
package enum JSONShapes {
    /// A search or latest hit: `id`, `title`, `published` (YYYY-MM-DD), `published_thai`
    /// (`18 ต.ค. 2566`), `category` (Thai name), `category_slug` (null when unknown), `language`,
    /// `score`, `snippet`, `highlights` ([[start, end]] UTF-8 byte offsets into `snippet`),
    /// `source_url`. Search adds `rank` (1-based over all pages) first.
    package static func hit(_ h: SearchHit, rank: Int? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let rank { pairs.append(("rank", .int(Int64(rank)))) }
        pairs += [
            ("id", .int(h.id)),
            ("title", .string(h.title)),
            ("published", .string(h.published.description)),
            ("published_thai", .string(ThaiCalendar.thaiShortForm(h.published))),
            ("category", .string(h.category.name)),
            ("category_slug", .string(h.category.slug)),
            ("language", .string(h.language.rawValue)),
            ("score", .double(h.score)),
            ("snippet", .string(h.snippet)),
            ("highlights", .array(h.highlights.map { .array([.uint(UInt64($0.start)), .uint(UInt64($0.end))]) })),
            ("source_url", .string(h.sourceURL)),
        ]
        return .object(pairs)
    }

    /// A release, with the keys of `khaosan parse --json` first (`file`, `id`, `source_url`,
    /// `title`, `published`, `category`, `language`, `paragraphs`), then `category_slug`,
    /// `entities`, `content_hash`.
    package static func release(_ r: Release, file: String = "") -> [(String, JSONValue)] {
        [
            ("file", .string(file)),
            ("id", .int(r.id)),
            ("source_url", .string(r.sourceURL)),
            ("title", .string(r.title)),
            ("published", .string(r.published.description)),
            ("category", .string(r.category.name)),
            ("language", .string(r.language.rawValue)),
            ("paragraphs", .array(r.paragraphs.map { .string($0) })),
            ("category_slug", .string(r.category.slug)),
            ("entities", .array(r.entities.map { .string($0) })),
            ("content_hash", .string(r.contentHash)),
        ]
    }

    /// `khaosan get --json`: the release keys, then `version` (current) and `versions`
    /// ([{version, content_hash, stored_at}], oldest first; empty unless `--versions`).
    package static func get(_ r: Release, version: UInt32, versions: [ReleaseVersion]) -> JSONValue {
        .object(getPairs(r, version: version, versions: versions))
    }

    package static func getPairs(_ r: Release, version: UInt32, versions: [ReleaseVersion]) -> [(String, JSONValue)] {
        var pairs = release(r)
        pairs.append(("version", .uint(UInt64(version))))
        pairs.append(("versions", .array(versions.map { v in
            .object([
                ("version", .uint(UInt64(v.version))),
                ("content_hash", .string(v.contentHash)),
                ("stored_at", .string(isoTimestamp(unixMillis: v.storedAtUnixMs))),
            ])
        })))
        return pairs
    }

    /// `khaosan ingest --json`: `file`, `status` (accepted, duplicate, updated, rejected), `id`
    /// (null when unknown), and `error` ({code, message}) only when rejected.
    /// `notes` ([{code, message}], e.g. `title-only`, `category-kept`) only when there are some.
    package static func ingestItem(file: String, status: String, id: Int64?, error: ReleaseError?, notes: [(code: String, message: String)] = []) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("file", .string(file)),
            ("status", .string(status)),
            ("id", id.map { .int($0) } ?? .null),
        ]
        if let error {
            pairs.append(("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.message))])))
        }
        if !notes.isEmpty {
            pairs.append(("notes", .array(notes.map { .object([("code", .string($0.code)), ("message", .string($0.message))]) })))
        }
        return .object(pairs)
    }

    package static func facets(_ f: [FacetCount]) -> JSONValue {
        .array(f.map { .object([("key", .string($0.key)), ("label", .string($0.label)), ("count", .uint($0.count))]) })
    }
}

/// `2024-01-02T03:04:05.678Z` from milliseconds since the Unix epoch (UTC).
package func isoTimestamp(unixMillis ms: Int64) -> String {
    let (secs, milli) = ms.quotientAndRemainder(dividingBy: 1000)
    let totalSecs = milli < 0 ? secs - 1 : secs
    let m = milli < 0 ? milli + 1000 : milli
    let (days, sod) = totalSecs.quotientAndRemainder(dividingBy: 86_400)
    let d = sod < 0 ? days - 1 : days
    let s = sod < 0 ? sod + 86_400 : sod
    let date = CivilDate(daysSinceEpoch: Int(d))
    func p(_ v: Int64, _ w: Int) -> String {
        let t = String(v)
        return String(repeating: "0", count: max(0, w - t.count)) + t
    }
    return "\(date)T\(p(s / 3600, 2)):\(p(s % 3600 / 60, 2)):\(p(s % 60, 2)).\(p(m, 3))Z"
}
