/// The best `capacity` hits seen, in the request's order: score (then newer) for relevance,
/// publication date (then release id) for the date sorts.
struct TopK {
    let capacity: Int
    let sort: IndexSort
    private var items: [IndexHit] = []

    init(capacity: Int, sort: IndexSort) {
        self.capacity = capacity
        self.sort = sort
    }

    @inline(__always) func before(_ a: IndexHit, _ b: IndexHit) -> Bool {
        switch sort {
        case .relevance:
            if a.score != b.score { return a.score > b.score }
            if a.days != b.days { return a.days > b.days }
            return a.releaseID > b.releaseID
        case .newest: return (a.days, a.releaseID) > (b.days, b.releaseID)
        case .oldest: return (a.days, a.releaseID) < (b.days, b.releaseID)
        }
    }

    /// Above this, hits are gathered and sorted once at the end (insertion would be quadratic).
    static let insertionLimit = 256

    mutating func offer(_ h: IndexHit) {
        guard capacity > 0 else { return }
        if capacity > Self.insertionLimit { items.append(h); return }
        if items.count == capacity {
            guard before(h, items[items.count - 1]) else { return }
            items.removeLast()
        }
        // Binary insertion: capacity is a page or a few pages.
        var lo = 0, hi = items.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if before(items[mid], h) { lo = mid + 1 } else { hi = mid }
        }
        items.insert(h, at: lo)
    }

    /// The last hit kept once `capacity` are (nil before, and when hits are gathered unsorted
    /// above `insertionLimit`): nothing ordered after it can enter.
    var worst: IndexHit? {
        capacity > 0 && capacity <= Self.insertionLimit && items.count == capacity ? items[items.count - 1] : nil
    }

    func sorted() -> [IndexHit] {
        if capacity <= Self.insertionLimit { return items }
        let sorted = items.sorted(by: before)
        return sorted.count > capacity ? Array(sorted.prefix(capacity)) : sorted
    }
}
