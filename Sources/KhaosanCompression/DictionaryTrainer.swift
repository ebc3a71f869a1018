internal import CZstd

/// Trains a Zstandard dictionary (zstd's COVER trainer, `ZDICT_trainFromBuffer`) from sample
/// texts of the archive itself, so the dictionary fits whatever the archive holds.
package enum DictionaryTrainer {
    /// 110 KB, zstd's default size: the ratio of larger ones rose little on release bodies.
    package static let defaultCapacity = 112_640

    /// Fewer samples than this train a dictionary that does not help (zstd wants ~100x its size).
    package static let minimumSamples = 256

    /// Trains on `samples`; `capacity` nil sizes the dictionary to the samples (a sixty-fourth of
    /// their bytes, 8 KB to `defaultCapacity`: zstd's advice is about a hundredth).
    package static func train(_ samples: [[UInt8]], capacity: Int? = nil) throws(CompressionError) -> [UInt8] {
        guard samples.count >= minimumSamples else {
            throw CompressionError("train", "\(samples.count) samples, at least \(minimumSamples) needed")
        }
        let total = samples.reduce(0) { $0 + $1.count }
        let capacity = capacity ?? min(defaultCapacity, max(8_192, total / 64))
        var joined: [UInt8] = []
        joined.reserveCapacity(total)
        var sizes: [Int] = []
        for s in samples { joined.append(contentsOf: s); sizes.append(s.count) }
        var failure: String?
        let dictionary = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            let n = joined.withUnsafeBytes { src in
                sizes.withUnsafeBufferPointer { sz in
                    ZDICT_trainFromBuffer(buf.baseAddress, capacity, src.baseAddress, sz.baseAddress, UInt32(sz.count))
                }
            }
            if ZDICT_isError(n) != 0 { failure = String(cString: ZDICT_getErrorName(n)); count = 0 } else { count = n }
        }
        if let failure { throw CompressionError("train", failure) }
        return dictionary
    }
}
