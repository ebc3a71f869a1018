import ServiceLifecycle

/// Ends every open watch when a graceful shutdown begins. A watch never ends by itself, so
/// otherwise each one would hold the server's drain for its whole bound (10 s); ended, its
/// client reconnects from its last position once the service is back.
struct WatchCloser: Service {
    let hub: AlertHub

    func run() async throws {
        try? await gracefulShutdown()
        hub.closeAll()
    }
}
