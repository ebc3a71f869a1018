// libFuzzer target for the release parser. Built by ../run-parser-fuzz.sh together with the
// KhaosanModel sources as one module, so `package` API is visible without an import.
//
// Every input goes through both parsers (thaigov text and structured JSON) and, when it is valid
// UTF-8, through the normaliser and the date parser. Any crash, sanitizer report or broken
// property (the normaliser must be idempotent; a parsed release must be normalised) is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let r = try? ReleaseParser.parseThaigov(fileName: "ด้านสังคม _1_0f9bcf1c-1812-48b6-80a7-9701005ea59d.txt", bytes: bytes) {
        // A release has a title; a title-only one (a page with only a photo or video) has no body.
        precondition(!r.title.isEmpty)
        precondition(TextNormalizer.normalizeLine(r.title) == r.title)
        for p in r.paragraphs { precondition(TextNormalizer.normalizeLine(p) == p) }
        _ = ReleaseParser.jsonLine(file: "f", result: .success(r))
    }
    do {
        _ = try ReleaseParser.parseStructured(fileName: "f.json", bytes: bytes)
    } catch {
        _ = ReleaseParser.jsonLine(file: "f.json", result: .failure(error))
    }

    if size <= 4096, let s = String(validating: bytes, as: UTF8.self) {
        let once = TextNormalizer.normalizeLine(s)
        precondition(Array(TextNormalizer.normalizeLine(once).utf8) == Array(once.utf8), "normalizeLine not idempotent")
        let multi = TextNormalizer.normalize(s)
        precondition(Array(TextNormalizer.normalize(multi).utf8) == Array(multi.utf8), "normalize not idempotent")
        if let d = ThaiCalendar.parseThaiDate(s) {
            precondition(CivilDate.isValid(year: d.year, month: d.month, day: d.day))
            precondition(ThaiCalendar.parseThaiDate(ThaiCalendar.thaiShortForm(d)) == d)
        }
        _ = ReleaseParser.category(fromFileName: s)
        _ = CategoryCatalog.category(named: s)
    }
    return 0
}
