package import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A disk that fails under a running process, for tests of write and fsync errors: an ext4 file
/// system on a loop device whose sparse backing file lives on a small tmpfs. Writes land in the
/// page cache and succeed; once `exhaustBacking()` has filled the tmpfs, writeback cannot reach
/// the backing file and every fsync fails, as on a disk that has gone bad. Root only.
package final class FailingDisk: @unchecked Sendable {
    /// Where the ext4 file system is mounted.
    package let mountPoint: String
    private let backing: String
    private var mounted: [String] = []

    package static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.ext4")
            && FileManager.default.fileExists(atPath: "/dev/loop-control")
    }

    /// Makes it under `directory` (which must exist).
    package init(in directory: String) throws {
        backing = directory + "/backing"
        mountPoint = directory + "/disk"
        for d in [backing, mountPoint] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try Self.run("/bin/mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", backing)
        mounted.append(backing)
        try Self.run("/usr/bin/truncate", "-s", "64m", backing + "/image")
        try Self.run("/usr/sbin/mkfs.ext4", "-q", "-F", backing + "/image")
        try Self.run("/bin/mount", "-o", "loop", backing + "/image", mountPoint)
        mounted.append(mountPoint)
    }

    /// Fills the tmpfs under the image: from now on nothing more reaches the "disk".
    package func exhaustBacking() {
        let fd = open(backing + "/filler", O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0, count: 1 << 16)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
    }

    /// Unmounts both (the loop device is released with its mount).
    package func remove() {
        for m in mounted.reversed() { try? Self.run("/bin/umount", m) }
        mounted.removeAll()
    }

    private static func run(_ tool: String, _ arguments: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "FailingDisk", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.joined(separator: " ")) exited \(p.terminationStatus)"])
        }
    }
}
