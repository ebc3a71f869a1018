package import Logging
import Synchronization

/// The search index of khaosan-queryd: immutable segments, the newest batches in memory, the
/// older ones in files named by a manifest. Searches read a snapshot and never wait for writers;
/// `add` publishes a batch's segment at once; `maintain` (run off the write path) writes memory
/// segments to a file and merges small files. The index is derived data: the store keeps an
/// index log of every release it changed, and whatever the manifest does not cover is indexed
/// again from the store at start-up, so a crash at any point loses nothing.
package final class SearchIndex: Sendable {
    /// Memory segments are written to a file once they hold this many documents (by default).
    package static let defaultFlushDocuments = 4_096
    package let flushDocuments: Int
    /// Adjacent files are merged while both together stay under this size.
    package static let mergeBytes = 40 << 20

    struct Part: Sendable {
        var segment: Segment
        /// nil: a memory segment, not yet in a file.
        var file: IndexDirectory.Manifest.Entry?
        /// The highest index-log sequence of the releases in this part.
        var sequence: Int64
        /// The lowest (memory segments only: what a flush must not cover while this part stays
        /// in memory).
        var firstSequence: Int64 = 0
        /// A memory segment's spill file (see `add`), removed once the segment is in a real file.
        var spill: String? = nil
    }

    struct State: Sendable {
        var parts: [Part] = []
        var snapshot = IndexSnapshot(parts: [])
        var manifest: IndexDirectory.Manifest?
    }

    /// Where the files are read from; `directory` (below) is where they are written, nil when the
    /// index may not write (a read-only store keeps what it must add in memory).
    private let files: IndexDirectory?
    package let directory: IndexDirectory?
    private let logger: Logger
    private let state = Mutex(State())
    /// One maintenance run at a time (flushes and merges replace parts).
    private let maintenance = Mutex(())
    /// Set by `windDown`: from then on no run merges, and none starts another file past it.
    private let windDownDeadline = Mutex<ContinuousClock.Instant?>(nil)
    /// Numbers the spill files of memory segments.
    private let spills = Atomic<Int>(0)

    /// `directory` nil: a memory-only index (tests). `writable` false: the files are read but
    /// never written or removed.
    package init(directory: IndexDirectory?, writable: Bool = true, flushDocuments: Int = SearchIndex.defaultFlushDocuments,
                 logger: Logger) {
        self.flushDocuments = max(1, flushDocuments)
        files = directory
        self.directory = writable ? directory : nil
        self.logger = logger
    }

    // MARK: - Opening

    /// Loads the segments the manifest names, verifying each file's size and checksum. Returns the
    /// index-log sequence they cover, or nil when there is no index yet. Throws `corrupt` or `io`
    /// when a file is missing or damaged: the caller wipes and rebuilds.
    package func open() throws(IndexError) -> Int64? {
        guard let files else { return nil }
        if let directory { try directory.create() }
        guard let m = try files.readManifest() else { return nil }
        var parts: [Part] = []
        for e in m.segments {
            let p = files.file(e.file)
            let storage = try SegmentStorage(mapping: p)
            guard storage.count == e.bytes else { throw IndexError.corrupt(p, "size \(storage.count), manifest says \(e.bytes)") }
            let sum = IndexDirectory.checksum(storage.base)
            guard sum == e.checksum else { throw IndexError.corrupt(p, "checksum \(sum), manifest says \(e.checksum)") }
            parts.append(Part(segment: try Segment(storage: storage, path: p), file: e, sequence: m.coveredSequence))
            storage.release()
        }
        directory?.removeUnlisted(keeping: Set(m.segments.map(\.file)))
        state.withLock { s in
            s.parts = parts
            s.manifest = m
            s.snapshot = IndexSnapshot.make(parts.map(\.segment))
        }
        logger.info("search index open", metadata: [
            "segments": "\(parts.count)", "documents": "\(parts.reduce(0) { $0 + $1.segment.docCount })",
            "covered": "\(m.coveredSequence)",
        ])
        return m.coveredSequence
    }

    /// Replaces everything with segments built from the whole store. `produce` hands each
    /// segment's bytes to `emit` as soon as it is built (each is written to its file at once, so a
    /// rebuild holds one segment in memory at a time) and returns the index-log sequence its
    /// reading covered; then the manifest is written.
    package func rebuild(_ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Int64) throws {
        var parts: [Part] = []
        var m = IndexDirectory.Manifest(generation: 0, coveredSequence: 0, segments: [])
        if let directory {
            directory.wipe()
            try directory.create()
        }
        let sequence = try produce { bytes in
            if directory != nil {
                let part = try writeSegment(bytes, &m, sequence: 0)
                part.segment.storage.release()
                parts.append(part)
            } else {
                parts.append(Part(segment: Segment(storage: SegmentStorage(bytes: bytes)), file: nil, sequence: 0))
            }
        }
        for i in parts.indices { parts[i].sequence = sequence }
        m.coveredSequence = sequence
        if let directory { try directory.writeManifest(m) }
        let manifest = directory == nil ? nil : m
        state.withLock { s in
            s.parts = parts
            s.manifest = manifest
            s.snapshot = IndexSnapshot.make(parts.map(\.segment))
        }
    }

    /// `rebuild` from segments already built (tests).
    package func replaceAll(with built: [[UInt8]], through sequence: Int64) throws {
        try rebuild { emit in
            for b in built { try emit(b) }
            return sequence
        }
    }

    private func writeSegment(_ bytes: [UInt8], _ m: inout IndexDirectory.Manifest, sequence: Int64) throws(IndexError) -> Part {
        guard let directory else { preconditionFailure("writeSegment without a directory") }
        let name = "seg-\(String(m.generation))-\(String(bytes.count, radix: 16)).kseg"
        m.generation += 1
        try directory.writeDurably(directory.file(name), bytes)
        let storage = try SegmentStorage(mapping: directory.file(name))
        let entry = IndexDirectory.Manifest.Entry(file: name, bytes: bytes.count, checksum: IndexDirectory.checksum(storage.base))
        m.segments.append(entry)
        return Part(segment: try Segment(storage: storage, path: directory.file(name)), file: entry, sequence: sequence)
    }

    // MARK: - Writes

    /// Indexes documents (a batch the store just committed, with index-log sequences
    /// `sequences`) as a new memory segment and publishes it. Batches must arrive in index-log
    /// order: a later one's documents win over an earlier one's.
    /// Returns the memory segment it added (nil for no documents), for the percolator.
    @discardableResult
    package func add(_ docs: [IndexDocument], sequences: ClosedRange<Int64>) -> Segment? {
        guard !docs.isEmpty else { return nil }
        var b = SegmentBuilder()
        for d in docs { b.add(d) }
        let (seg, spill) = memorySegment((consume b).build(hotMinimumDocs: Int.max))
        state.withLock { s in
            s.parts.append(Part(segment: seg, file: nil, sequence: sequences.upperBound, firstSequence: sequences.lowerBound,
                                spill: spill))
            s.snapshot = IndexSnapshot.make(s.parts.map(\.segment))
        }
        return seg
    }

    /// A memory segment over `bytes`. With a directory its bytes go to a spill file (written, not
    /// fsync'ed) that the segment maps, as Lucene's flushed segments are files before a commit
    /// makes them durable: a bulk load outruns the maintenance thread on a busy machine, and
    /// memory segments held in the heap grew with it (770 MB of anonymous memory for the whole
    /// corpus, BENCHMARKS.md "Session 7"), where mapped pages belong to the page cache and leave
    /// the resident set on `releaseMemory`. Nothing names a spill file: a crash leaves only
    /// garbage that the next `open` removes, and what the segment held is indexed again from the
    /// store's log, as for a heap segment. When the file cannot be written the heap serves.
    private func memorySegment(_ bytes: [UInt8]) -> (Segment, String?) {
        if let directory {
            let name = "memory-\(spills.wrappingAdd(1, ordering: .relaxed).oldValue).spill"
            do throws(IndexError) {
                try directory.writeFile(directory.file(name), bytes, sync: false)
                let segment = try Segment(storage: SegmentStorage(mapping: directory.file(name)), path: directory.file(name))
                // Opening read its tables; searches fault in only what they read.
                segment.storage.release()
                return (segment, name)
            } catch {
                directory.remove(name)
                logger.warning("search index: memory segment kept in the heap", metadata: ["error": "\(error)"])
            }
        }
        return (Segment(storage: SegmentStorage(bytes: bytes)), nil)
    }

    /// Documents held only in memory segments (with a directory: not yet in a file).
    package var memoryDocuments: Int {
        state.withLock { s in s.parts.reduce(0) { $0 + ($1.file == nil ? $1.segment.docCount : 0) } }
    }

    /// True when memory segments should be written out (or merged).
    package var needsMaintenance: Bool {
        state.withLock { s in
            let memory = s.parts.filter { $0.file == nil }
            return directory != nil ? memory.reduce(0) { $0 + $1.segment.docCount } >= flushDocuments
                : memory.count > 16
        }
    }

    /// Writes the memory segments to one file (with its hot tier) when they hold enough documents
    /// (or always with `force`), then merges adjacent small files. Safe to call from any thread;
    /// searches and adds go on meanwhile.
    package func maintain(force: Bool = false) throws(IndexError) {
        try maintenance.withLock { _ throws(IndexError) in
            try flushMemory(force: force)
            try mergeFiles()
        }
    }

    /// At shutdown: writes memory segments to files, oldest first, until `deadline`, and merges
    /// nothing. A run already going on the maintenance thread (the forced flush after a bulk
    /// load) stops at its next file too, so a stop waits for at most one file's write past the
    /// deadline, not for the whole backlog: minutes of CPU on a slow machine, well past a service
    /// manager's stop timeout. What stays in memory is not lost: the manifest covers only what
    /// the files hold, and the rest is indexed again from the store's log at the next start.
    package func windDown(by deadline: ContinuousClock.Instant) throws(IndexError) {
        windDownDeadline.withLock { $0 = deadline }
        try maintenance.withLock { _ throws(IndexError) in try flushMemory(force: true) }
        // What is left is indexed again at the next start; its spill files are of no use to it
        // (the mappings stay valid while this process still answers).
        if let directory {
            for p in state.withLock({ $0.parts }) { if let spill = p.spill { directory.remove(spill) } }
        }
    }

    private var windingDown: Bool { windDownDeadline.withLock { $0 != nil } }
    private var pastDeadline: Bool { windDownDeadline.withLock { $0.map { ContinuousClock.now >= $0 } ?? false } }

    /// Writes memory segments, oldest first, to files of about `flushDocuments` documents each,
    /// until fewer than that remain in memory (none with `force`). Without a directory, folds
    /// them into one memory segment when there are many.
    private func flushMemory(force: Bool) throws(IndexError) {
        while !pastDeadline {
            let (memory, filed, snapshot, manifest) = state.withLock { s in
                (s.parts.filter { $0.file == nil }, s.parts.filter { $0.file != nil }.map(\.sequence).max() ?? 0, s.snapshot, s.manifest)
            }
            guard !memory.isEmpty else { return }
            let docs = memory.reduce(0) { $0 + $1.segment.docCount }
            guard let directory else {
                guard memory.count > 16 || (force && memory.count > 1) else { return }
                let ids = Set(memory.map { ObjectIdentifier($0.segment) })
                let inputs = snapshot.parts.filter { ids.contains(ObjectIdentifier($0.segment)) }.map { ($0.segment, $0.live) }
                let seg = Segment(storage: SegmentStorage(bytes: SegmentMerger.merge(inputs)))
                replace(ids, with: Part(segment: seg, file: nil, sequence: memory.map(\.sequence).max() ?? 0,
                                        firstSequence: memory.map(\.firstSequence).min() ?? 0), manifest: nil)
                return
            }
            guard force || docs >= flushDocuments else { return }
            var chunk: [Part] = []
            var n = 0
            for p in memory where n < flushDocuments {
                chunk.append(p)
                n += p.segment.docCount
            }
            let ids = Set(chunk.map { ObjectIdentifier($0.segment) })
            let inputs = snapshot.parts.filter { ids.contains(ObjectIdentifier($0.segment)) }.map { ($0.segment, $0.live) }
            let sequence = chunk.map(\.sequence).max() ?? 0
            let started = ContinuousClock.now
            let bytes = SegmentMerger.merge(inputs)
            var m = manifest ?? IndexDirectory.Manifest(generation: 0, coveredSequence: 0, segments: [])
            let part = try writeSegment(bytes, &m, sequence: sequence)
            m.coveredSequence = max(m.coveredSequence, Self.covered(through: max(sequence, filed), stillInMemory: memory.filter { !ids.contains(ObjectIdentifier($0.segment)) }))
            try directory.writeManifest(m)
            part.segment.storage.release()
            replace(ids, with: part, manifest: m)
            for p in chunk { if let spill = p.spill { directory.remove(spill) } }
            logger.info("search index: memory segments written to a file", metadata: [
                "file": "\(part.file!.file)", "documents": "\(n)", "bytes": "\(bytes.count)",
                "hot": "\(part.segment.hot.count)", "duration": "\(ContinuousClock.now - started)",
            ])
        }
    }

    /// How far the files cover the index log once they hold parts up to `sequence`: never past
    /// a sequence a part still in memory holds (a kill would lose it from the index after
    /// the store forgot its log entry).
    static func covered(through sequence: Int64, stillInMemory: [Part]) -> Int64 {
        guard let first = stillInMemory.map(\.firstSequence).min() else { return sequence }
        return min(sequence, first - 1)
    }

    private func mergeFiles() throws(IndexError) {
        guard let directory else { return }
        while !windingDown {
            let (parts, snapshot, manifest) = state.withLock { s in (s.parts, s.snapshot, s.manifest) }
            guard var m = manifest else { return }
            var best: Int? = nil
            for i in 0..<max(parts.count - 1, 0) {
                guard let a = parts[i].file, let b = parts[i + 1].file, a.bytes + b.bytes < Self.mergeBytes else { continue }
                if best == nil || a.bytes + b.bytes < parts[best!].file!.bytes + parts[best! + 1].file!.bytes { best = i }
            }
            guard let i = best else { return }
            let pair = [parts[i], parts[i + 1]]
            let ids = Set(pair.map { ObjectIdentifier($0.segment) })
            let inputs = snapshot.parts.filter { ids.contains(ObjectIdentifier($0.segment)) }.map { ($0.segment, $0.live) }
            let bytes = SegmentMerger.merge(inputs)
            var part = try writeSegment(bytes, &m, sequence: pair.map(\.sequence).max() ?? 0)
            // The merged file takes the pair's place in the order (newest-wins depends on it).
            m.segments.removeLast()
            let names = Set(pair.compactMap { $0.file?.file })
            let at = m.segments.firstIndex { names.contains($0.file) } ?? m.segments.count
            m.segments.removeAll { names.contains($0.file) }
            m.segments.insert(part.file!, at: at)
            try directory.writeManifest(m)
            part.segment.storage.release()
            part.sequence = pair.map(\.sequence).max() ?? 0
            replace(ids, with: part, manifest: m)
            for n in names { directory.remove(n) }
        }
    }

    /// Puts `part` where the parts `ids` were (they are adjacent) and publishes.
    private func replace(_ ids: Set<ObjectIdentifier>, with part: Part, manifest: IndexDirectory.Manifest?) {
        state.withLock { s in
            let at = s.parts.firstIndex { ids.contains(ObjectIdentifier($0.segment)) } ?? s.parts.count
            s.parts.removeAll { ids.contains(ObjectIdentifier($0.segment)) }
            s.parts.insert(part, at: at)
            if let manifest { s.manifest = manifest }
            s.snapshot = IndexSnapshot.make(s.parts.map(\.segment))
        }
    }

    // MARK: - Reads

    package func snapshot() -> IndexSnapshot { state.withLock { $0.snapshot } }

    package func search(_ request: IndexSearchRequest, parallelism: Int = Searcher.defaultParallelism,
                        cancelled: @escaping @Sendable () -> Bool = { false }) throws(IndexError) -> IndexSearchResult {
        try Searcher.search(snapshot(), request, parallelism: parallelism, cancelled: cancelled)
    }

    /// Release ids of every live document (one per current release when the index is whole).
    package func liveReleaseIDs() -> [Int64] {
        var out: [Int64] = []
        for p in snapshot().parts {
            for d in 0..<p.segment.docCount where p.live.contains(d) { out.append(p.segment.releaseIDs[d]) }
        }
        return out
    }

    /// The sequence the files cover (what the store may forget from its index log).
    package var coveredSequence: Int64 { state.withLock { $0.manifest?.coveredSequence ?? 0 } }

    package struct Stats: Sendable, Hashable {
        package var segments: Int
        package var memorySegments: Int
        package var documents: Int
        package var liveDocuments: Int
        package var fileBytes: Int
        package var hotEntries: Int
        package var hotDerivedEntries: Int
    }

    package var stats: Stats {
        state.withLock { s in
            Stats(segments: s.parts.count, memorySegments: s.parts.filter { $0.file == nil }.count,
                  documents: s.parts.reduce(0) { $0 + $1.segment.docCount }, liveDocuments: s.snapshot.liveDocs,
                  fileBytes: s.parts.reduce(0) { $0 + ($1.file?.bytes ?? 0) },
                  hotEntries: s.parts.reduce(0) { $0 + $1.segment.hot.count },
                  hotDerivedEntries: s.parts.reduce(0) { $0 + $1.segment.hot.derivedCount })
        }
    }

    /// Drops the mapped pages (files' and spill files') from the resident set (they stay in the
    /// page cache): called when the service goes idle.
    package func releaseMemory() {
        for p in state.withLock({ $0.parts }) { p.segment.storage.release() }
    }

    /// Drops the mapped chunks searched least recently from the resident set until `resident()`
    /// is at most `target` (what a service over its resident budget calls between searches).
    /// Returns the number of chunks dropped.
    @discardableResult
    package func releaseLeastRecentlyUsed(downTo target: Int, resident: () -> Int?) -> Int {
        SegmentStorage.releaseLeastRecentlyUsed(state.withLock { $0.parts.map(\.segment.storage) }, downTo: target,
                                                resident: resident)
    }
}
