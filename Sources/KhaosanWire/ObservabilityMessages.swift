/// observability.proto: a daemon's metrics, asked for over its own socket.
package struct MetricsRequest: Sendable, Hashable {
    package init() {}
}

package struct MetricsResponse: Sendable, Hashable {
    /// Prometheus text exposition format (0.0.4).
    package var text: String
    package init(text: String) { self.text = text }
}
