import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow validate --checkpoint CKPT --abc-budget N --observations K`: the trained posterior
/// against rejection ABC (MMD², C2ST, re-simulation error, time per posterior).
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Compare a trained posterior with rejection ABC: MMD², C2ST, re-simulation error and time.",
    discussion: """
      Observations are drawn from the prior predictive (--observations K) or read from a file \
      (--observation FILE). One ABC pass over N simulations serves all observations; its time per \
      observation is the pass divided by their number. MMD² is the benchmark's V-statistic with \
      inverse-multiquadric kernels; "floor" is MMD² between two independent sets of cINN draws.
      """)

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(name: .customLong("abc-budget"), help: ArgumentHelp("N, the ABC simulations (shared by all observations).", valueName: "n"))
  var abcBudget: Int

  @Option(help: ArgumentHelp("K, prior-predictive observations to validate on.", valueName: "k"))
  var observations: Int?

  @Option(help: ArgumentHelp("Validate on the observation(s) in this file instead (.json, .csv or .h5).", valueName: "file"))
  var observation: String?

  @Option(help: ArgumentHelp("ABC draws kept per observation.", valueName: "k"))
  var keep: Int = 4000

  @Option(help: ArgumentHelp("cINN draws per observation.", valueName: "n"))
  var draws: Int = 4000

  @Option(help: ArgumentHelp("Seed of every random stream (observations, ABC, cINN draws, C2ST).", valueName: "s"))
  var seed: UInt64 = 1

  @Option(help: ArgumentHelp("ABC distance: standardized or raw.", valueName: "kind"))
  var distance: ABCScaling = .standardized

  @Option(help: ArgumentHelp("Also write the results as JSON (written atomically).", valueName: "file"))
  var json: String?

  @Flag(name: .customLong("no-c2st"), help: "Skip the classifier two-sample test (the slowest metric).")
  var noC2ST = false

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  func validate() throws {
    guard abcBudget >= 1 else { throw ValidationError("--abc-budget must be a positive integer, got \(abcBudget)") }
    switch (observations, observation) {
    case (nil, nil): throw ValidationError("give --observations K (prior-predictive) or --observation FILE")
    case (.some, .some): throw ValidationError("--observations and --observation exclude each other")
    case let (.some(k), nil): guard k >= 1 else { throw ValidationError("--observations must be a positive integer, got \(k)") }
    default: break
    }
    guard keep >= 1 else { throw ValidationError("--keep must be a positive integer, got \(keep)") }
    guard keep <= abcBudget else { throw ValidationError("--keep (\(keep)) must not exceed --abc-budget (\(abcBudget))") }
    guard draws >= 1 else { throw ValidationError("--draws must be a positive integer, got \(draws)") }
    if !noC2ST && min(keep, draws) < 5 {
      throw ValidationError("--keep and --draws must be at least 5 for the C2ST (5 folds); or pass --no-c2st")
    }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let json, !json.hasSuffix(".json") { throw ValidationError("--json must name a .json file, got \(json)") }
  }

  func run() throws {
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    if let threads { posterior.threads = threads }
    let simulator = posterior.simulator
    let ys: [Observation]
    var truths: [[Double]]? = nil
    if let observation {
      ys = try ObservationFile.read(observation, shape: posterior.observationShape)
    } else {
      let pairs = try ABCValidation.priorPredictive(simulator, count: observations!, seed: seed)
      ys = pairs.map(\.observation)
      truths = pairs.map(\.theta)
    }
    var abc = RejectionABC(simulator: simulator, seed: seed, scaling: distance)
    if let threads { abc.threads = threads }
    let progress = ProgressReporter()
    progress.line("validate \(simulator.name): \(ys.count) observation\(ys.count == 1 ? "" : "s"), ABC N = \(abcBudget), K = \(keep), "
                  + "distance \(distance.rawValue); cINN \(draws) draws")
    let report: ABCValidation.Report
    do {
      report = try ABCValidation.run(posterior: posterior, observations: ys, truths: truths, abc: abc, budget: abcBudget,
                                     keep: keep, draws: draws, seed: seed, c2st: noC2ST ? nil : C2STOptions(),
                                     abcProgress: ABCCommand.progressLine(progress), status: progress.line)
    } catch let e as RejectionABCError {
      throw InputError(observation ?? checkpoint, e.message)
    } catch let e as InputError where e.source.isEmpty {
      throw InputError(observation ?? checkpoint, e.message)
    }
    if let json { try writeOutput(report.json.prettyText() + "\n", to: json) }
    print(ValidateCommand.table(report), terminator: "")
  }

  /// The table: one row per observation and their mean.
  static func table(_ r: ABCValidation.Report) -> String {
    func f(_ x: Double?, _ format: String = "%10.4g") -> String {
      x.map { String(format: format, $0) } ?? String(repeating: " ", count: 7) + "n/a"
    }
    func y(_ values: [Double]) -> String {
      let text = values.count <= 4 ? "(" + values.map { String(format: "%.3g", $0) }.joined(separator: ", ") + ")"
                                   : "(\(values.count) values)"
      return text.padding(toLength: max(22, text.count), withPad: " ", startingAt: 0)
    }
    var out = "cINN (\(r.draws) draws) vs rejection ABC (N = \(r.budget), K = \(r.keep), distance \(r.scaling.rawValue)); "
      + String(format: "ABC pass %.2f s (%.2f CPU-s), %.3g simulations/s\n", r.abcSeconds, r.abcCPUSeconds, r.simulationsPerSecond)
    let header = ["MMD²", "floor", "C2ST", "resim cINN", "resim ABC", "ε_K", "cINN s", "cINN cpu", "ABC s", "ABC cpu"]
    out += "  obs  " + "y".padding(toLength: 22, withPad: " ", startingAt: 0)
      + header.map { String(repeating: " ", count: max(0, 11 - $0.count)) + $0 }.joined() + "\n"
    func line(_ label: String, _ obs: String, _ pick: ((ABCValidation.Row) -> Double?) -> Double?) -> String {
      label + "  " + obs + [f(pick { $0.mmd2 }), f(pick { $0.mmd2Floor }), f(pick { $0.c2st }, "%10.3f"),
                            f(pick { $0.resimulationErrorCINN }), f(pick { $0.resimulationErrorABC }), f(pick { $0.tolerance }),
                            f(pick { $0.secondsCINN }, "%10.3f"), f(pick { $0.cpuSecondsCINN }, "%10.3f"),
                            f(pick { $0.secondsABC }, "%10.3f"), f(pick { $0.cpuSecondsABC }, "%10.3f")].map { " " + $0 }.joined() + "\n"
    }
    for (k, row) in r.rows.enumerated() {
      out += line(String(format: "%5d", k), y(row.observation)) { $0(row) }
    }
    if r.rows.count > 1 { out += line(" mean", "".padding(toLength: 22, withPad: " ", startingAt: 0)) { r.mean($0) } }
    for note in r.notes { out += "note: \(note)\n" }
    return out
  }
}
