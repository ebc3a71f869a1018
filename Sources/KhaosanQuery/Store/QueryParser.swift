import KhaosanModel
import KhaosanThai

/// The user's query compiled for FTS5: a MATCH expression built only from quoted analyser tokens,
/// plus the positive phrases (as the user typed them) for snippets.
struct CompiledQuery: Sendable, Hashable {
    var match: String
    var positivePhrases: [String]
    /// Terms the index cannot tell apart from their neighbours: it has no tokens for spaces and
    /// punctuation, so `โควิด-19` and `โควิด 19` index alike. When the query is a plain conjunction,
    /// each candidate must contain these literally (normalised, Latin lower-cased), which keeps
    /// phrase precision at 1. Empty when no term needs it.
    var literalNeedles: [[UInt8]] = []
}

/// Parses the query language: bare words and "quoted phrases", implicit AND, AND / OR / NOT
/// (uppercase), a leading `-` for NOT, parentheses.
///
///     query   := or
///     or      := and ("OR" and)*
///     and     := unary (["AND"] unary)*
///     unary   := ("NOT" | "-") unary | primary
///     primary := "(" or ")" | phrase | word
struct QueryParser {
    private enum Lexeme: Equatable {
        case word(String), phrase(String), open, close, and, or, not, minus
    }

    private indirect enum Node {
        case term(String)            // text as typed, to be analysed
        case and([Node]), or([Node]), not(Node)
    }

    private let analyzer: ThaiAnalyzer
    private var lexemes: [(Lexeme, Int)] = []
    private var pos = 0
    private let length: Int

    static func compile(_ text: String, analyzer: ThaiAnalyzer = .shared) throws(QuerySyntaxError) -> CompiledQuery {
        var p = QueryParser(text: text, analyzer: analyzer)
        try p.lex(text)
        if p.lexemes.isEmpty { throw QuerySyntaxError(message: "empty query", position: 0) }
        let node = try p.parseOr()
        if p.pos < p.lexemes.count {
            let (lx, at) = p.lexemes[p.pos]
            throw QuerySyntaxError(message: lx == .close ? "unbalanced ')'" : "unexpected input", position: at)
        }
        var positives: [String] = []
        guard let match = try p.emit(node, negated: false, positives: &positives) else {
            throw QuerySyntaxError(message: "query has no searchable words", position: 0)
        }
        var compiled = CompiledQuery(match: match, positivePhrases: positives)
        if let terms = Self.conjunctionTerms(node) {
            compiled.literalNeedles = terms
                .filter { t in t.contains { !($0.isLetter || $0.isNumber) } }
                // A term with no searchable characters was dropped from the match; it asks for nothing.
                .filter { t in p.analyzer.queryTokens(t).tokens.contains { !$0.isEmpty } }
                .map { Array(TextNormalizer.normalizeLine($0).lowercased().utf8) }
                .filter { !$0.isEmpty }
        }
        return compiled
    }

    /// The terms of a query made only of ANDed terms, or nil when it has OR or NOT (there the
    /// token-level match stands; see literalNeedles).
    private static func conjunctionTerms(_ node: Node) -> [String]? {
        switch node {
        case .term(let t): return [t]
        case .and(let items):
            var out: [String] = []
            for item in items {
                guard let inner = conjunctionTerms(item) else { return nil }
                out += inner
            }
            return out
        case .or, .not: return nil
        }
    }

    private init(text: String, analyzer: ThaiAnalyzer) {
        self.analyzer = analyzer
        self.length = text.count
    }

    private mutating func lex(_ text: String) throws(QuerySyntaxError) {
        let chars = Array(text)
        var i = 0
        func isSpace(_ c: Character) -> Bool { c.isWhitespace }
        while i < chars.count {
            let c = chars[i]
            if isSpace(c) { i += 1; continue }
            if c == "(" { lexemes.append((.open, i)); i += 1; continue }
            if c == ")" { lexemes.append((.close, i)); i += 1; continue }
            if c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != "\"" { j += 1 }
                if j == chars.count { throw QuerySyntaxError(message: "unbalanced '\"'", position: i) }
                lexemes.append((.phrase(String(chars[(i + 1)..<j])), i))
                i = j + 1
                continue
            }
            if c == "-", i + 1 < chars.count, !isSpace(chars[i + 1]), chars[i + 1] != ")" {
                lexemes.append((.minus, i)); i += 1; continue
            }
            var j = i
            while j < chars.count, !isSpace(chars[j]), chars[j] != "(", chars[j] != ")", chars[j] != "\"" { j += 1 }
            let w = String(chars[i..<j])
            switch w {
            case "AND": lexemes.append((.and, i))
            case "OR": lexemes.append((.or, i))
            case "NOT": lexemes.append((.not, i))
            default: lexemes.append((.word(w), i))
            }
            i = j
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
            pos += 1
            if atEnd || [.or, .close, .and].contains(lexemes[pos].0) {
                throw QuerySyntaxError(message: "NOT needs a term after it", position: at)
            }
            return .not(try parseUnary())
        case .open:
            pos += 1
            if !atEnd, lexemes[pos].0 == .close { throw QuerySyntaxError(message: "empty parentheses", position: at) }
            let inner = try parseOr()
            guard !atEnd, lexemes[pos].0 == .close else { throw QuerySyntaxError(message: "unbalanced '('", position: at) }
            pos += 1
            return inner
        case .word(let w), .phrase(let w):
            pos += 1
            return .term(w)
        case .close: throw QuerySyntaxError(message: "unbalanced ')'", position: at)
        case .and, .or: throw QuerySyntaxError(message: "operator without a term before it", position: at)
        }
    }

    /// FTS5 has no unary NOT, so every AND group needs a positive member; terms that analyse to
    /// nothing are dropped (nil).
    private func emit(_ node: Node, negated: Bool, positives: inout [String]) throws(QuerySyntaxError) -> String? {
        switch node {
        case .term(let text):
            let q = analyzer.queryTokens(text)
            let tokens = q.tokens.filter { !$0.isEmpty }
            guard !tokens.isEmpty else { return nil }
            if !negated { positives.append(text) }
            let quoted = "\"" + tokens.map { $0.replacingOccurrences(of: "\"", with: "\"\"") }.joined(separator: " ") + "\""
            return q.lastIsPrefix ? quoted + " *" : quoted
        case .or(let items):
            var parts: [String] = []
            for item in items {
                if let s = try emitGroup([item], negated: negated, positives: &positives) { parts.append(s) }
            }
            if parts.isEmpty { return nil }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")"
        case .and(let items):
            return try emitGroup(items, negated: negated, positives: &positives)
        case .not:
            return try emitGroup([node], negated: negated, positives: &positives)
        }
    }

    private func emitGroup(_ items: [Node], negated: Bool, positives: inout [String]) throws(QuerySyntaxError) -> String? {
        var pos: [String] = []
        var neg: [String] = []
        for item in items {
            if case .not(let inner) = item {
                if let s = try emit(inner, negated: !negated, positives: &positives) { neg.append(s) }
            } else if let s = try emit(item, negated: negated, positives: &positives) {
                pos.append(s)
            }
        }
        if pos.isEmpty {
            if neg.isEmpty { return nil }
            throw QuerySyntaxError(message: "NOT needs a positive term to subtract from", position: 0)
        }
        var expr = pos.count == 1 ? pos[0] : "(" + pos.joined(separator: " AND ") + ")"
        for n in neg { expr = "(" + expr + " NOT " + n + ")" }
        return expr
    }
}

extension String {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        guard contains(a) else { return self }
        return split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
