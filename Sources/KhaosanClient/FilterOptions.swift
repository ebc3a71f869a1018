import ArgumentParser
import KhaosanModel

/// The search filters a saved search or a watch keeps (as `khaosan search` takes them).
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only releases published on or after this day.", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Only releases published on or before this day.", valueName: "date"))
    var to: String?

    @Option(name: .customLong("category"), help: ArgumentHelp(
        "Only this category: Thai name or English slug (repeatable).", valueName: "name-or-slug"))
    var categories: [String] = []

    @Option(help: "Only releases in this language.")
    var lang: LanguageChoice?

    @Flag(help: "Match whole words only, for every term.")
    var wholeWords = false

    func dates() throws(CLIError) -> (CivilDate?, CivilDate?) {
        let fromDate = try from.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--from") }
        let toDate = try to.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--to") }
        if let fromDate, let toDate, fromDate > toDate { throw .usage("--from \(fromDate) is after --to \(toDate)") }
        return (fromDate, toDate)
    }

    var trimmedCategories: [String] { categories.map(CategoryCatalog.trimmedName).filter { !$0.isEmpty } }
}
