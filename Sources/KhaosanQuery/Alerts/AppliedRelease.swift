import KhaosanIndex
import KhaosanModel

/// A release a batch inserted or changed, at its applied position, as the alert hub matches it.
package struct AppliedRelease: Sendable {
    var position: UInt64
    var updated: Bool
    var release: Release
    var body: String
    var document: IndexDocument
    /// Unix ms: the batch's commit time, the release's `stored_at`.
    var storedAt: Int64
}
