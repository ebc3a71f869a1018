import Foundation
import GRDB
import KhaosanCompression
import Synchronization

/// Titles and bodies at rest: CompactText (one byte per Thai character), then, once the archive has a
/// dictionary trained on its own bodies, a Zstandard frame made with it. `release_texts.body_dictionary`
/// says which: NULL for plain CompactText not yet compressed (the archive had no dictionary), 0
/// for plain CompactText the dictionary did not make smaller (an empty body), else the
/// `text_dictionaries` row the frame needs.
/// A dictionary is never changed or removed once a text refers to it. Titles are compressed the
/// same way, in `title_dictionary` (6.0 -> 3.6 MB on the corpus; a hit's title inflates in
/// about a microsecond).
///
/// Compressing with the dictionary made the stored bodies of the 2020-2024 corpus 2.7-3.0x
/// smaller than CompactText (1,500 bodies, zstd 1.5.4, levels 3 and 9).
final class TextCodec: Sendable {
    private struct State {
        var dictionaries: [Int64: TextDictionary] = [:]
        var current: (id: Int64, dictionary: TextDictionary)?
    }
    private let state = Mutex(State())

    /// zstd level for new texts: 3. Level 6 compressed 1,500 bodies about 6% smaller but four
    /// times slower (9.2 MB in 0.48 s against 0.11 s, one core), which ingest pays for every
    /// release; decompression speed does not depend on the level.
    static let level: Int32 = 3

    /// Loads every dictionary the database holds; the newest compresses new bodies.
    func load(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, dictionary FROM text_dictionaries ORDER BY id")
        var loaded: [Int64: TextDictionary] = [:]
        var current: (Int64, TextDictionary)?
        for row in rows {
            let id: Int64 = row[0]
            let bytes: Data = row[1]
            do {
                let d = try TextDictionary(bytes: [UInt8](bytes), level: Self.level)
                loaded[id] = d
                current = (id, d)
            } catch {
                throw DatabaseError(message: "text_dictionaries row \(id): \(error)")
            }
        }
        state.withLock { s in
            s.dictionaries = loaded
            s.current = current.map { (id: $0.0, dictionary: $0.1) }
        }
    }

    var hasDictionary: Bool { state.withLock { $0.current != nil } }

    func install(id: Int64, _ d: TextDictionary) {
        state.withLock { s in
            s.dictionaries[id] = d
            s.current = (id, d)
        }
    }

    /// The stored forms of a title and a body with their `*_dictionary` values (nil: no
    /// dictionary yet; 0: plain, not smaller compressed). Falls back to plain if compressing
    /// fails, so a text is never lost to the codec.
    func encode(title: String, body: String) -> (title: Data, titleDictionary: Int64?, body: Data, bodyDictionary: Int64?) {
        let current = state.withLock { $0.current }
        let t = Self.encode(CompactText.encode(title), current)
        let b = Self.encode(CompactText.encode(body), current)
        return (t.blob, t.dictionary, b.blob, b.dictionary)
    }

    /// The stored form of a text already in CompactText.
    func encodeCompact(_ compact: [UInt8]) -> (blob: Data, dictionary: Int64?) {
        Self.encode(compact, state.withLock { $0.current })
    }

    private static func encode(_ compact: [UInt8], _ current: (id: Int64, dictionary: TextDictionary)?) -> (blob: Data, dictionary: Int64?) {
        guard let (id, d) = current else { return (Data(compact), nil) }
        return compress(compact, id: id, d)
    }

    /// `compact` compressed with dictionary `id`, unless that does not make it smaller (then 0).
    static func compress(_ compact: [UInt8], id: Int64, _ d: TextDictionary) -> (blob: Data, dictionary: Int64?) {
        guard let frame = try? compact.withUnsafeBytes({ (b) throws(CompressionError) in try d.compress(b) }),
              frame.count < compact.count else { return (Data(compact), 0) }
        return (Data(frame), id)
    }

    /// A title or body of release `release` in `row`: column `blob` holds its bytes, column
    /// `dictionary` what they need.
    func decode(_ row: Row, blob: Int, dictionary: Int, release: Int64) throws -> String {
        try withCompact(row, blob: blob, dictionary: dictionary, release: release) { CompactText.decode($0) }
    }

    /// The text in CompactText form, decompressed if it was stored compressed: what a snippet
    /// needs, which decodes only a window of it.
    func compact(_ row: Row, blob: Int, dictionary: Int, release: Int64) throws -> [UInt8] {
        try withCompact(row, blob: blob, dictionary: dictionary, release: release) { Array($0) }
    }

    private func withCompact<T>(_ row: Row, blob: Int, dictionary: Int, release: Int64,
                                _ body: (UnsafeRawBufferPointer) -> T) throws -> T {
        let id: Int64? = row[dictionary]
        return try row.withUnsafeData(atIndex: blob) { data -> T in
            guard let data else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            return try data.withUnsafeBytes { raw -> T in
                guard let id, id != 0 else { return body(raw) }
                guard let d = state.withLock({ $0.dictionaries[id] }) else {
                    throw DatabaseError(message: "release \(release): its text needs text dictionary \(id), which the database does not have")
                }
                do {
                    return try d.decompress(raw).withUnsafeBytes { body($0) }
                } catch {
                    throw DatabaseError(message: "release \(release): a text of it (text dictionary \(id)) does not decompress: \(error)")
                }
            }
        }
    }
}
