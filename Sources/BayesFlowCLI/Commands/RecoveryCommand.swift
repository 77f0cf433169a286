import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow recovery --checkpoint CKPT --simulations N --out recovery.svg [--derived]`:
/// posterior median vs truth over held-out simulations, for parameters and derived quantities,
/// with R² and the SBC verdicts (`RecoveryStudy`).
struct RecoveryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recovery",
    abstract: "Recovery (posterior median vs truth, R²) and SBC ranks of a trained model on held-out simulations.",
    discussion: """
      Simulates N held-out data sets from the prior (or reads the first N of a dataset written by \
      bayesflow simulate), draws L posterior samples for each, and prints per quantity R², \
      correlation and NRMSE of the posterior median, and the SBC verdict (rank ECDF inside the \
      simultaneous band), its largest deviation, the rank-histogram χ² p-value and the coverage \
      calibration error. --derived adds the simulator's derived quantities (functions of θ). \
      Held-out simulations use their own seed family unless --seed is given, so they never \
      coincide with training data.
      """)

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(help: ArgumentHelp("Held-out data sets.", valueName: "n"))
  var simulations: Int = 500

  @Option(help: ArgumentHelp("Posterior draws per data set.", valueName: "n"))
  var draws: Int = 1000

  @Option(help: ArgumentHelp("Seed of the held-out simulations (default: a held-out family derived from training.seed); posterior draws use a seed derived from it.", valueName: "s"))
  var seed: UInt64?

  @Option(help: ArgumentHelp("Read the held-out data sets from this dataset (bayesflow simulate) instead of simulating.", valueName: "file.h5"))
  var data: String?

  @Flag(help: "Include the simulator's derived quantities.")
  var derived = false

  @Option(help: ArgumentHelp("Comma-separated quantities to show (default: all).", valueName: "names"))
  var quantities: String?

  @Option(help: ArgumentHelp("Recovery figure (SVG).", valueName: "file.svg"))
  var out: String?

  @Option(help: ArgumentHelp("SBC figure: rank ECDF − uniform with the simultaneous band (SVG).", valueName: "file.svg"))
  var sbcOut: String?

  @Option(help: ArgumentHelp("The table as CSV.", valueName: "file.csv"))
  var table: String?

  @Option(help: ArgumentHelp("Panels per row of the figures.", valueName: "n"))
  var columns: Int = 4

  @Option(help: ArgumentHelp("Points per recovery panel (even stride).", valueName: "n"))
  var maxPoints: Int = 500

  @Option(help: ArgumentHelp("Level of the central interval drawn behind each point (0 = none).", valueName: "q"))
  var interval: Double = 0.9

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  func validate() throws {
    guard simulations >= 2 else { throw ValidationError("--simulations must be at least 2, got \(simulations)") }
    guard draws >= 2 else { throw ValidationError("--draws must be at least 2, got \(draws)") }
    guard columns >= 1 else { throw ValidationError("--columns must be at least 1, got \(columns)") }
    guard maxPoints >= 1 else { throw ValidationError("--max-points must be at least 1, got \(maxPoints)") }
    guard interval >= 0 && interval < 1 else { throw ValidationError("--interval must lie in [0, 1), got \(interval)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    for (flag, path) in [("--out", out), ("--sbc-out", sbcOut)] {
      if let path, !path.hasSuffix(".svg") { throw ValidationError("\(flag) must end in .svg, got \(path)") }
    }
    if let table, !table.hasSuffix(".csv") { throw ValidationError("--table must end in .csv, got \(table)") }
  }

  func run() throws {
    for (flag, path) in [("--out", out), ("--sbc-out", sbcOut), ("--table", table)] { try checkOutputPath(path, flag: flag) }
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    if let threads { posterior.threads = threads }
    // The quantities, checked before any work (the study's names are these).
    let names = posterior.parameterNames + (derived ? posterior.simulator.derivedQuantityNames : [])
    let subset = quantities.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    for n in subset ?? [] where !names.contains(n) {
      throw InputError("--quantities", "unknown quantity \"\(n)\"; expected one of \(names.joined(separator: ", "))")
    }
    let progress = ProgressReporter()
    let held: (truths: [[Double]], observations: [Observation], indices: [Int])
    let dataSeed: UInt64
    if let data {
      let reader: SimulationDatasetReader
      do { reader = try SimulationDatasetReader(path: data) } catch { throw InputError(data, "\(error)") }
      guard reader.simulatorName == posterior.simulator.name, reader.parameterNames == posterior.parameterNames else {
        throw InputError(data, "simulations of \(reader.simulatorName) \(reader.parameterNames); the model is for \(posterior.simulator.name) \(posterior.parameterNames)")
      }
      guard reader.count >= simulations else { throw InputError(data, "holds \(reader.count) simulations, --simulations asks for \(simulations)") }
      held = RecoveryStudy.split(try reader.read(0..<simulations))
      for (k, y) in held.observations.enumerated() {
        try ObservationFile.validate(y, shape: posterior.observationShape, path: data, index: k)
      }
      dataSeed = seed ?? RecoveryStudy.heldOutSeed(trainingSeed: UInt64(posterior.config.training.seed))
    } else {
      dataSeed = seed ?? RecoveryStudy.heldOutSeed(trainingSeed: UInt64(posterior.config.training.seed))
      held = try RecoveryStudy.simulate(posterior.simulator, count: simulations, seed: dataSeed, threads: posterior.threads)
    }
    let drawSeed = dataSeed ^ 0x0D1A_5EED_0F_D4A7
    let study = try RecoveryStudy.run(posterior: posterior, truths: held.truths, observations: held.observations, draws: draws,
                                      seed: drawSeed, derived: derived, intervalLevel: interval > 0 ? interval : 0.9)
    let chosen: [Int]?
    do { chosen = try study.indices(of: subset) } catch let e as InputError { throw InputError("--quantities", e.message) }
    let source = data.map { "the first \(simulations) simulations of \($0)" } ?? "\(simulations) held-out simulations (seed \(dataSeed))"
    var text = "\(posterior.simulator.name): \(source) × \(draws) posterior draws"
    if study.droppedDataSets > 0 { text += "; \(study.droppedDataSets) data sets dropped (a derived quantity not finite)" }
    text += "\n" + study.table(quantities: chosen)
    print(text, terminator: "")
    if let out { try writeOutput(study.figure(quantities: chosen, columns: columns, maxPoints: maxPoints, intervals: interval > 0).svg(id: "recovery", kind: "recovery"), to: out) }
    if let sbcOut { try writeOutput(study.sbcFigure(quantities: chosen, columns: columns).svg(id: "sbc", kind: "ecdf-difference"), to: sbcOut) }
    if let table { try writeOutput(study.csv(quantities: chosen), to: table) }
    progress.line(String(format: "recovery done in %.1f s", progress.elapsed))
  }
}
