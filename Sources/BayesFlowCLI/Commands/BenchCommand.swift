import ArgumentParser
import BayesFlow
import CBLAS
import Foundation
import Simulators

/// `bayesflow bench [--case NAME]`: the speed measurements of docs/benchmarks.md, and the
/// accuracy check of docs/accuracy.md (`--case accuracy`, never part of the default set).
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Measure training, sampling and simulation speed (docs/benchmarks.md), or accuracy (--case accuracy, docs/accuracy.md).")

  enum Case: String, ExpressibleByArgument, CaseIterable {
    case mlp
    case train
    case query
    case simulate
    case timeseries
    case accuracy
    /// The speed cases run by a plain `bayesflow bench`.
    static let speed: [Case] = [.mlp, .train, .query, .simulate, .timeseries]
  }

  @Option(name: .customLong("case"), help: ArgumentHelp("Benchmark case: \(Case.allCases.map(\.rawValue).joined(separator: ", ")) (default: all but accuracy).", valueName: "name"))
  var benchCase: Case?

  @OptionGroup(title: "Accuracy (--case accuracy)")
  var accuracy: AccuracyArguments

  @Option(help: ArgumentHelp("Also write the results as JSON.", valueName: "file"))
  var json: String?

  @Option(help: ArgumentHelp("Optimizer steps to time (default per case).", valueName: "n"))
  var steps: Int?

  func run() throws {
    if benchCase == .accuracy { return try accuracy.run() }
    bf_blas_set_threads(1)
    var results: [BenchmarkResult] = []
    for c in benchCase.map({ [$0] }) ?? Case.speed {
      switch c {
      case .accuracy: break
      case .mlp: results.append(MLPBenchmark.run(steps: steps ?? 2000))
      case .query:
        for sim in [TwoMoons(), GaussianLinear()] as [any Simulator] {
          results.append(try QueryBenchmark.run(simulator: sim, registry: BuiltinSimulators.registry, threads: 2))
        }
      case .simulate:
        for sim in [TwoMoons(), InverseKinematics()] as [any Simulator] {
          for threads in [1, 2] { results.append(try SimulationBenchmark.run(simulator: sim, count: 2_000_000, threads: threads)) }
        }
        for threads in [1, 2] { results.append(try SimulationBenchmark.run(simulator: try SECIRD(), count: 4000, threads: threads)) }
      case .timeseries:
        results.append(TimeSeriesBenchmark.layers())
        for (threads, shards) in [(1, 1), (2, 2)] {
          results.append(try TimeSeriesBenchmark.anchor(threads: threads, shards: shards, steps: steps ?? 60))
        }
      case .train:
        for sim in [TwoMoons(), GaussianLinear()] as [any Simulator] {
          // Our two shards on two threads vs. one shard with OpenBLAS using both cores.
          for (threads, shards, blas) in [(1, 1, 1), (2, 2, 1), (1, 1, 2)] {
            results.append(try TrainingBenchmark.run(simulator: sim, threads: threads, shards: shards, blasThreads: blas, steps: steps ?? 1000))
          }
        }
      }
    }
    for r in results {
      print("\(r.name):")
      for n in r.notes { print("  \(n)") }
      for (k, v) in r.values { print("  \(k): \(String(format: v < 10 ? "%.3f" : "%.1f", v))") }
    }
    if let json {
      // One object per measurement (a case can appear several times, e.g. per thread count).
      let obj = JSONValue.array(results.map { r in
        JSONValue.object([("case", JSONValue.string(r.name))]
          + r.values.map { ($0.key, JSONValue.number($0.value, literal: String(format: "%.6g", $0.value))) })
      })
      try Data(obj.prettyText().utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
    }
  }
}
