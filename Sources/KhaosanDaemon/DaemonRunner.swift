package import Logging
package import ServiceLifecycle
import UnixSignals

/// What both daemon executables do around their service: log to stderr, run until SIGTERM or
/// SIGINT, then shut down gracefully. Only executables call this (a library never bootstraps
/// logging).
package enum DaemonRunner {
    /// Sends swift-log output to stderr at `level` (trace ... critical; default info).
    package static func bootstrapLogging(level: String?) {
        let parsed = level.flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }

    /// Runs the service until a signal stops it; with `metricsTextfile`, writes that file
    /// meanwhile, and a last time once the service has stopped.
    package static func run(_ service: some Service, logger: Logger, metricsTextfile: MetricsTextfile? = nil) async throws {
        HeapTrim.mapLargeAllocations()
        // Reverse order on shutdown: the daemon stops first, the textfile's last write after it.
        let textfile: [ServiceGroupConfiguration.ServiceConfiguration] = metricsTextfile.map {
            [.init(service: $0, successTerminationBehavior: .ignore)]
        } ?? []
        let group = ServiceGroup(configuration: .init(
            services: textfile + [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
