import Synchronization

/// The LSH buckets of every stored signature, in memory (rebuilt from `near_duplicates` at
/// open: 55,000 signatures in a fraction of a second). Kept out of SQLite on purpose: 16 keys per
/// release inserted at random places of a B-tree would rewrite most of its pages in every
/// batch's transaction. One open-addressing table of (band key, slot) pairs; a key may repeat.
/// An entry added by a transaction that then rolls back only makes a candidate that the stored
/// signature check drops.
final class NearDuplicateIndex: Sendable {
    private struct State {
        var keys: [UInt64] = [UInt64](repeating: 0, count: 1 << 10)
        var slots: [UInt32] = [UInt32](repeating: 0, count: 1 << 10)
        var used = 0
        /// slot -> release id, -1 once superseded.
        var ids: [Int64] = []
        var slotOf: [Int64: UInt32] = [:]

        mutating func put(_ key: UInt64, _ slot: UInt32) {
            if (used + 1) * 10 > keys.count * 7 { grow() }
            var i = Int(Self.spread(key)) & (keys.count - 1)
            while keys[i] != 0 { i = (i + 1) & (keys.count - 1) }
            keys[i] = key
            slots[i] = slot
            used += 1
        }

        mutating func grow() {
            let oldKeys = keys, oldSlots = slots
            keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
            slots = [UInt32](repeating: 0, count: oldKeys.count * 2)
            used = 0
            for i in oldKeys.indices where oldKeys[i] != 0 && ids[Int(oldSlots[i])] >= 0 { put(oldKeys[i], oldSlots[i]) }
        }

        static func spread(_ k: UInt64) -> UInt64 { ((k ^ (k >> 32)) &* 0x9E37_79B9_7F4A_7C15) >> 20 }
    }

    private let state = Mutex(State())

    /// Adds (or replaces) a release's band keys.
    func insert(id: Int64, keys: [UInt64]) {
        state.withLock { s in
            if let old = s.slotOf[id] { s.ids[Int(old)] = -1 }
            guard !keys.isEmpty else { s.slotOf[id] = nil; return }
            let slot = UInt32(s.ids.count)
            s.ids.append(id)
            s.slotOf[id] = slot
            for k in keys { s.put(k, slot) }
        }
    }

    /// Releases sharing at least one band key, other than `id`.
    func candidates(keys: [UInt64], excluding id: Int64) -> [Int64] {
        state.withLock { s in
            var out = Set<Int64>()
            let mask = s.keys.count - 1
            for k in keys {
                var i = Int(State.spread(k)) & mask
                while s.keys[i] != 0 {
                    if s.keys[i] == k {
                        let other = s.ids[Int(s.slots[i])]
                        if other >= 0 && other != id { out.insert(other) }
                    }
                    i = (i + 1) & mask
                }
            }
            return out.sorted()
        }
    }

    var count: Int { state.withLock { $0.slotOf.count } }
}
