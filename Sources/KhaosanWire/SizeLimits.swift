internal import KhaosanModel

/// The one size limit of a release, derived end to end (issue 13, item 3: the ingester accepted a
/// 4.19 MB file whose journal record, 4,295,176 bytes, could never be forwarded, because its input
/// limit (4 MiB), journal record limit (8 MiB) and forwarding message limit (4 MiB) disagreed).
///
/// Everything starts from the RPC message limit, the same on both services: a release is taken in
/// one IngestRequest message and forwarded as one item of an ApplyBatchRequest message. What wraps
/// the release in those messages (a file name, a category, the source id, the item's tag and
/// length, its sequence) is far under `framingReserveBytes`, so:
///
/// - the ingester takes raw input of at most `maxReleaseInputBytes` (the CLI checks a file's size
///   against the same number before reading it);
/// - it journals a release only when its encoded record is at most `maxRecordBytes`, otherwise
///   the item is REJECTED (`too-large`) and nothing is written;
/// - a batch of one such record is then always under `maxMessageBytes`, the query service's
///   receive limit, so every accepted record can be forwarded.
package enum SizeLimits {
    /// Largest RPC message either service takes (gRPC's default), checked from a frame's header.
    package static let maxMessageBytes = MessageLimits.maxMessageBytes
    /// Room kept in a message for what travels around one release.
    package static let framingReserveBytes = MessageLimits.framingReserveBytes
    /// Largest encoded release (a `BatchItem` payload) the ingester journals.
    package static let maxRecordBytes = maxMessageBytes - framingReserveBytes
    /// Largest file (thaigov text or structured JSON) the ingester parses. Parsing may grow a
    /// release (a short line costs two bytes of tag and length more encoded), which the record
    /// check catches; it never grows the message that carried the file.
    /// `ReleaseParser.defaultMaxBytes` is the same derivation from `MessageLimits`.
    package static let maxReleaseInputBytes = maxMessageBytes - framingReserveBytes
}
