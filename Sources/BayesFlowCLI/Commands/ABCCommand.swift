import ArgumentParser
import BayesFlow
import Foundation
import HDF5
import Simulators

extension ABCScaling: ExpressibleByArgument {}

/// `bayesflow abc CONFIG --observation FILE --budget N --keep K`: the rejection-ABC baseline.
struct ABCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "abc",
    abstract: "Rejection ABC: keep the K of N prior-predictive simulations nearest to the observation.",
    discussion: """
      Simulation i uses random stream (seed, i), so the kept draws do not depend on --threads. \
      Several observations in FILE share one pass over the N simulations. The tolerance (distance \
      of the K-th and (K+1)-th nearest draw), the acceptance rate K/N and simulations/s go to stderr.
      """)

  @Argument(help: ArgumentHelp("Run configuration (JSON); its simulator section is used.", valueName: "config"))
  var config: String

  @Option(help: ArgumentHelp("Observation(s): .json, .csv or .h5 (docs/cli.md).", valueName: "file"))
  var observation: String

  @Option(help: ArgumentHelp("N, the number of prior-predictive simulations.", valueName: "n"))
  var budget: Int

  @Option(help: ArgumentHelp("K, the number of nearest draws kept per observation.", valueName: "k"))
  var keep: Int

  @Option(help: ArgumentHelp("Output: .csv (default: stdout) or .h5 (/samples [M, K, P]).", valueName: "file"))
  var out: String?

  @Option(help: ArgumentHelp("Seed of the random streams (same seed, same draws).", valueName: "s"))
  var seed: UInt64 = 1

  @Option(help: ArgumentHelp("Distance: standardized (each component divided by its prior-predictive sd) or raw (Euclidean).",
                             valueName: "kind"))
  var distance: ABCScaling = .standardized

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value, e.g. simulator.options.noise=0.01.", valueName: "key=value"))
  var overrides: [String] = []

  func validate() throws {
    guard budget >= 1 else { throw ValidationError("--budget must be a positive integer, got \(budget)") }
    guard keep >= 1 else { throw ValidationError("--keep must be a positive integer, got \(keep)") }
    guard keep <= budget else { throw ValidationError("--keep (\(keep)) must not exceed --budget (\(budget))") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let out, !(out.hasSuffix(".csv") || out.hasSuffix(".h5") || out == "-") {
      throw ValidationError("--out must end in .csv or .h5, got \(out)")
    }
  }

  func run() throws {
    let json = try ConfigFile.load(config, overrides: overrides)
    let simulator: any Simulator
    do { simulator = try BuiltinSimulators.registry.make(from: json) } catch let e as ConfigError {
      throw InputError(config, e.description)
    }
    let observations = try ObservationFile.read(observation, shape: simulator.observationShape)
    var abc = RejectionABC(simulator: simulator, seed: seed, scaling: distance)
    if let threads { abc.threads = threads }
    let progress = ProgressReporter()
    let results: [RejectionABCResult]
    do {
      results = try abc.run(observations, budget: budget, keep: keep, progress: ABCCommand.progressLine(progress))
    } catch let e as RejectionABCError {
      throw InputError(config, e.message)
    }
    for line in ABCCommand.report(results) { progress.line(line) }
    try ABCCommand.write(results, names: simulator.parameterNames, to: out, attributes: { f in
      try f.setAttribute("simulator", to: simulator.name)
      try f.setAttribute("seed", to: seed)
      try f.setAttribute("budget", to: Int64(budget))
      try f.setAttribute("distance", to: distance.rawValue)
    })
  }

  /// A live bar on a terminal, a plain line every 5 s otherwise.
  static func progressLine(_ progress: ProgressReporter, label: String = "abc") -> (Int, Int) -> Void {
    var lastLine = 0.0
    return { done, total in
      let rate = Double(done) / max(progress.elapsed, 1e-9)
      let status = "\(label) \(ProgressReporter.bar(Double(done) / Double(total))) \(done)/\(total)  "
        + String(format: "%.3g sims/s", rate) + "  ETA \(ProgressReporter.duration(Double(total - done) / rate))"
      if progress.isTerminal { progress.live(status) } else if progress.elapsed - lastLine > 5 && done < total {
        lastLine = progress.elapsed
        progress.line(status)
      }
    }
  }

  /// The summary lines: simulations/s, failures, and per observation the tolerances and K/N.
  static func report(_ results: [RejectionABCResult]) -> [String] {
    guard let first = results.first else { return [] }
    var lines = [String(format: "abc: %d simulations in %.2f s (%.3g simulations/s; %.2f CPU-s, %.3g per CPU-s; %d failed), kept %d per observation",
                        first.budget, first.seconds, first.simulationsPerSecond, first.cpuSeconds,
                        Double(first.budget) / max(first.cpuSeconds, 1e-9), first.failures, first.keep),
                 "distance scale (per component): " + first.scale.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
                   + (first.scale.count > 8 ? ", … (\(first.scale.count) components)" : "")]
    for (k, r) in results.enumerated() {
      let next = r.nextDistance.map { String(format: "%.6g", $0) } ?? "n/a (all kept)"
      lines.append((results.count > 1 ? "observation \(k): " : "")
        + String(format: "tolerance %.6g (K-th), %@ ((K+1)-th); acceptance rate %.3g", r.tolerance, next, r.acceptanceRate))
    }
    return lines
  }

  /// CSV (header of parameter names, an `observation` column when several) or HDF5
  /// (/samples [M, K, P], /distances [M, K], /indices [M, K]), written atomically.
  static func write(_ results: [RejectionABCResult], names: [String], to out: String?,
                    attributes: (H5File) throws -> Void) throws {
    let m = results.count, k = results[0].keep, p = names.count
    if let out, out.hasSuffix(".h5") {
      try H5File.createAtomically(at: out) { f in
        try f.createDataset("samples", values: results.flatMap(\.parameters), shape: [m, k, p], options: .compressed())
        try f.createDataset("distances", values: results.flatMap(\.distances), shape: [m, k])
        try f.createDataset("indices", values: results.flatMap { $0.indices.map(Int64.init) }, shape: [m, k])
        try f.setAttribute("parameter_names", to: names)
        try f.setAttribute("keep", to: Int64(k))
        try f.setAttribute("tolerance", to: results.map(\.tolerance))
        try f.setAttribute("next_distance", to: results.map { $0.nextDistance ?? .nan })
        try f.setAttribute("scale", to: results[0].scale)
        try attributes(f)
      }
      return
    }
    var lines = [((m > 1 ? ["observation"] : []) + names).joined(separator: ",")]
    lines.reserveCapacity(m * k + 1)
    for (i, r) in results.enumerated() {
      for row in 0..<k {
        let values = r.parameters[(row * p)..<((row + 1) * p)].map(formatNumber)
        lines.append(((m > 1 ? [String(i)] : []) + values).joined(separator: ","))
      }
    }
    try writeOutput(lines.joined(separator: "\n") + "\n", to: out)
  }
}
