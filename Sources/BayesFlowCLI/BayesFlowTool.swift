import ArgumentParser
import BayesFlow
import CBLAS
import Foundation

/// The `bayesflow` command-line tool (docs/cli.md).
@main
struct BayesFlowTool: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bayesflow",
    abstract: "Amortized Bayesian inference for simulators with conditional invertible networks.",
    subcommands: [SimulatorsCommand.self, SimulateCommand.self, FitCommand.self, SampleCommand.self, LogProbCommand.self,
                  CalibrateCommand.self, ABCCommand.self, ValidateCommand.self, InspectCommand.self, BenchCommand.self])

  /// Runs the tool; every error is one line on stderr and exit status 2 (help and version exit 0).
  static func main() {
    runOpenBLASSingleThreaded()
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

  /// bayesflow parallelises over simulations and batch shards itself; OpenBLAS's own thread
  /// pool would compete for the same cores (its idle workers spin). The pool size is fixed when
  /// the library loads, before `main`, so the tool re-executes itself once with
  /// OPENBLAS_NUM_THREADS=1 unless the user has set it.
  static func runOpenBLASSingleThreaded() {
    guard getenv("OPENBLAS_NUM_THREADS") == nil else { return }
    setenv("OPENBLAS_NUM_THREADS", "1", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: continue with the pool, limited to one thread per call.
    bf_blas_set_threads(1)
  }

  static func isArgumentParserError(_ error: Error) -> Bool {
    String(reflecting: type(of: error)).contains("ArgumentParser")
  }
}
