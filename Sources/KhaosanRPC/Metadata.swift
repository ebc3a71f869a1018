/// Call metadata: an ordered list of key/value pairs, keys lower-cased ASCII, values UTF-8 text.
/// Carried in the call's header frame (request metadata) and in its trailers.
package struct Metadata: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    package private(set) var pairs: [(key: String, value: String)]

    package init() { pairs = [] }
    package init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { (key: $0.0.lowercased(), value: $0.1) }
    }

    package mutating func add(_ key: String, _ value: String) {
        pairs.append((key: key.lowercased(), value: value))
    }

    package subscript(_ key: String) -> String? {
        let k = key.lowercased()
        return pairs.first { $0.key == k }?.value
    }

    package var isEmpty: Bool { pairs.isEmpty }

    package func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { pairs.makeIterator() }

    package static func == (a: Metadata, b: Metadata) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    package func hash(into h: inout Hasher) {
        for p in pairs { h.combine(p.key); h.combine(p.value) }
    }
}

extension Metadata {
    /// The key a client sets so both services log the same id for one user action.
    package static let requestIDKey = "x-request-id"
    /// On a server's refusal that is about the caller, not the request (a cap on calls or
    /// connections, draining): names the limit. A client must not blame the request's content for
    /// such a RESOURCE_EXHAUSTED (the forwarder sets a record aside only for the other kind).
    package static let refusalKey = "x-khaosan-refusal"
}
