/// Something that serves an `RPCRouter`'s methods: the Unix-socket server, or the in-process
/// one of the tests. Run as a ServiceLifecycle service by the daemons.
package protocol RPCServerTransport: Sendable {
    /// Serves until shut down and drained.
    func run() async throws
    /// Returns once calls can be made (or throws if the transport could not start).
    func waitUntilListening() async throws
    /// Stops taking new calls and lets the open ones finish. Safe to call more than once.
    func beginShutdown()
}
