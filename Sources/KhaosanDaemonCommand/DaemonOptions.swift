package import ArgumentParser
package import KhaosanDaemon
package import Logging

/// The options both daemons take alike (`@OptionGroup` in each serve command): logging and the
/// metrics textfile.
package struct DaemonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    package var logLevel: String?
    @Option(help: ArgumentHelp("Also write the metrics to this node_exporter textfile-collector file (name it *.prom), every --metrics-interval seconds; atomically (temp file, rename).", valueName: "path"))
    package var metricsTextfile: String?
    @Option(help: "Seconds between writes of --metrics-textfile (default 15).")
    package var metricsInterval: Double = 15

    package init() {}

    /// Bootstraps logging at the flag's level, else the config file's `log_level`.
    package func bootstrapLogging(_ file: ConfigFile) {
        DaemonRunner.bootstrapLogging(level: logLevel ?? file["log_level"])
    }

    /// The textfile writer the flags (or the config file's `metrics_textfile`) ask for, if any.
    package func textfile(_ file: ConfigFile, exposition: MetricsExposition?, logger: Logger) throws -> MetricsTextfile? {
        guard let path = metricsTextfile ?? file["metrics_textfile"], let exposition else { return nil }
        guard metricsInterval > 0, metricsInterval.isFinite else {
            throw ValidationError("--metrics-interval must be a positive number of seconds, got \(metricsInterval)")
        }
        return MetricsTextfile(path: path, interval: .milliseconds(Int64(metricsInterval * 1000)), exposition: exposition, logger: logger)
    }
}
