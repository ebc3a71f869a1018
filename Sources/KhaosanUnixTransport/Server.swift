#if canImport(Glibc)
import Glibc
#endif
package import KhaosanRPC
package import Logging
package import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

package struct RPCServerConfiguration: Sendable {
    package var socketPath: String
    package var peerPolicy: PeerPolicy = PeerPolicy()
    /// Largest message accepted; a larger frame gets RESOURCE_EXHAUSTED and the connection is closed.
    package var maxMessageBytes: Int = Frame.defaultMaxPayload
    /// Connections open at once, all uids. Past it (and past `maxConnectionsPerUID` for one uid)
    /// the connection idle longest makes room; when none is idle, the new one is told
    /// RESOURCE_EXHAUSTED. An idle connection costs a few KB (no buffer survives a read).
    package var maxConnections: Int = 4096
    /// Connections one uid may hold. 1,000 idle connections of one uid used to lock out
    /// everyone at the old global cap of 128 (issue 13, item 5).
    package var maxConnectionsPerUID: Int = 512
    /// Calls one uid may have open at once, over all its connections.
    package var maxCallsPerUID: Int = 256
    package var maxConcurrentCallsPerConnection: Int = 256
    /// A frame must be complete this long after its first byte arrived.
    package var frameReadTimeout: Duration = .seconds(10)
    /// Request bytes read but not yet taken by handlers, per connection, past which the
    /// connection's socket is not read until they have taken half (`InboundBudget`).
    package var maxBufferedBytesPerConnection: Int = 32 << 20
    /// A connection that sends nothing for this long after connecting is closed.
    package var firstFrameTimeout: Duration = .seconds(10)
    /// A connection with no call in progress, and none started or ended, for this long is closed.
    package var idleTimeout: Duration = .seconds(300)
    /// How long in-flight calls may run on after SIGTERM before they are cancelled.
    package var drainTimeout: Duration = .seconds(10)
    /// Messages a peer may send on a stream before it must wait for a WINDOW frame.
    package var streamWindow: Int = 64

    package init(socketPath: String) { self.socketPath = socketPath }
}

/// An RPC server on a Unix domain socket. Run it as a ServiceLifecycle service: graceful shutdown
/// stops accepting, lets in-flight calls finish within `drainTimeout`, then removes the socket file.
package final class RPCServer: Service, RPCServerTransport {
    package let configuration: RPCServerConfiguration
    private let router: RPCRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = Mutex<LifecycleState>(.idle)
    private let connections = Mutex<[ObjectIdentifier: ServerConnection]>([:])
    private let ledger: PeerLedger
    /// Connections let in over a cap only to be refused (see `admit`); bounded too.
    private let refusing = Atomic<Int>(0)
    private let bound = Mutex<[CheckedContinuation<Void, any Error>]>([])

    private enum LifecycleState {
        case idle
        case running(any Channel)
        case draining
        case stopped
    }

    package init(
        configuration: RPCServerConfiguration,
        router: RPCRouter,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.group = eventLoopGroup
        self.ledger = PeerLedger(maxCallsPerUID: configuration.maxCallsPerUID)
    }

    /// Returns once the socket accepts connections (or throws if binding failed).
    package func waitUntilListening() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let ready: Bool = state.withLock { s in
                if case .running = s { return true }
                return false
            }
            if ready { c.resume() } else { bound.withLock { $0.append(c) } }
        }
    }

    private func signalListening(_ result: Result<Void, any Error>) {
        let waiters = bound.withLock { w in defer { w.removeAll() }; return w }
        for c in waiters { c.resume(with: result) }
    }

    package func run() async throws {
        let serverChannel: NIOAsyncChannel<ServerConnection?, Never>
        do {
            serverChannel = try await bind()
        } catch {
            state.withLock { $0 = .stopped }
            signalListening(.failure(error))
            throw error
        }
        let path = configuration.socketPath
        defer {
            if unlink(path) == 0 { logger.debug("removed socket file", metadata: ["rpc.socket": "\(path)"]) }
        }
        state.withLock { $0 = .running(serverChannel.channel) }
        signalListening(.success(()))
        logger.info("listening", metadata: ["rpc.socket": "\(path)"])

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await connection in inbound {
                            guard let connection else { continue }
                            group.addTask { await self.serve(connection) }
                        }
                    }
                } catch is CancellationError {
                    // Closing the listening socket on shutdown ends the accept loop this way.
                } catch {
                    logger.error("accept loop ended", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        state.withLock { $0 = .stopped }
        logger.info("stopped", metadata: ["rpc.socket": "\(path)"])
    }

    /// Stops accepting, asks every connection to drain, and force-closes what is left after the
    /// drain timeout. Safe to call more than once.
    package func beginShutdown() {
        let channel: (any Channel)? = state.withLock { s in
            if case .running(let ch) = s { s = .draining; return ch }
            return nil
        }
        guard let channel else { return }
        logger.info("draining", metadata: ["rpc.connections": "\(connections.withLock { $0.count })"])
        channel.close(promise: nil)
        let conns = connections.withLock { Array($0.values) }
        for c in conns { c.drain() }
        let timeout = configuration.drainTimeout
        // Unstructured: shutdown begins in a synchronous handler (ServiceLifecycle's graceful
        // shutdown, or a test). The timer only closes what is left; `run()` returns when the
        // last connection has gone, whether it closed by itself or here.
        Task {
            try? await Task.sleep(for: timeout)
            let left = self.connections.withLock { Array($0.values) }
            for c in left { c.forceClose(reason: "drain timeout") }
        }
    }

    private func bind() async throws -> NIOAsyncChannel<ServerConnection?, Never> {
        let path = configuration.socketPath
        guard path.utf8.count <= UnixSocketFile.maxPathBytes else {
            throw RPCError(code: .invalidArgument, message: "socket path is \(path.utf8.count) bytes; Unix sockets allow \(UnixSocketFile.maxPathBytes): \(path)")
        }
        try UnixSocketFile.prepareDirectory(for: path)
        switch UnixSocketFile.probe(path) {
        case .absent: break
        case .stale:
            logger.notice("removing stale socket file", metadata: ["rpc.socket": "\(path)"])
            unlink(path)
        case .live:
            throw RPCError(code: .alreadyExists, message: "another server is already answering on \(path); refusing to start")
        case .notASocket:
            throw RPCError(code: .alreadyExists, message: "\(path) exists and is not a socket; refusing to replace it")
        }
        // The umask makes bind() create the file as 0660, so it is never briefly wider. The
        // process-wide umask is only changed for the duration of the bind.
        let old = umask(0o117)
        defer { umask(old) }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false, serverBackPressureStrategy: nil) { child in
                PeerCredentials.of(child).flatMapThrowing { peer -> ServerConnection? in
                    guard let connection = self.admit(child, peer: peer) else {
                        child.close(promise: nil)
                        return nil
                    }
                    try connection.installHandlers()
                    return connection
                }.flatMapErrorThrowing { error -> ServerConnection? in
                    // Usually a peer that connected and left at once.
                    self.logger.debug("cannot read peer credentials; closing", metadata: ["error": "\(error)"])
                    child.close(promise: nil)
                    return nil
                }
            }
        chmod(path, 0o660)
        return channel
    }

    /// Runs on the new connection's event loop, before it reads anything. Over the global or
    /// the uid's connection cap, the connection idle longest (of that uid, or of anyone) is
    /// closed to make room: idle connections can never lock anyone out. When every connection
    /// is busy with a call, the new one is let in only to answer its calls RESOURCE_EXHAUSTED
    /// naming the cap (at most 256 such at once; past that it is closed unanswered); nil then.
    private func admit(_ channel: any Channel, peer: PeerCredentials) -> ServerConnection? {
        var connLogger = logger
        connLogger[metadataKey: "rpc.peer.uid"] = "\(peer.uid)"
        connLogger[metadataKey: "rpc.peer.pid"] = "\(peer.pid)"
        if !configuration.peerPolicy.allowsAnything(uid: peer.uid) {
            // Kept open so each call gets a clear PERMISSION_DENIED instead of a bare hang-up the
            // client would retry; the first-frame and idle timeouts bound what it can hold.
            connLogger.warning("peer uid may call no service")
        }
        let conn = ServerConnection(channel: channel, peer: peer, router: router, configuration: configuration, logger: connLogger, ledger: ledger)
        enum Outcome { case admitted(evicted: ServerConnection?), refused(cap: String, message: String) }
        let outcome: Outcome = connections.withLock { c in
            func oldestIdle(_ candidates: some Sequence<ServerConnection>) -> ServerConnection? {
                var best: (ServerConnection, ContinuousClock.Instant)?
                for x in candidates {
                    if let since = x.idleSince, best == nil || since < best!.1 { best = (x, since) }
                }
                return best?.0
            }
            var evicted: ServerConnection?
            let mine = c.values.filter { $0.peer.uid == peer.uid }
            if mine.count >= configuration.maxConnectionsPerUID {
                guard let victim = oldestIdle(mine) else {
                    return .refused(cap: "connections-per-uid", message: "uid \(peer.uid) has \(mine.count) connections open, all busy; the most one uid may hold is \(configuration.maxConnectionsPerUID)")
                }
                evicted = victim
            } else if c.count >= configuration.maxConnections {
                guard let victim = oldestIdle(c.values) else {
                    return .refused(cap: "connections", message: "the server has \(c.count) connections open, all busy (max \(configuration.maxConnections))")
                }
                evicted = victim
            }
            if let evicted { c.removeValue(forKey: ObjectIdentifier(evicted)) }
            c[ObjectIdentifier(conn)] = conn
            return .admitted(evicted: evicted)
        }
        switch outcome {
        case .admitted(let evicted):
            evicted?.forceClose(reason: "idle longest while uid \(peer.uid) or the server is at its connection cap")
            return conn
        case .refused(let cap, let message):
            guard refusing.wrappingAdd(1, ordering: .relaxed).newValue <= 256 else {
                refusing.wrappingSubtract(1, ordering: .relaxed)
                connLogger.warning("connection cap reached; closing", metadata: ["rpc.cap": "\(cap)"])
                return nil
            }
            connLogger.warning("connection cap reached; refusing its calls", metadata: ["rpc.cap": "\(cap)"])
            let refuser = ServerConnection(channel: channel, peer: peer, router: router, configuration: configuration, logger: connLogger,
                                           ledger: ledger, refusal: (cap, message))
            channel.closeFuture.whenComplete { _ in self.refusing.wrappingSubtract(1, ordering: .relaxed) }
            return refuser
        }
    }

    private func serve(_ conn: ServerConnection) async {
        defer { connections.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(conn)) } }
        if state.withLock({ if case .draining = $0 { return true }; return false }) { conn.drain() }
        await conn.run()
    }
}
