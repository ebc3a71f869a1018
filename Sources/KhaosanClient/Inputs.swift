package import KhaosanModel
import Foundation
import Glibc

/// An error the CLI reports as one line on stderr (`khaosan: <message>`) with an exit status.
package struct CLIError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var exitCode: Int32
    package init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }
    package var description: String { message }

    /// Exit status 2: the command line itself is wrong.
    package static func usage(_ message: String) -> CLIError { CLIError(message, exitCode: 2) }
}

/// Parses a date given to `option` (e.g. `--from`): ISO `2023-10-01`, or a Thai date as thaigov
/// writes them: `1/10/2566` (day/month/Buddhist-era year), `1 ต.ค. 2566`, `1 ตุลาคม 2566`, Thai
/// digits allowed. A 4-digit year below 2400 is Gregorian (`1/10/2023`).
package func parseDateArgument(_ text: String, option: String) throws(CLIError) -> CivilDate {
    let t = text.trimmingCharacters(in: .whitespaces)
    if let d = CivilDate(iso: t) ?? ThaiCalendar.parseThaiDate(t) { return d }
    throw .usage(
        "\(option): \"\(text)\" is not a date; use YYYY-MM-DD (2023-10-01), D/M/YYYY in the Buddhist era (1/10/2566) or a Thai date (1 ต.ค. 2566)")
}

/// A file found by `walkPaths`.
package struct WalkedFile: Sendable, Hashable {
    /// The path as given on the command line, or joined below a given directory.
    package var path: String
    package var size: Int64
    package init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
    /// The last path component.
    package var baseName: String {
        guard let slash = path.utf8.lastIndex(of: 0x2F) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }
}

/// Expands command-line paths into regular files: a file is taken as is (whatever its name), a
/// directory is walked recursively in byte order of names, skipping hidden entries (names starting
/// with `.`), and anything that is not a regular file (sockets, FIFOs, devices). Symbolic links to
/// files are followed; links to directories are not entered, so a loop cannot trap the walk.
/// A path that does not exist, or is given but is not a file or directory, is an error naming it.
package func walkPaths(_ paths: [String]) throws(CLIError) -> [WalkedFile] {
    var out: [WalkedFile] = []
    for p in paths {
        var st = stat()
        guard stat(p, &st) == 0 else {
            throw .usage("\(p): \(String(cString: strerror(errno)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: out.append(WalkedFile(path: p, size: Int64(st.st_size)))
        case S_IFDIR: try walkDirectory(p, into: &out)
        default: throw .usage("\(p): not a regular file or directory")
        }
    }
    return out
}

private func walkDirectory(_ dir: String, into out: inout [WalkedFile]) throws(CLIError) {
    guard let d = opendir(dir) else {
        throw CLIError("\(dir): \(String(cString: strerror(errno)))")
    }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasPrefix(".") { continue }
        names.append(name)
    }
    closedir(d)
    names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    let prefix = dir.hasSuffix("/") ? dir : dir + "/"
    for name in names {
        let full = prefix + name
        var lst = stat()
        guard lstat(full, &lst) == 0 else { continue }
        switch lst.st_mode & S_IFMT {
        case S_IFREG:
            out.append(WalkedFile(path: full, size: Int64(lst.st_size)))
        case S_IFDIR:
            try walkDirectory(full, into: &out)
        case S_IFLNK:
            var st = stat()
            if stat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
                out.append(WalkedFile(path: full, size: Int64(st.st_size)))
            }
        default:
            continue
        }
    }
}

/// What reading an input gave: its bytes, or the news that it is over the limit (`size` is the
/// file's size, or for a pipe the bytes read before stopping, which are at least limit + 1).
package enum InputBytes {
    case bytes([UInt8])
    case tooLarge(size: Int)
}

/// Reads a whole file (or standard input for `-`), refusing one over `limit` bytes before reading
/// it whole: from its size when it is a regular file, else by stopping one byte past the limit
/// (issue 13, item 8: a 300 MB file was read into 565 MB of memory before being refused).
package func readInput(_ path: String, limit: Int) throws(CLIError) -> InputBytes {
    let fd = path == "-" ? dup(0) : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CLIError("\(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) > limit {
        return .tooLarge(size: Int(st.st_size))
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while bytes.count <= limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw CLIError("\(path): \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[..<n])
    }
    return bytes.count > limit ? .tooLarge(size: bytes.count) : .bytes(bytes)
}

/// Reads a whole file (or standard input for `-`) of at most `limit` bytes, else a too-large
/// error naming the limit.
package func readInput(_ path: String, limit: Int = ReleaseParser.defaultMaxBytes) throws(CLIError) -> [UInt8] {
    switch try readInput(path, limit: limit) as InputBytes {
    case .bytes(let b): return b
    case .tooLarge(let size): throw CLIError("\(path): \(tooLargeMessage(size: size, limit: limit))")
    }
}

/// "N bytes; the limit is L bytes (...)": the limit a release file must keep, and why.
package func tooLargeMessage(size: Int, limit: Int) -> String {
    "\(size) bytes\(size > limit + 1 ? "" : " or more"); a release file may have at most \(limit) bytes (4 MiB, the largest RPC message, less 64 KiB kept for what carries it)"
}

/// How a file is sent or parsed: `.json` files are structured releases, anything else thaigov text
/// with its base name (which may carry the category). Standard input (`-`) is structured when its
/// first non-blank byte is `{`.
package func rawRelease(path: String, baseName: String, bytes: [UInt8]) -> RawRelease {
    let isJSON: Bool
    if path == "-" {
        isJSON = bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) == 0x7B
    } else {
        isJSON = baseName.lowercased().hasSuffix(".json")
    }
    let name = path == "-" ? "stdin" : baseName
    return isJSON ? .structuredJSON(fileName: name, bytes: bytes) : .thaigovFile(fileName: name, bytes: bytes)
}
