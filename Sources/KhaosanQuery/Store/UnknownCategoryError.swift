package import KhaosanModel

/// A `--category` value that names no category of the archive: INVALID_ARGUMENT, with the
/// closest names and slugs the archive has (`CategoryMatcher.closest`).
package struct UnknownCategoryError: Error, Sendable, CustomStringConvertible {
    package var value: String
    package var suggestions: [Category]

    package var description: String {
        var s = "--category \"\(value)\": no such category in the archive"
        if !suggestions.isEmpty {
            s += "; did you mean " + suggestions.map { c in c.slug.map { "\($0) (\(c.name))" } ?? c.name }.joined(separator: ", ") + "?"
        }
        return s + " ('khaosan categories' lists them all)"
    }
}
