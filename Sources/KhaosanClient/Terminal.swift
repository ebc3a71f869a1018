import ArgumentParser
import Foundation
import Glibc
import Synchronization

/// `--color`: auto follows the terminal and NO_COLOR; always and never are what they say.
package enum ColorChoice: String, Sendable, CaseIterable, ExpressibleByArgument {
    case auto, always, never

    /// Colour on stdout? `auto`: only when stdout is a terminal, TERM is not `dumb` and NO_COLOR
    /// is unset or empty (https://no-color.org). An explicit `always` wins over NO_COLOR.
    package func enabled(isTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let nc = environment["NO_COLOR"], !nc.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return isTerminal
        }
    }
}

/// SGR escape codes, or nothing at all when colour is off.
package struct Style: Sendable {
    package var enabled: Bool
    package init(enabled: Bool) { self.enabled = enabled }

    package static let plain = Style(enabled: false)

    private func wrap(_ s: String, _ code: String) -> String {
        enabled && !s.isEmpty ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }
    package func bold(_ s: String) -> String { wrap(s, "1") }
    package func dim(_ s: String) -> String { wrap(s, "2") }
    package func green(_ s: String) -> String { wrap(s, "32") }
    package func yellow(_ s: String) -> String { wrap(s, "33") }
    package func red(_ s: String) -> String { wrap(s, "31") }
    package func cyan(_ s: String) -> String { wrap(s, "36") }
    package func blue(_ s: String) -> String { wrap(s, "34") }
    /// Search matches: bold red, as grep and ripgrep show them.
    package func match(_ s: String) -> String { wrap(s, "1;31") }

    /// Runs rendered with `match` around the highlighted ones.
    package func render(_ runs: [StyledRun]) -> String {
        var out = ""
        for r in runs { out += r.highlighted ? match(r.text) : r.text }
        return out
    }
}

/// `snippet` with ANSI codes around exactly the clusters the UTF-8 byte `highlights` cover, or
/// the snippet unchanged when colour is off.
package func renderHighlighted(_ snippet: String, highlights: [Range<Int>], style: Style) -> String {
    style.render(styledRuns(snippet, highlights: highlights))
}

package enum Terminal {
    package static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    package static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Columns of the terminal on `fd`, else $COLUMNS, else 80.
    package static func width(fd: Int32 = 1) -> Int {
        var ws = winsize()
        if isatty(fd) == 1, ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }
}

/// Unbuffered writes to stderr (progress and diagnostics must appear at once).
package enum StdErr {
    package static func write(_ s: String) { writeAll(2, Array(s.utf8)) }
    package static func line(_ s: String) { write(s + "\n") }
}

/// stdout, buffered in 64 KiB blocks into a pipe or file and flushed per line on a terminal, so
/// `khaosan search --json | jq` gets whole lines and a terminal sees output as it comes.
package enum StdOut {
    private static let buffer = Mutex<[UInt8]>([])
    private static let lineBuffered = isatty(1) == 1

    package static func line(_ s: String) { write(s + "\n") }

    package static func write(_ s: String) {
        let full = buffer.withLock { b -> [UInt8]? in
            b.append(contentsOf: s.utf8)
            guard lineBuffered || b.count >= 64 << 10 else { return nil }
            defer { b.removeAll(keepingCapacity: true) }
            return b
        }
        if let full { writeAll(1, full) }
    }

    package static func flush() {
        let pending = buffer.withLock { b -> [UInt8] in
            defer { b.removeAll(keepingCapacity: true) }
            return b
        }
        if !pending.isEmpty { writeAll(1, pending) }
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        off += n
    }
}
