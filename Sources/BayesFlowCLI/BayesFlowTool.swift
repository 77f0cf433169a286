import ArgumentParser
import BayesFlow
import Foundation

/// The `bayesflow` command-line tool (docs/cli.md).
@main
struct BayesFlowTool: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bayesflow",
    abstract: "Amortized Bayesian inference for simulators with conditional invertible networks.",
    subcommands: [SimulatorsCommand.self, SimulateCommand.self, InspectCommand.self, BenchCommand.self])

  /// Runs the tool; every error is one line on stderr and exit status 2 (help and version exit 0).
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .success { exit(withError: error) }
      let text: String
      switch error {
      case is InputError, is ConfigError, is SimulationError: text = "\(error)"
      case let e as CustomStringConvertible where !(error is ExitCode) && !isArgumentParserError(error): text = e.description
      default: text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
      }
      FileHandle.standardError.write(Data("bayesflow: \(text)\n".utf8))
      Foundation.exit(2)
    }
  }

  static func isArgumentParserError(_ error: Error) -> Bool {
    String(reflecting: type(of: error)).contains("ArgumentParser")
  }
}
