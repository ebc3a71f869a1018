/// A URL parameter the page cannot take: answered 400, naming the parameter.
package struct WebInputError: Error, Sendable, Hashable, CustomStringConvertible {
    package var parameter: String
    package var message: String
    package init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }
    package var description: String { "\(parameter): \(message)" }
}
