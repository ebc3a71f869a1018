import Hummingbird
import KhaosanRPC
import KhaosanUnixTransport
package import Logging
import ServiceLifecycle

/// khaosan-web as a swift-service-lifecycle Service, run by `DaemonRunner` like the two daemons:
/// the HTTP server (Hummingbird's Application, itself a ServiceGroup of its server) over one
/// client of khaosan-queryd's socket, which is closed once the server has drained.
package struct WebServer: Service {
    let configuration: WebConfiguration
    let logger: Logger
    let onListening: @Sendable (String, Int) async -> Void

    package init(configuration: WebConfiguration, logger: Logger, onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    package func run() async throws {
        var clientConfig = RPCClientConfiguration(socketPath: configuration.querySocket)
        clientConfig.defaultTimeout = configuration.callTimeout
        // A page waits for a person: fail within about a second when khaosan-queryd is away.
        clientConfig.maxAttempts = 2
        clientConfig.maxBackoff = .milliseconds(200)
        clientConfig.connectTimeout = .seconds(1)
        let client = RPCClient(configuration: clientConfig, logger: logger)
        let router = Router(context: BasicRequestContext.self)
        var hosts: Set<String> = ["127.0.0.1", "localhost", "[::1]", configuration.host.lowercased()]
        hosts.formUnion(configuration.allowedHosts.map { $0.lowercased() })
        router.add(middleware: SafetyMiddleware(
            limiter: RateLimiter(perSecond: configuration.ratePerSecond, burst: configuration.rateBurst),
            hosts: hosts, maxURLBytes: configuration.maxURLBytes))
        WebHandlers(client: client, exportCap: configuration.exportCap, logger: logger).register(router)
        let host = configuration.host
        let onListening = self.onListening
        let logger = self.logger
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                logger.info("listening on http://\(shown):\(port)/")
                await onListening(host, port)
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}
