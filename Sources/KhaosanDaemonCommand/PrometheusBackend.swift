import KhaosanRPC
import Metrics
import Prometheus

/// swift-metrics' backend for a daemon process, which only an executable bootstraps (by calling
/// this from its command; the libraries just record): Prometheus, its text served by
/// `Observability/Metrics` and the textfile.
package enum PrometheusBackend {
    /// Bootstraps the process's metrics system; returns what renders its text.
    package static func bootstrap() -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = CallMetrics.durationBuckets
        MetricsSystem.bootstrap(factory)
        return { registry.emitToString() }
    }
}
