/// An open-addressing hash map from UInt64 keys to Int32 values (linear probing, power-of-two
/// capacity). The hot tier's level-wise counting looks up a key at nearly every position of a
/// segment; Swift's Dictionary (hashing with per-process seeds, generic paths) was most of that.
struct UInt64Map {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1_024) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: c)
        values = [Int32](repeating: 0, count: c)
        mask = c - 1
    }

    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// The value for `key`; `key` must not be UInt64.max.
    @inline(__always) func get(_ key: UInt64) -> Int32? {
        var i = Self.slot(key, mask)
        return keys.withUnsafeBufferPointer { k in
            while true {
                let x = k[i]
                if x == key { return values[i] }
                if x == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }

    /// The value for `key`; when absent, inserts `count` (so values number the keys 0, 1, ...).
    @inline(__always) mutating func getOrInsert(_ key: UInt64) -> Int32 {
        var i = Self.slot(key, mask)
        let found: Int32? = keys.withUnsafeBufferPointer { k in
            while true {
                let x = k[i]
                if x == key { return values[i] }
                if x == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
        if let found { return found }
        let v = Int32(count)
        keys[i] = key
        values[i] = v
        count += 1
        if count * 2 > keys.count { grow() }
        return v
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (i, k) in oldKeys.enumerated() where k != Self.empty {
            var j = Self.slot(k, mask)
            while keys[j] != Self.empty { j = (j + 1) & mask }
            keys[j] = k
            values[j] = oldValues[i]
        }
    }

    /// Every (key, value).
    func forEach(_ body: (UInt64, Int32) -> Void) {
        for (i, k) in keys.enumerated() where k != Self.empty { body(k, values[i]) }
    }
}
