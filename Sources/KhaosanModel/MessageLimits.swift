/// The two numbers every size limit derives from, defined once here, at the bottom of the module
/// graph, so that the parser's input limit (this module) and the wire, RPC and service limits
/// (`KhaosanWire.SizeLimits`, which explains the derivation) agree by construction.
package enum MessageLimits {
    /// Largest RPC message either service takes (gRPC's default, 4 MiB).
    package static let maxMessageBytes = 4 << 20
    /// Room kept in a message for what travels around one release.
    package static let framingReserveBytes = 64 << 10
}
