package import KhaosanRPC
package import KhaosanWire

/// What a daemon's `Observability/Metrics` answers. The text comes from whoever bootstrapped
/// swift-metrics (the daemon executable, with swift-prometheus); a library only records through
/// swift-metrics, and only refreshes its gauges (`refresh`) just before the text is rendered, so
/// sizes and lags are as of the scrape, not of the last write.
package struct MetricsExposition: Sendable {
    package var refresh: @Sendable () async -> Void
    package var render: @Sendable () -> String

    package init(refresh: @escaping @Sendable () async -> Void = {}, render: @escaping @Sendable () -> String) {
        self.refresh = refresh
        self.render = render
    }

    package func text() async -> String {
        await refresh()
        return render()
    }
}

extension RPCRouter {
    /// Registers `Observability/Metrics`. Without an exposition (a library run in tests, where
    /// nothing bootstrapped a backend) the method answers FAILED_PRECONDITION, saying so.
    package mutating func addObservability(_ exposition: MetricsExposition?) {
        unary(KhaosanMethods.metrics) { (_: MetricsRequest, _) in
            guard let exposition else {
                throw RPCError(code: .failedPrecondition, message: "this process has no metrics backend (swift-metrics is not bootstrapped)")
            }
            return MetricsResponse(text: await exposition.text())
        }
    }
}
