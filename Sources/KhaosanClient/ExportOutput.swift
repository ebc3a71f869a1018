import Foundation

/// Where `khaosan export` writes: stdout, or a file that appears under its name only when the
/// export is complete (written as `NAME.partial-PID`, renamed at the end, removed on failure), so
/// a script never reads half an export as a whole one. Writes are gathered into 256 KiB blocks;
/// each write blocks until the bytes are taken, so a slow reader of stdout slows the export down
/// (the stream's window then holds the server back too) instead of growing a buffer here.
/// @unchecked: one task uses it at a time (the export's response loop, then `finish` or `abandon`).
final class ExportOutput: @unchecked Sendable {
    private let fd: Int32
    private let path: String?
    private let partial: String?
    private var buffer: [UInt8] = []
    private var flushed: UInt64 = 0
    /// Bytes written so far, those still in the block included.
    var bytesWritten: UInt64 { flushed + UInt64(buffer.count) }
    static let blockBytes = 256 << 10

    /// stdout.
    init() {
        fd = 1
        path = nil
        partial = nil
        buffer.reserveCapacity(Self.blockBytes)
    }

    /// A file at `path` (replaced when the export completes).
    init(path: String) throws(CLIError) {
        let partial = "\(path).partial-\(getpid())"
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("-o: cannot create \(partial): \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.path = path
        self.partial = partial
        buffer.reserveCapacity(Self.blockBytes)
    }

    /// Standard output's reader went away (`khaosan export | head`): not a failure of the
    /// export, so the command ends quietly, as if the reader had taken everything it wanted.
    static let readerGone = CLIError("the reader of standard output has gone", exitCode: 0)

    func write(_ s: String) throws(CLIError) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= Self.blockBytes { try flush() }
    }

    func flush() throws(CLIError) {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EPIPE && path == nil { throw Self.readerGone }
            if n <= 0 {
                let reason = n < 0 ? String(cString: strerror(errno)) : "nothing written"
                throw CLIError("cannot write \(path ?? "to standard output"): \(reason)")
            }
            off += n
        }
        flushed += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes; a file is fsync'ed and renamed to its name.
    func finish() throws(CLIError) {
        try flush()
        guard let path, let partial else { return }
        guard fsync(fd) == 0 else { throw CLIError("cannot write \(path): fsync: \(String(cString: strerror(errno)))") }
        close(fd)
        guard rename(partial, path) == 0 else { throw CLIError("cannot rename \(partial) to \(path): \(String(cString: strerror(errno)))") }
    }

    /// After a failure: a file's partial copy is removed.
    func abandon() {
        guard let partial else { return }
        close(fd)
        unlink(partial)
    }
}
