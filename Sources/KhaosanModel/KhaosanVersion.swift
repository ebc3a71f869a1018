/// The release of Khaosan these binaries belong to: reported by both services (Status, Stats) and
/// by `khaosan --version`, so a mismatch between the CLI and a service is visible.
package enum KhaosanVersion {
    package static let current = "0.1.0"
}
