/// A saved search as its owner names it: names are unique per uid.
package struct FeedKey: Sendable, Hashable {
    package var uid: UInt32
    package var name: String
}
