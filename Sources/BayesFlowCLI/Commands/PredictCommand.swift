import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow predict`: posterior predictive quantiles of one observation, next to the data.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Simulate at posterior draws of one observation; write predictive quantiles per row and channel next to the data.",
    discussion: """
      Output CSV, one line per row (time step) and channel: row,channel,observed,q0.025,q0.25,q0.5,q0.75,q0.975 \
      (the levels of --levels). A summary (the fraction of observed values inside the 50% and 95% bands per \
      channel, and dropped simulations) goes to stderr.
      """)

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(help: ArgumentHelp("One observation: .json, .csv or .h5.", valueName: "file"))
  var observation: String

  @Option(help: ArgumentHelp("Posterior draws, one predictive simulation each.", valueName: "n"))
  var samples: Int = 1000

  @Option(help: ArgumentHelp("Seed of the draws and the simulations (same seed, same output).", valueName: "s"))
  var seed: UInt64 = 1

  @Option(help: ArgumentHelp("Quantile levels, comma-separated, increasing, each in (0, 1).", valueName: "q,…"))
  var levels: String = "0.025,0.25,0.5,0.75,0.975"

  @Option(help: ArgumentHelp("Output CSV (default: stdout).", valueName: "file"))
  var out: String?

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  func parsedLevels() throws -> [Double] {
    let qs = levels.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !qs.isEmpty, qs.allSatisfy({ $0 != nil && $0! > 0 && $0! < 1 }) else {
      throw ValidationError("--levels must be comma-separated numbers in (0, 1), got \(levels)")
    }
    let values = qs.map { $0! }
    guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw ValidationError("--levels must be increasing, got \(levels)")
    }
    return values
  }

  func validate() throws {
    guard samples >= 1 else { throw ValidationError("--samples must be a positive integer, got \(samples)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let out, !(out.hasSuffix(".csv") || out == "-") { throw ValidationError("--out must end in .csv, got \(out)") }
    _ = try parsedLevels()
  }

  func run() throws {
    // Everything that can be wrong with the inputs is checked before any work.
    try checkOutputPath(out, flag: "--out")
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    if let threads { posterior.threads = threads }
    let observations = try ObservationFile.read(observation, shape: posterior.observationShape)
    guard observations.count == 1 else {
      throw InputError(observation, "\(observations.count) observations given; predict takes one")
    }
    let qs = try parsedLevels()
    let pp: PosteriorPredictive
    do { pp = try PosteriorPredictive(posterior: posterior, observation: observations[0], draws: samples, seed: seed, levels: qs) } catch let e as InputError {
      throw InputError(observation, e.message)
    }
    var lines = [(["row", "channel", "observed"] + qs.map { "q\(formatNumber($0))" }).joined(separator: ",")]
    let q = pp.quantiles
    for t in 0..<q.timeSteps {
      for c in 0..<q.channels {
        lines.append(([String(t), pp.channelNames[c], formatNumber(pp.observed[t][c])]
                      + qs.indices.map { formatNumber(q.quantile($0, time: t, channel: c)) }).joined(separator: ","))
      }
    }
    try writeOutput(lines.joined(separator: "\n") + "\n", to: out)
    var note = "predict: \(pp.draws) posterior draws, \(pp.draws - pp.failed) simulations used"
    if pp.failed > 0 { note += " (\(pp.failed) failed or too short, dropped)" }
    FileHandle.standardError.write(Data((note + "\n").utf8))
    for (c, name) in pp.channelNames.enumerated() {
      var parts: [String] = []
      for level in [0.5, 0.95] {
        if let f = pp.insideFraction(level: level, channel: c) { parts.append(String(format: "%.0f%% band %.3f", level * 100, f)) }
      }
      guard !parts.isEmpty else { continue }
      FileHandle.standardError.write(Data("  \(name): observed inside \(parts.joined(separator: ", "))\n".utf8))
    }
  }
}
