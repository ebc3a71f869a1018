import ArgumentParser
import KhaosanRPC
import KhaosanWire

/// `khaosan metrics`: each service's metrics in the Prometheus text format, over its socket.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the services' metrics (Prometheus text format).",
        discussion: """
            Asks each service for its metrics over its socket (Observability/Metrics): call \
            counts, errors by status code and latency histograms per method, ingest outcomes, \
            journal lag, index and store sizes. Without --ingest or --query, both services, each \
            under a header line "# khaosan-ingestd <socket>" (a comment to a Prometheus parser).

            With --json, one object per service: service (ingestd or queryd), socket, then text \
            (the exposition) or error.

            Exit status 0, 3 when a service cannot be reached (the other is still printed), 1 on \
            another error.
            """
    )

    @Flag(help: "Only khaosan-ingestd.")
    var ingest = false
    @Flag(help: "Only khaosan-queryd.")
    var query = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let both = ingest == query
        var targets: [(String, Service)] = []
        if both || ingest { targets.append(("ingestd", service.ingest())) }
        if both || query { targets.append(("queryd", service.query())) }
        var failure: CLIError?
        for (i, (name, svc)) in targets.enumerated() {
            let result: Result<String, CLIError>
            do {
                let response: MetricsResponse = try await svc.call { client in
                    try await client.unary(KhaosanMethods.metrics, MetricsRequest())
                }
                result = .success(response.text)
            } catch let e as CLIError {
                result = .failure(e)
            } catch {
                result = .failure(CLIError("\(error)"))
            }
            if output.json {
                var pairs: [(String, JSONValue)] = [("service", .string(name)), ("socket", .string(svc.socketPath))]
                switch result {
                case .success(let text): pairs.append(("text", .string(text)))
                case .failure(let e): pairs.append(("error", .string(e.message)))
                }
                StdOut.line(JSONValue.object(pairs).encoded())
            } else {
                if targets.count > 1 {
                    if i > 0 { StdOut.line("") }
                    StdOut.line("# \(svc.name) \(svc.socketPath)")
                }
                if case .success(let text) = result { StdOut.write(text) }
            }
            if case .failure(let e) = result {
                if !output.json { StdErr.line("khaosan: \(e.message)") }
                // Unreachable (3) outranks another error (1): it is what the operator fixes first.
                if failure == nil || e.exitCode == 3 { failure = e }
            }
        }
        if let failure { throw ExitCode(failure.exitCode) }
    }
}
