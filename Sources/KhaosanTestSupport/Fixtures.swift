package import Foundation

/// Real thaigov files and crafted bad ones, bundled for tests of every module.
///
/// `corpus/` holds copies of real releases (2020-2024) chosen to cover the odd variants the corpus
/// README lists; `bad/` holds crafted invalid inputs; `json/` holds structured releases.
package enum Fixtures {
    package static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures", isDirectory: true)
    }

    package static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    package static func bytes(_ relativePath: String) -> [UInt8] {
        let u = url(relativePath)
        guard let d = FileManager.default.contents(atPath: u.path) else {
            fatalError("fixture missing: \(u.path)")
        }
        return Array(d)
    }

    /// Every file under `corpus/`, sorted by path.
    package static func corpusFiles() -> [URL] {
        files(under: "corpus")
    }

    /// Every file under `bad/`, sorted by path.
    package static func badFiles() -> [URL] {
        files(under: "bad")
    }

    static func files(under sub: String) -> [URL] {
        let root = url(sub)
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [URL] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = root.appendingPathComponent(p)
            if FileManager.default.fileExists(atPath: full.path, isDirectory: &isDir), !isDir.boolValue {
                out.append(full)
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// A fresh, empty directory under /tmp with a short path (Unix socket paths are limited to
    /// 107 bytes).
    package static func temporaryDirectory(_ prefix: String) throws -> URL {
        var template = Array("/tmp/\(prefix.prefix(16))-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mkdtemp failed for /tmp/\(prefix)-XXXXXX: errno \(errno)"])
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return URL(fileURLWithPath: path, isDirectory: true)
    }
}
