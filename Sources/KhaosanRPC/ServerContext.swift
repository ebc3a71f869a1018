package import Logging

/// What a handler knows about its call.
package struct ServerContext: Sendable {
    package var path: String
    package var metadata: Metadata
    package var deadline: ContinuousClock.Instant?
    package var peer: PeerCredentials
    package var requestID: String
    package let connectionLogger: Logger

    package init(path: String, metadata: Metadata, deadline: ContinuousClock.Instant?, peer: PeerCredentials,
                 requestID: String, connectionLogger: Logger) {
        self.path = path
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestID = requestID
        self.connectionLogger = connectionLogger
    }

    /// The connection's logger with the call's method and request id as metadata. Built when a
    /// handler logs, not for every call: setting metadata re-renders it in swift-log's stream
    /// handler, which was a twentieth of a unary round trip.
    package var logger: Logger {
        var l = connectionLogger
        l[metadataKey: "rpc.method"] = "\(path)"
        l[metadataKey: "request.id"] = "\(requestID)"
        return l
    }
}
