import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow simulate CONFIG --count N --out data.h5`: a dataset of simulations.
struct SimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate", abstract: "Simulate (θ, y) pairs from the prior into an HDF5 dataset.")

  @Argument(help: ArgumentHelp("Run configuration (JSON); its simulator section is used.", valueName: "config"))
  var config: String

  @Option(help: ArgumentHelp("Number of simulations.", valueName: "n"))
  var count: Int

  @Option(help: ArgumentHelp("Output HDF5 file (written atomically).", valueName: "file"))
  var out: String

  @Option(help: ArgumentHelp("Seed of the random streams (default: training.seed of the config).", valueName: "s"))
  var seed: UInt64?

  @Option(help: ArgumentHelp("Worker threads (default: all cores).", valueName: "n"))
  var threads: Int?

  @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value, e.g. simulator.options.dimension=5.", valueName: "key=value"))
  var overrides: [String] = []

  func validate() throws {
    guard count > 0 else { throw ValidationError("--count must be a positive integer, got \(count)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    guard out.hasSuffix(".h5") || out.hasSuffix(".hdf5") else { throw ValidationError("--out must name an .h5 file, got \(out)") }
  }

  func run() throws {
    let json = try ConfigFile.load(config, overrides: overrides)
    let simulator: any Simulator
    do { simulator = try BuiltinSimulators.registry.make(from: json) } catch let e as ConfigError {
      throw InputError(config, e.description)
    }
    let configSeed: Int
    do {
      configSeed = try ConfigObject(json["training"], path: "training").int("seed", default: 1, in: 0...Int.max)
    } catch let e as ConfigError { throw InputError(config, e.description) }
    let runSeed = seed ?? UInt64(configSeed)
    let engine = SimulationEngine(simulator: simulator, seed: runSeed, threads: threads ?? SimulationEngine.defaultThreads)
    let progress = ProgressReporter()
    var lastLine = 0.0
    let written = try SimulationDataset.write(to: out, engine: engine, count: count) { done, total in
      let rate = Double(done) / max(progress.elapsed, 1e-9)
      let status = "simulate \(ProgressReporter.bar(Double(done) / Double(total))) \(done)/\(total)  "
        + String(format: "%.0f sims/s", rate) + "  ETA \(ProgressReporter.duration(Double(total - done) / rate))"
      if progress.isTerminal { progress.live(status) } else if progress.elapsed - lastLine > 5 || done == total {
        lastLine = progress.elapsed
        progress.line(status)
      }
    }
    progress.line(String(format: "wrote %d simulations (%d failed) to %@ in %.1f s (%.0f simulations/s)",
                         written, engine.failed, out, progress.elapsed, Double(count) / progress.elapsed))
  }
}
