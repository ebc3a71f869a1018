import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin wrappers over the POSIX calls the journal relies on. FileHandle hides which of write/fsync/
// fdatasync actually ran and when; durability arguments need to see each call.
enum JournalIO {
    static func errnoText(_ e: Int32 = errno) -> String {
        String(cString: strerror(e)) + " (errno \(e))"
    }

    static func closeFD(_ fd: Int32) {
        // No retry on EINTR: on Linux the descriptor is released even then.
        _ = close(fd)
    }

    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o640) throws -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw JournalError(.io, "open: \(errnoText())", path: path, systemError: errno)
        }
    }

    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError(.io, "write of \(bytes.count) bytes at offset \(offset): \(errnoText())", path: path, systemError: errno)
            }
            done += n
        }
    }

    static func preadAll(_ fd: Int32, count: Int, at offset: Int, path: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { buf in
            while done < count {
                let n = pread(fd, buf.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw JournalError(.io, "read of \(count) bytes at offset \(offset): \(errnoText())", path: path)
                }
                if n == 0 {
                    throw JournalError(.corrupt, "file ends at \(offset + done), expected \(offset + count) bytes", path: path)
                }
                done += n
            }
        }
        return out
    }

    static func fileSize(_ fd: Int32, path: String) throws -> Int {
        var st = stat()
        if fstat(fd, &st) != 0 { throw JournalError(.io, "fstat: \(errnoText())", path: path) }
        return Int(st.st_size)
    }

    static func dataSync(_ fd: Int32, path: String) throws {
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw JournalError(.io, "fdatasync: \(errnoText())", path: path, systemError: errno)
        }
    }

    static func fullSync(_ fd: Int32, path: String) throws {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw JournalError(.io, "fsync: \(errnoText())", path: path, systemError: errno)
        }
    }

    /// Makes creations, renames and deletions of entries in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = try openFile(directory, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fullSync(fd, path: directory)
    }

    static func truncate(_ fd: Int32, to size: Int, path: String) throws {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno == EINTR { continue }
            throw JournalError(.io, "ftruncate to \(size): \(errnoText())", path: path, systemError: errno)
        }
    }

    /// Writes a small file atomically and durably: temp file, fsync, rename, fsync directory.
    static func replaceFile(_ path: String, with bytes: [UInt8], directory: String) throws {
        let tmp = path + ".tmp"
        let fd = try openFile(tmp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try bytes.withUnsafeBytes { try pwriteAll(fd, $0, at: 0, path: tmp) }
            try fullSync(fd, path: tmp)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        if rename(tmp, path) != 0 {
            throw JournalError(.io, "rename from \(tmp): \(errnoText())", path: path)
        }
        try syncDirectory(directory)
    }

    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw JournalError(.io, "unlink: \(errnoText())", path: path)
        }
    }
}

// On-disk record: [u32 LE payload length][u32 LE CRC32C][u64 LE sequence][payload]. The CRC covers the
// length bytes, the sequence bytes and the payload, so a torn header is caught as surely as a torn body.
enum JournalRecordFormat {
    static let headerSize = 16

    static func checksum(lengthAndRest header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: header[0..<4]))
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: header[8..<16]))
        return CRC32C.update(crc, payload)
    }

    static func append(sequence: UInt64, payload: [UInt8], to out: inout [UInt8]) {
        var header = [UInt8](repeating: 0, count: headerSize)
        store(UInt32(payload.count), into: &header, at: 0)
        store(sequence, into: &header, at: 8)
        let crc = header.withUnsafeBytes { h in
            payload.withUnsafeBytes { p in checksum(lengthAndRest: h, payload: p) }
        }
        store(crc, into: &header, at: 4)
        out.append(contentsOf: header)
        out.append(contentsOf: payload)
    }

    static func store<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { src in
            for i in 0..<src.count { bytes[offset + i] = src[i] }
        }
    }

    static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    enum Parse {
        case record(sequence: UInt64, payloadRange: Range<Int>, end: Int)
        /// Not a valid record: the log ends here (or, outside the last segment, is damaged here).
        case invalid(String)
    }

    /// Parses the record starting at `offset` in `bytes` (which end at end of file).
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int, maxRecordBytes: Int) -> Parse {
        let remaining = bytes.count - offset
        if remaining < headerSize {
            return .invalid("incomplete record header (\(remaining) of \(headerSize) bytes)")
        }
        let length = Int(load(UInt32.self, bytes, at: offset))
        if length > maxRecordBytes {
            return .invalid("length field \(length) exceeds maxRecordBytes \(maxRecordBytes)")
        }
        if remaining - headerSize < length {
            return .invalid("record of \(length) payload bytes runs past end of file (\(remaining - headerSize) left)")
        }
        let stored = load(UInt32.self, bytes, at: offset + 4)
        let header = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + headerSize)])
        let payloadRange = (offset + headerSize)..<(offset + headerSize + length)
        let actual = checksum(lengthAndRest: header, payload: UnsafeRawBufferPointer(rebasing: bytes[payloadRange]))
        if actual != stored {
            return .invalid(
                "checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(actual, radix: 16)))"
            )
        }
        return .record(sequence: load(UInt64.self, bytes, at: offset + 8), payloadRange: payloadRange, end: payloadRange.upperBound)
    }
}
