// libFuzzer entry point for the query language (issue 13): any UTF-8 text is either refused
// with a QuerySyntaxError or compiled into a tree that respects the limits: no crash, no stack
// overflow (nesting is bounded), no leaf out of range, no empty leaf, at most
// QueryParser.maxTerms leaves, every typed term's range inside the text. Built with
// QueryParser.swift and StoreTypes.swift over partial KhaosanModel, KhaosanThai (the search
// stream) and KhaosanIndex (the query types) modules by Fuzz/run-query-fuzz.sh.
import KhaosanIndex

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    let compiled: CompiledQuery
    do {
        compiled = try QueryParser.compile(text, wholeWords: size % 2 == 0)
    } catch {
        precondition(!error.message.isEmpty, "a syntax error says what is wrong")
        return 0
    }
    precondition(text.utf8.count <= QueryParser.maxBytes, "over-long query accepted")
    let q = compiled.index
    precondition(!q.leaves.isEmpty && q.leaves.count <= QueryParser.maxTerms)
    precondition(q.leaves.allSatisfy { !$0.isEmpty }, "empty leaf")
    precondition(q.wholeWords.isEmpty || q.wholeWords.count == q.leaves.count)
    let length = text.count
    for t in compiled.terms {
        precondition(t.leaf < q.leaves.count && t.range.lowerBound >= 0 && t.range.upperBound <= length)
    }
    func check(_ n: QueryNode, _ depth: Int) {
        precondition(depth <= 4 * QueryParser.maxDepth + 8, "tree deeper than the parser allows")
        switch n {
        case .phrase(let i): precondition(i >= 0 && i < q.leaves.count)
        case .and(let items):
            precondition(!items.isEmpty)
            precondition(items.contains { if case .not = $0 { false } else { true } }, "AND without a positive member")
            for i in items { check(i, depth + 1) }
        case .or(let items):
            precondition(items.count >= 2)
            for i in items { check(i, depth + 1) }
        case .not(let inner): check(inner, depth + 1)
        }
    }
    if case .not = q.root { preconditionFailure("a lone NOT at the root") }
    check(q.root, 0)
    return 0
}
