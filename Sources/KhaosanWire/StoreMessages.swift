// Swift mirrors of store.proto (issue 19). Plain values; the conversions are generated
// (scripts/gen-wire.py, Generated/StoreWire.swift).

package struct StoreStatusRequest: Sendable, Hashable {
    package init() {}
}

package struct StoreStatusResponse: Sendable, Hashable {
    /// "sqlite" or "postgres".
    package var kind: String
    package var replica: Bool
    /// A path, or a URL without a password.
    package var location: String
    package var latestChange: UInt64
    package var appliedChange: UInt64
    package var lagChanges: UInt64
    package var lagSeconds: Double
    /// Why the store cannot be read now (nil when it can).
    package var error: String?

    package init(kind: String, replica: Bool, location: String, latestChange: UInt64, appliedChange: UInt64,
                 lagChanges: UInt64, lagSeconds: Double, error: String?) {
        self.kind = kind
        self.replica = replica
        self.location = location
        self.latestChange = latestChange
        self.appliedChange = appliedChange
        self.lagChanges = lagChanges
        self.lagSeconds = lagSeconds
        self.error = error
    }
}
