import ArgumentParser
import Foundation
import KhaosanModel
package import KhaosanThai

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Check releases locally, without the services.",
        discussion: """
            Parses files, and folders recursively (hidden entries skipped), exactly as the \
            ingester would: .json files as structured releases, anything else as thaigov text \
            whose file name may carry the category. - reads one release from standard input.

            With --json, one line per file: file, id, source_url, title, published, category, \
            language, paragraphs; or file and error ({code, message}) for a rejected file.

            Exit status: 0 all parsed, 1 any rejected, 2 usage error (e.g. a missing path).
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to parse, or - for standard input.", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Category for files whose name does not carry one.", valueName: "name"))
    var category: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder (or - for standard input)") }
    }

    func run() async throws {
        let files = try expandInputs(paths)
        let style = output.style
        var parsed = 0
        var titleOnly = 0
        var rejected: [(String, ReleaseError)] = []
        for f in files {
            let result: Result<Release, ReleaseError>
            do {
                switch try readInput(f.path, limit: ReleaseParser.defaultMaxBytes) as InputBytes {
                case .bytes(let bytes):
                    let raw = rawRelease(path: f.path, baseName: f.baseName, bytes: bytes)
                    result = Result { () throws(ReleaseError) -> Release in try ReleaseParser.parse(raw, categoryOverride: category) }
                case .tooLarge(let size):
                    result = .failure(ReleaseError(code: .tooLarge, message: tooLargeMessage(size: size, limit: ReleaseParser.defaultMaxBytes)))
                }
            } catch {
                result = .failure(ReleaseError(code: .init(rawValue: "unreadable"), message: "\(error)"))
            }
            switch result {
            case .success(let r):
                parsed += 1
                if r.isTitleOnly { titleOnly += 1 }
            case .failure(let e): rejected.append((f.path, e))
            }
            if output.json { StdOut.line(ReleaseParser.jsonLine(file: f.path, result: result)) }
        }
        if !output.json {
            printParseSummary(parsed: parsed, titleOnly: titleOnly, rejected: rejected, style: style, width: output.width)
        }
        if !rejected.isEmpty { throw ExitCode(1) }
    }
}

/// Paths and `-` expanded to files; `-` stays `-`.
func expandInputs(_ paths: [String]) throws(CLIError) -> [WalkedFile] {
    var out: [WalkedFile] = []
    var stdinUsed = false
    for p in paths {
        if p == "-" {
            if stdinUsed { throw .usage("- (standard input) can be given only once") }
            stdinUsed = true
            out.append(WalkedFile(path: "-", size: 0))
        } else {
            out += try walkPaths([p])
        }
    }
    return out
}

private func printParseSummary(parsed: Int, titleOnly: Int, rejected: [(String, ReleaseError)], style: Style, width: Int) {
    let total = parsed + rejected.count
    if total == 0 {
        StdOut.line("No files found.")
        return
    }
    var head = "\(groupedDigits(UInt64(parsed))) of \(groupedDigits(UInt64(total))) file\(total == 1 ? "" : "s") parsed"
    // Title-only releases are kept like the others, but counted apart: a jump in their number
    // more likely means a parser fault than a change at thaigov.
    if titleOnly > 0 { head += " (\(groupedDigits(UInt64(titleOnly))) title-only)" }
    if rejected.isEmpty {
        StdOut.line(style.green(head) + ".")
        return
    }
    StdOut.line(head + ", " + style.red("\(groupedDigits(UInt64(rejected.count))) rejected") + ".")
    printRejections(rejected, style: style, width: width, limit: Int.max, to: StdOut.line)
}

/// Rejections counted by reason, then the files (the first `limit`) with their errors.
func printRejections(_ rejected: [(String, ReleaseError)], style: Style, width: Int, limit: Int, to out: (String) -> Void) {
    var byCode: [String: Int] = [:]
    for (_, e) in rejected { byCode[e.code.rawValue, default: 0] += 1 }
    out("")
    out(style.bold("Rejected by reason"))
    let cw = byCode.values.map { String($0).count }.max() ?? 1
    for (code, n) in byCode.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
        out("  " + String(n).leftPadded(toWidth: cw) + "  " + code)
    }
    out("")
    out(style.bold(limit < rejected.count ? "First \(limit) rejected files" : "Rejected files"))
    for (path, e) in rejected.prefix(limit) {
        out("  " + path)
        let lines = wrap(e.code.rawValue + ": " + e.message, width: max(20, width - 4))
        for (i, l) in lines.enumerated() {
            if i == 0, l.hasPrefix(e.code.rawValue) {
                out("    " + style.red(e.code.rawValue) + String(l.dropFirst(e.code.rawValue.count)))
            } else {
                out("    " + l)
            }
        }
    }
    if rejected.count > limit { out("  … and \(rejected.count - limit) more") }
}

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show how Khaosan cuts a text into words and index terms.",
        discussion: """
            For checking why a search did or did not find something. Words are the dictionary \
            segmentation (what =term and whole-word ranking go by). Index terms are what the \
            search index stores: the text normalised as search sees it (Latin lower-cased, Thai \
            digits as 0-9, runs of spaces as one) cut into overlapping pairs of characters, any \
            script, spaces and punctuation included, the last character paired with the end of \
            the text (shown as ⏎). A phrase is found where its pairs follow one another. Offsets \
            are UTF-8 byte ranges [start, end) into the input.

            With --json, one object: {"words":[{"text","start","end","kind"}],"tokens":[...]}; \
            word kinds are thai_word, thai_unknown, honorific, latin_word, number; terms are \
            bigram and end.
            """
    )

    @Argument(help: ArgumentHelp("The text, or - (or nothing) to read standard input.", valueName: "text"))
    var text: String?

    @OptionGroup var output: OutputOptions

    /// One index term of a text: two characters of its search stream (or the last one and the
    /// end, shown as ⏎), with the input bytes they came from.
    struct Term {
        var text: String
        var utf8Range: Range<Int>
        var isEnd: Bool
    }

    static func indexTerms(_ text: String) -> [Term] {
        let stream = SearchText.stream(text)
        var out: [Term] = []
        func char(_ c: UInt32) -> String { String(Unicode.Scalar(c).map(Character.init) ?? "?") }
        for (i, (c, r)) in stream.enumerated() {
            if i + 1 < stream.count {
                let (d, r2) = stream[i + 1]
                out.append(Term(text: char(c) + char(d), utf8Range: min(r.lowerBound, r2.lowerBound)..<max(r.upperBound, r2.upperBound), isEnd: false))
            } else {
                out.append(Term(text: char(c) + "⏎", utf8Range: r, isEnd: true))
            }
        }
        return out
    }

    func run() async throws {
        var input: String
        if let text, text != "-" {
            input = text
        } else {
            let bytes = try readInput("-")
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw CLIError("standard input is not valid UTF-8")
            }
            input = s
            // A trailing newline from `echo` is not part of the text the user means.
            while input.hasSuffix("\n") || input.hasSuffix("\r\n") { input.removeLast() }
        }
        let analyzer = ThaiAnalyzer.shared
        let words = analyzer.words(input)
        let tokens = Self.indexTerms(input)
        if output.json {
            func obj(_ t: ThaiToken) -> JSONValue {
                .object([
                    ("text", .string(t.text)),
                    ("start", .int(Int64(t.utf8Range.lowerBound))),
                    ("end", .int(Int64(t.utf8Range.upperBound))),
                    ("kind", .string(tokenKindName(t.kind))),
                ])
            }
            func term(_ t: Term) -> JSONValue {
                .object([
                    ("text", .string(t.text)),
                    ("start", .int(Int64(t.utf8Range.lowerBound))),
                    ("end", .int(Int64(t.utf8Range.upperBound))),
                    ("kind", .string(t.isEnd ? "end" : "bigram")),
                ])
            }
            StdOut.line(JSONValue.object([("words", .array(words.map(obj))), ("tokens", .array(tokens.map(term)))]).encoded())
            return
        }
        let style = output.style
        func table(_ title: String, _ rows: [(text: String, range: Range<Int>, kind: String?)]) {
            StdOut.line(style.bold("\(title) (\(rows.count))"))
            let shown = rows.map { tokenDisplayText($0.text) }
            let tw = min(30, shown.map { displayWidth($0) }.max() ?? 0)
            let rw = rows.map { "\($0.range.lowerBound)-\($0.range.upperBound)".count }.max() ?? 0
            for (t, s) in zip(rows, shown) {
                let range = "\(t.range.lowerBound)-\(t.range.upperBound)"
                StdOut.line("  " + range.leftPadded(toWidth: rw) + "  " + (t.kind.map { s.padded(toWidth: tw) + "  " + style.dim($0) } ?? s))
            }
        }
        table("Words", words.map { ($0.text, $0.utf8Range, tokenKindName($0.kind)) })
        StdOut.line("")
        table("Index terms", tokens.map { ($0.text, $0.utf8Range, nil) })
    }
}

/// `thaiWord` -> `thai_word`: the kind's case name in snake case, so new kinds get names too.
package func tokenKindName(_ kind: ThaiToken.Kind) -> String {
    var out = ""
    for c in String(describing: kind) {
        if c.isUppercase {
            out += "_" + c.lowercased()
        } else {
            out.append(c)
        }
    }
    return out
}

/// A token as shown in a table: a dotted circle before a token that starts with a combining mark
/// (a pair cut after a consonant), which would otherwise sit on the space before it.
package func tokenDisplayText(_ text: String) -> String {
    var t = text
    if let first = t.unicodeScalars.first, displayWidth(first) == 0 { t = "\u{25CC}" + t }
    return t
}
