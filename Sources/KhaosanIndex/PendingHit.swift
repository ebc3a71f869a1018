/// A doc whose score is known only up to a bound (its whole-word bonus not yet settled), for
/// `Searcher.rankOnDemand`: ordered by the bound, highest popped first.
struct PendingHit: Comparable {
    let bound: Double
    let segment: Int
    let index: Int

    static func < (a: PendingHit, b: PendingHit) -> Bool { a.bound < b.bound }
    static func == (a: PendingHit, b: PendingHit) -> Bool { a.bound == b.bound }
}
