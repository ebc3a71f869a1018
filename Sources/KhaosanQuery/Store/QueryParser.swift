import Foundation
import KhaosanIndex
import KhaosanModel
import KhaosanThai

/// The user's query compiled for the search index: a tree whose leaves are phrases as search
/// streams (`SearchText`), and the positive phrases for snippets and highlights.
struct CompiledQuery: Sendable {
    var index: IndexQuery
    /// Streams of the phrases that must be present (not under NOT), for snippets.
    var positivePhrases: [[UInt32]]
    /// Where each positive term was typed (character range of the query text, quoted or not),
    /// with its leaf: what "did you mean" replaces.
    var terms: [(leaf: Int, range: Range<Int>, quoted: Bool)] = []
    /// `person:"..."`, `org:"..."`, `place:"..."`: each narrows through the index (its phrase is
    /// a leaf ANDed in) and is then checked against the stored typed names (`EntitySearch`).
    var entityFilters: [EntityFilter] = []
}

/// Parses the query language: bare words and "quoted phrases", implicit AND, AND / OR / NOT
/// (uppercase), a leading `-` for NOT, parentheses, and the name filters `person:"..."`,
/// `org:"..."`, `place:"..."` (or `person:word`), which combine with the rest by AND only.
///
///     query   := or
///     or      := and ("OR" and)*
///     and     := unary (["AND"] unary)*
///     unary   := ("NOT" | "-") unary | primary
///     primary := "(" or ")" | phrase | word
///
/// A phrase matches where its normalised characters occur in the title or the body (inside words
/// too). A bare word loses the punctuation at its edges (`vaccine,` is `vaccine`, `(ไฟ)` is `ไฟ`)
/// and keeps what is inside (`10,000`, `โควิด-19`); inside quotes everything is literal.
///
/// Limits, so that no query can cost unbounded time or stack: at most `maxBytes` of UTF-8, at
/// most `maxDepth` levels of parentheses and NOT, at most `maxTerms` distinct phrases. Over any
/// of them the query is refused (INVALID_ARGUMENT) with a message naming the limit.
struct QueryParser {
    static let maxBytes = 4_096
    static let maxDepth = 64
    static let maxTerms = 64

    private enum Lexeme: Equatable {
        case word(String, Range<Int>, whole: Bool), phrase(String, Range<Int>, whole: Bool), open, close, and, or, not, minus
        case entity(Entity.Kind, String)
    }

    private indirect enum Node {
        case term(String, quoted: Bool, range: Range<Int>, whole: Bool)
        case and([Node]), or([Node]), not(Node)
        case entity(Entity.Kind, String, at: Int)
    }

    private var lexemes: [(Lexeme, Int)] = []
    private var pos = 0
    private let length: Int
    private var depth = 0

    /// `wholeWords`: every term as if written `=term`.
    /// `places`: resolves `place:"..."` (the store passes the gazetteer's; see `EntityFilter`).
    static func compile(_ text: String, wholeWords: Bool = false,
                        places: (@Sendable (String) -> (name: String, spellings: [String])?)? = nil) throws(QuerySyntaxError) -> CompiledQuery {
        let bytes = text.utf8.count
        if bytes > maxBytes {
            throw QuerySyntaxError(message: "query is \(bytes) bytes long; the limit is \(maxBytes)", position: 0)
        }
        var p = QueryParser(text: text)
        try p.lex(text)
        if p.lexemes.isEmpty { throw QuerySyntaxError(message: "empty query", position: 0) }
        let node = try p.parseOr()
        if p.pos < p.lexemes.count {
            let (lx, at) = p.lexemes[p.pos]
            throw QuerySyntaxError(message: lx == .close ? "unbalanced ')'" : "unexpected input", position: at)
        }
        var b = TreeBuilder(allWhole: wholeWords, places: places)
        guard let root = try b.emit(node, negated: false) else {
            throw QuerySyntaxError(message: "query has no searchable words", position: 0)
        }
        if b.leaves.count > maxTerms {
            throw QuerySyntaxError(message: "query has \(b.leaves.count) different terms; the limit is \(maxTerms)", position: 0)
        }
        return CompiledQuery(index: IndexQuery(root: root, leaves: b.leaves, wholeWords: b.whole), positivePhrases: b.positives,
                             terms: b.terms, entityFilters: b.entityFilters)
    }

    /// The stream a term searches for: a quoted phrase as typed, a bare word without the
    /// punctuation at its edges.
    static func stream(_ text: String, quoted: Bool) -> [UInt32] {
        if quoted { return SearchText.scalars(text) }
        let chars = Array(text)
        var lo = 0, hi = chars.count
        func keep(_ c: Character) -> Bool { c.isLetter || c.isNumber || c.unicodeScalars.contains { SearchText.isThai($0.value) } }
        while lo < hi && !keep(chars[lo]) { lo += 1 }
        while hi > lo && !keep(chars[hi - 1]) { hi -= 1 }
        return SearchText.scalars(String(chars[lo..<hi]))
    }

    /// Turns the parse tree into index nodes; equal phrases share one leaf.
    private struct TreeBuilder {
        let allWhole: Bool
        let places: (@Sendable (String) -> (name: String, spellings: [String])?)?
        var leaves: [[UInt32]] = []
        var whole: [Bool] = []
        var leafIndex: [[UInt32]: Int] = [:]
        var wholeIndex: [[UInt32]: Int] = [:]
        var positives: [[UInt32]] = []
        var terms: [(leaf: Int, range: Range<Int>, quoted: Bool)] = []
        var entityFilters: [EntityFilter] = []
        /// Inside an OR of two or more members: a name filter there cannot be checked per branch.
        var orDepth = 0

        mutating func leaf(_ s: [UInt32]) -> Int {
            if let i = leafIndex[s] { return i }
            leafIndex[s] = leaves.count
            leaves.append(s)
            whole.append(false)
            return leaves.count - 1
        }

        mutating func emit(_ node: Node, negated: Bool) throws(QuerySyntaxError) -> QueryNode? {
            switch node {
            case .term(let text, let quoted, let range, let wholeTerm):
                let s = QueryParser.stream(text, quoted: quoted)
                guard !s.isEmpty else { return nil }
                if !negated && !positives.contains(s) { positives.append(s) }
                let isWhole = wholeTerm || allWhole
                let leaf: Int
                if let i = isWhole ? wholeIndex[s] : leafIndex[s] { leaf = i } else {
                    leaf = leaves.count
                    if isWhole { wholeIndex[s] = leaf } else { leafIndex[s] = leaf }
                    leaves.append(s)
                    whole.append(isWhole)
                }
                if !negated { terms.append((leaf, range, quoted)) }
                return .phrase(leaf)
            case .entity(let kind, let text, let at):
                if negated || orDepth > 0 {
                    throw QuerySyntaxError(message: "\(kind.filterPrefix): filters combine with the rest of the query by AND only (not under NOT or OR)", position: at)
                }
                let filter = try EntityFilter(kind: kind, typed: text, position: at, places: places)
                var phrases: [QueryNode] = []
                for p in filter.phrases {
                    let s = SearchText.scalars(p)
                    guard !s.isEmpty else { continue }
                    if !positives.contains(s) { positives.append(s) }
                    phrases.append(.phrase(leaf(s)))
                }
                guard !phrases.isEmpty else {
                    throw QuerySyntaxError(message: "\(kind.filterPrefix): needs a name", position: at)
                }
                entityFilters.append(filter)
                return phrases.count == 1 ? phrases[0] : .or(phrases)
            case .or(let items):
                if items.count > 1 { orDepth += 1 }
                defer { if items.count > 1 { orDepth -= 1 } }
                var parts: [QueryNode] = []
                for item in items {
                    if let s = try group([item], negated: negated) { parts.append(s) }
                }
                if parts.isEmpty { return nil }
                return parts.count == 1 ? parts[0] : .or(parts)
            case .and(let items):
                return try group(items, negated: negated)
            case .not:
                return try group([node], negated: negated)
            }
        }

        /// Every AND group needs a positive member to subtract its NOT members from.
        mutating func group(_ items: [Node], negated: Bool) throws(QuerySyntaxError) -> QueryNode? {
            var pos: [QueryNode] = []
            var neg: [QueryNode] = []
            for item in items {
                if case .not(let inner) = item {
                    if let s = try emit(inner, negated: !negated) { neg.append(.not(s)) }
                } else if let s = try emit(item, negated: negated) {
                    pos.append(s)
                }
            }
            if pos.isEmpty {
                if neg.isEmpty { return nil }
                throw QuerySyntaxError(message: "NOT needs a positive term to subtract from", position: 0)
            }
            if pos.count == 1 && neg.isEmpty { return pos[0] }
            return .and(pos + neg)
        }
    }

    private init(text: String) {
        self.length = text.count
    }

    private mutating func lex(_ text: String) throws(QuerySyntaxError) {
        let chars = Array(text)
        var i = 0
        func isSpace(_ c: Character) -> Bool { c.isWhitespace }
        while i < chars.count {
            var c = chars[i]
            if isSpace(c) { i += 1; continue }
            if c == "(" { lexemes.append((.open, i)); i += 1; continue }
            if c == ")" { lexemes.append((.close, i)); i += 1; continue }
            // `=term` / `="phrase"`: whole words only.
            var whole = false
            if c == "=", i + 1 < chars.count, !isSpace(chars[i + 1]), chars[i + 1] != "(", chars[i + 1] != ")" {
                whole = true
                i += 1
                c = chars[i]
            }
            if c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != "\"" { j += 1 }
                if j == chars.count { throw QuerySyntaxError(message: "unbalanced '\"'", position: i) }
                lexemes.append((.phrase(String(chars[(i + 1)..<j]), (whole ? i - 1 : i)..<(j + 1), whole: whole), i))
                i = j + 1
                continue
            }
            if !whole, let kind = Self.entityPrefix(chars, i) {
                let start = i
                i += kind.filterPrefix.count + 1
                var name: String
                if i < chars.count, chars[i] == "\"" {
                    var j = i + 1
                    while j < chars.count, chars[j] != "\"" { j += 1 }
                    if j == chars.count { throw QuerySyntaxError(message: "unbalanced '\"'", position: i) }
                    name = String(chars[(i + 1)..<j])
                    i = j + 1
                } else {
                    var j = i
                    while j < chars.count, !isSpace(chars[j]), chars[j] != "(", chars[j] != ")", chars[j] != "\"" { j += 1 }
                    name = String(chars[i..<j])
                    i = j
                }
                name = name.trimmingCharacters(in: .whitespaces)
                if name.isEmpty { throw QuerySyntaxError(message: "\(kind.filterPrefix): needs a name", position: start) }
                lexemes.append((.entity(kind, name), start))
                continue
            }
            if !whole, c == "-", i + 1 < chars.count, !isSpace(chars[i + 1]), chars[i + 1] != ")" {
                lexemes.append((.minus, i)); i += 1; continue
            }
            var j = i
            while j < chars.count, !isSpace(chars[j]), chars[j] != "(", chars[j] != ")", chars[j] != "\"" { j += 1 }
            let w = String(chars[i..<j])
            switch (w, whole) {
            case ("AND", false): lexemes.append((.and, i))
            case ("OR", false): lexemes.append((.or, i))
            case ("NOT", false): lexemes.append((.not, i))
            default: lexemes.append((.word(w, (whole ? i - 1 : i)..<j, whole: whole), i))
            }
            i = j
        }
    }

    /// `person:`, `org:` or `place:` at `i`, followed by something.
    private static func entityPrefix(_ chars: [Character], _ i: Int) -> Entity.Kind? {
        if i > 0 && !chars[i - 1].isWhitespace && chars[i - 1] != "(" && chars[i - 1] != "-" { return nil }
        for kind in Entity.Kind.allCases {
            let p = Array(kind.filterPrefix + ":")
            if i + p.count < chars.count, Array(chars[i..<(i + p.count)]) == p, !chars[i + p.count].isWhitespace { return kind }
        }
        return nil
    }

    /// One level deeper into parentheses or NOT; the parser recurses per level, so this bounds
    /// its stack.
    private mutating func enter(_ at: Int) throws(QuerySyntaxError) {
        depth += 1
        if depth > Self.maxDepth {
            throw QuerySyntaxError(message: "query nests deeper than \(Self.maxDepth) levels", position: at)
        }
    }

    private var atEnd: Bool { pos >= lexemes.count }
    private var here: Int { atEnd ? length : lexemes[pos].1 }

    private mutating func parseOr() throws(QuerySyntaxError) -> Node {
        var items = [try parseAnd()]
        while !atEnd, lexemes[pos].0 == .or {
            pos += 1
            if atEnd || lexemes[pos].0 == .close || lexemes[pos].0 == .or {
                throw QuerySyntaxError(message: "OR needs a term after it", position: here)
            }
            items.append(try parseAnd())
        }
        return items.count == 1 ? items[0] : .or(items)
    }

    private mutating func parseAnd() throws(QuerySyntaxError) -> Node {
        var items = [try parseUnary()]
        while !atEnd {
            switch lexemes[pos].0 {
            case .or, .close: return items.count == 1 ? items[0] : .and(items)
            case .and:
                pos += 1
                if atEnd || [.or, .close, .and].contains(lexemes[pos].0) {
                    throw QuerySyntaxError(message: "AND needs a term after it", position: here)
                }
                items.append(try parseUnary())
            default: items.append(try parseUnary())
            }
        }
        return items.count == 1 ? items[0] : .and(items)
    }

    private mutating func parseUnary() throws(QuerySyntaxError) -> Node {
        guard !atEnd else { throw QuerySyntaxError(message: "missing term", position: here) }
        let (lx, at) = lexemes[pos]
        switch lx {
        case .not, .minus:
            try enter(at)
            defer { depth -= 1 }
            pos += 1
            if atEnd || [.or, .close, .and].contains(lexemes[pos].0) {
                throw QuerySyntaxError(message: "NOT needs a term after it", position: at)
            }
            return .not(try parseUnary())
        case .open:
            try enter(at)
            defer { depth -= 1 }
            pos += 1
            if !atEnd, lexemes[pos].0 == .close { throw QuerySyntaxError(message: "empty parentheses", position: at) }
            let inner = try parseOr()
            guard !atEnd, lexemes[pos].0 == .close else { throw QuerySyntaxError(message: "unbalanced '('", position: at) }
            pos += 1
            return inner
        case .word(let w, let r, let whole):
            pos += 1
            return .term(w, quoted: false, range: r, whole: whole)
        case .phrase(let w, let r, let whole):
            pos += 1
            return .term(w, quoted: true, range: r, whole: whole)
        case .entity(let kind, let name):
            pos += 1
            return .entity(kind, name, at: at)
        case .close: throw QuerySyntaxError(message: "unbalanced ')'", position: at)
        case .and, .or: throw QuerySyntaxError(message: "operator without a term before it", position: at)
        }
    }

}
