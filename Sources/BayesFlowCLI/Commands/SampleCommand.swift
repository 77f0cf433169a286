import ArgumentParser
import BayesFlow
import Foundation
import HDF5
import Simulators

/// `bayesflow sample`: posterior draws for one or many observations.
struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample", abstract: "Draw from the posterior of a trained model for one or many observations.")

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(help: ArgumentHelp("Observation(s): .json, .csv or .h5 (docs/cli.md).", valueName: "file"))
  var observation: String

  @Option(help: ArgumentHelp("Draws per observation.", valueName: "n"))
  var samples: Int = 1000

  @Option(help: ArgumentHelp("Seed of the random streams (same seed, same draws).", valueName: "s"))
  var seed: UInt64 = 1

  @Option(help: ArgumentHelp("Output: .csv (default: stdout) or .h5 ([K, N, P] array).", valueName: "file"))
  var out: String?

  @Flag(help: "Print mean, sd, median, 2.5%, 97.5% and the 95% HDI per parameter instead of draws.")
  var summary = false

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  func validate() throws {
    guard samples >= 1 else { throw ValidationError("--samples must be a positive integer, got \(samples)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let out, !(out.hasSuffix(".csv") || out.hasSuffix(".h5") || out == "-") {
      throw ValidationError("--out must end in .csv or .h5, got \(out)")
    }
  }

  func run() throws {
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    if let threads { posterior.threads = threads }
    let observations = try ObservationFile.read(observation, shape: posterior.observationShape)
    let k = observations.count
    let draws: [[[Double]]]
    do { draws = try posterior.sample(observations, count: samples, seed: seed) } catch let e as InputError {
      throw InputError(observation, e.message)
    }
    if summary {
      var text = ""
      for (i, d) in draws.enumerated() {
        if k > 1 { text += "observation \(i)\n" }
        text += "parameter        mean         sd     median       2.5%      97.5%   95% HDI\n"
        for s in posterior.summarize(d) {
          text += s.name.padding(toLength: max(12, s.name.count), withPad: " ", startingAt: 0)
          text += [s.mean, s.sd, s.median, s.q025, s.q975].map { String(format: " %10.4g", $0) }.joined()
          text += String(format: "   [%.4g, %.4g]\n", s.hdiLower, s.hdiUpper)
        }
      }
      try writeOutput(text, to: out)
      return
    }
    let derivedNames = posterior.simulator.derivedQuantityNames
    if let out, out.hasSuffix(".h5") {
      let p = posterior.parameterNames.count
      try H5File.createAtomically(at: out) { f in
        try f.createDataset("samples", values: draws.flatMap { $0.flatMap { $0 } }, shape: [k, samples, p], options: .compressed())
        try f.setAttribute("parameter_names", to: posterior.parameterNames)
        try f.setAttribute("seed", to: seed)
        try f.setAttribute("checkpoint", to: checkpoint)
        if !derivedNames.isEmpty {
          try f.createDataset("derived", values: draws.flatMap { posterior.derived($0).flatMap { $0 } }, shape: [k, samples, derivedNames.count])
          try f.setAttribute("derived_names", to: derivedNames)
        }
      }
      return
    }
    var text = (k > 1 ? ["observation"] : []) + posterior.parameterNames + derivedNames
    var lines = [text.joined(separator: ",")]
    lines.reserveCapacity(k * samples + 1)
    for (i, d) in draws.enumerated() {
      let derived = posterior.derived(d)
      for (r, row) in d.enumerated() {
        text = (k > 1 ? [String(i)] : []) + (row + derived[r]).map(formatNumber)
        lines.append(text.joined(separator: ","))
      }
    }
    try writeOutput(lines.joined(separator: "\n") + "\n", to: out)
  }
}
