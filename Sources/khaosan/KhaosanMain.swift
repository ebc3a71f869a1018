import KhaosanClient

@main
struct KhaosanMain {
    static func main() async { await KhaosanCLI.main() }
}
