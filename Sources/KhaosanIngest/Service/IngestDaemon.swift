import Foundation
import KhaosanModel
package import KhaosanDaemon
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
package import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// khaosan-ingestd: validates, journals (durably) and forwards releases to khaosan-queryd.
package final class IngestDaemon: Service, Sendable {
    package let configuration: IngestServiceConfiguration
    private let core: IngestCore
    private let server: RPCServer
    private let logger: Logger

    package init(configuration: IngestServiceConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        core = try IngestCore(configuration: configuration, logger: logger)
        var rpc = RPCServerConfiguration(socketPath: configuration.socketPath)
        rpc.maxMessageBytes = configuration.maxMessageBytes
        rpc.peerPolicy = PeerPolicy(
            defaultUIDs: configuration.ingestUIDs,
            perService: [
                KhaosanMethods.ingestService: configuration.ingestUIDs,
                KhaosanMethods.healthService: configuration.ingestUIDs.union(configuration.readerUIDs),
                KhaosanMethods.observabilityService: configuration.ingestUIDs.union(configuration.readerUIDs),
            ]
        )
        var router = RPCRouter()
        router.addHealth(core.health)
        router.addObservability(Self.exposition(configuration, core: core))
        core.registerHandlers(into: &router)
        server = RPCServer(configuration: rpc, router: router, logger: logger)
    }

    package func waitUntilListening() async throws { try await server.waitUntilListening() }

    /// The `Metrics` answer (nil without `configuration.renderMetrics`), also for a textfile.
    package var metricsExposition: MetricsExposition? { Self.exposition(configuration, core: core) }

    private static func exposition(_ configuration: IngestServiceConfiguration, core: IngestCore) -> MetricsExposition? {
        configuration.renderMetrics.map { render in MetricsExposition(refresh: { core.recordGauges() }, render: render) }
    }

    package func run() async throws {
        defer { core.close() }
        // A group shuts its services down in reverse order: the server drains first, then the
        // forwarder stops and its last checkpoint lands, all before the journal closes. The
        // server ending (drained, or its accept loop gone) ends the group the same way; a failing
        // server (it could not bind) cancels it, and `run` throws its error.
        let services = ServiceGroup(configuration: .init(
            services: [
                .init(service: core.forwarder, successTerminationBehavior: .ignore),
                .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            logger: logger))
        var failure: (any Error)?
        do { try await services.run() } catch { failure = error }
        await core.stop()
        if let failure { throw failure }
    }
}
