import ArgumentParser
import BayesFlow
import Foundation
import Simulators
import Tensors

/// `bayesflow pairs --checkpoint CKPT (--observation y.json | --theta a,b,…) --out fig.svg`:
/// the posterior of one observation as a pairs plot (SVG), with its summary table.
struct PairsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pairs",
    abstract: "Plot the posterior of one observation as a pairs plot (SVG) and print its summary.",
    discussion: """
      The observation comes from a file (--observation; --index picks one of several) or is \
      simulated from given parameters (--theta, noise from --data-seed), which are then marked \
      as the truth. --quantities chooses the panels among the parameters and, with --derived \
      or by name, the simulator's derived quantities.
      """)

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(help: ArgumentHelp("Observation file (.json, .csv or .h5, as for bayesflow sample).", valueName: "file"))
  var observation: String?

  @Option(help: ArgumentHelp("Which observation of the file (0-based).", valueName: "k"))
  var index: Int = 0

  @Option(help: ArgumentHelp("Simulate the observation from these parameters (comma-separated) and mark them as the truth.", valueName: "values"))
  var theta: String?

  @Option(help: ArgumentHelp("Seed of the simulated observation (with --theta).", valueName: "s"))
  var dataSeed: UInt64 = 1

  @Option(help: ArgumentHelp("True parameters to mark (comma-separated; with --observation).", valueName: "values"))
  var truth: String?

  @Option(help: ArgumentHelp("Posterior draws.", valueName: "n"))
  var samples: Int = 4000

  @Option(help: ArgumentHelp("Seed of the posterior draws.", valueName: "s"))
  var seed: UInt64 = 1

  @Flag(help: "Add the simulator's derived quantities to the summary (and to the default panels).")
  var derived = false

  @Option(help: ArgumentHelp("Comma-separated parameters or derived quantities to plot (default: all parameters, plus derived with --derived).", valueName: "names"))
  var quantities: String?

  @Flag(help: "Also print a posterior predictive check: each draw simulated once, per observed value the median and 95% interval of the replicates.")
  var predictive = false

  @Option(help: ArgumentHelp("Figure title (default: the observation).", valueName: "text"))
  var title: String?

  @Option(help: ArgumentHelp("Output SVG.", valueName: "file.svg"))
  var out: String?

  @Option(help: ArgumentHelp("Scatter points per panel (even stride).", valueName: "n"))
  var maxPoints: Int = 1000

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  func validate() throws {
    guard (observation == nil) != (theta == nil) else { throw ValidationError("give exactly one of --observation and --theta") }
    guard truth == nil || theta == nil else { throw ValidationError("--truth goes with --observation; --theta is the truth already") }
    guard samples >= 2 else { throw ValidationError("--samples must be at least 2, got \(samples)") }
    guard index >= 0 else { throw ValidationError("--index must be ≥ 0, got \(index)") }
    guard maxPoints >= 1 else { throw ValidationError("--max-points must be at least 1, got \(maxPoints)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let out, !out.hasSuffix(".svg") { throw ValidationError("--out must end in .svg, got \(out)") }
  }

  /// One replicate observation per draw (random streams from `seed` + 1); per value of the
  /// observation: observed, replicate median, 2.5% and 97.5% quantiles, and the share of
  /// replicates below the observed value. Failed or non-finite simulations are skipped
  /// (`PosteriorPredictive.simulate`, on the posterior's threads).
  func predictiveCheck(posterior: Posterior, draws: [[Double]], observed: Observation) throws -> String {
    var columns = [[Double]](repeating: [], count: observed.values.count)
    var failed = 0
    let replicates = PosteriorPredictive.simulate(posterior.simulator, at: draws, seed: seed &+ 1, threads: posterior.threads)
    for replicate in replicates {
      guard let rep = replicate, rep.values.count >= observed.values.count else { failed += 1; continue }
      for j in columns.indices { columns[j].append(rep.values[j]) }
    }
    var text = "posterior predictive (\(draws.count - failed) replicates\(failed > 0 ? ", \(failed) failed" : "")):\n"
    text += "value        observed     median       2.5%      97.5%   share below\n"
    for (j, var c) in columns.enumerated() where !c.isEmpty {
      c.sort()
      let below = Double(c.filter { $0 < observed.values[j] }.count) / Double(c.count)
      text += "y[\(j)]".padding(toLength: 10, withPad: " ", startingAt: 0)
      text += [observed.values[j], ParameterSummary.quantile(c, 0.5), ParameterSummary.quantile(c, 0.025), ParameterSummary.quantile(c, 0.975)]
        .map { String(format: " %10.4g", $0) }.joined() + String(format: "   %6.3f\n", below)
    }
    return text
  }

  static func numbers(_ text: String, flag: String, count: Int) throws -> [Double] {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap(Double.init)
    guard values.count == parts.count, values.allSatisfy(\.isFinite) else { throw InputError(flag, "expected comma-separated numbers, got \"\(text)\"") }
    guard values.count == count else { throw InputError(flag, "\(values.count) values given; the model has \(count) parameters") }
    return values
  }

  func run() throws {
    try checkOutputPath(out, flag: "--out")
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    if let threads { posterior.threads = threads }
    let sim = posterior.simulator
    let p = posterior.parameterNames.count
    let derivedNames = sim.derivedQuantityNames
    let allNames = posterior.parameterNames + derivedNames
    let shown = derived ? allNames.count : p
    // The panels, checked before any work.
    let chosen: [Int]
    if let quantities {
      chosen = try quantities.split(separator: ",").map { q in
        let name = q.trimmingCharacters(in: .whitespaces)
        guard let i = allNames.firstIndex(of: name) else {
          throw InputError("--quantities", "unknown quantity \"\(name)\"; expected one of \(allNames.joined(separator: ", "))")
        }
        return i
      }
    } else {
      chosen = Array(0..<shown)
    }
    let y: Observation
    var trueTheta: [Double]?
    var label: String
    if let theta {
      let t = try PairsCommand.numbers(theta, flag: "--theta", count: p)
      guard sim.inPriorSupport(t) else { throw InputError("--theta", "\(t) lies outside the prior's support") }
      var rng = RandomStream(seed: dataSeed, stream: 0)
      do { y = try sim.simulate(t, &rng) } catch { throw InputError("--theta", "simulation failed: \(error)") }
      trueTheta = t
      label = "y ~ p(y | θ = (\(t.map { SVGText.compact($0, significant: 4) }.joined(separator: ", "))))"
    } else {
      let all = try ObservationFile.read(observation!, shape: posterior.observationShape)
      guard index < all.count else { throw InputError(observation!, "holds \(all.count) observation(s); --index \(index) asked") }
      y = all[index]
      if let truth { trueTheta = try PairsCommand.numbers(truth, flag: "--truth", count: p) }
      label = all.count > 1 ? "\(observation!) [\(index)]" : observation!
    }
    let draws: [[Double]]
    do { draws = try posterior.sample([y], count: samples, seed: seed)[0] } catch let e as InputError {
      throw InputError(observation ?? "--theta", e.message)
    }
    let rows = derivedNames.isEmpty ? draws : zip(draws, posterior.derived(draws)).map { $0 + $1 }
    let truthRow = trueTheta.map { $0 + sim.derivedQuantities($0) }

    // Summary: the observation, then mean, sd, quantiles and HDI per quantity (and the truth).
    var text = "observation: [" + y.values.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]\n"
    text += "quantity         mean         sd     median       2.5%      97.5%   95% HDI" + (truthRow != nil ? "                  truth" : "") + "\n"
    for (j, s) in ParameterSummary.summarize(rows, names: allNames).prefix(shown).enumerated() {
      var line = s.name.padding(toLength: max(12, s.name.count), withPad: " ", startingAt: 0)
      line += [s.mean, s.sd, s.median, s.q025, s.q975].map { String(format: " %10.4g", $0) }.joined()
      line += String(format: "   [%.4g, %.4g]", s.hdiLower, s.hdiUpper)
      if let t = truthRow { line = line.padding(toLength: max(line.count, 96), withPad: " ", startingAt: 0) + String(format: " %10.4g", t[j]) }
      text += line + "\n"
    }
    if predictive { text += try predictiveCheck(posterior: posterior, draws: draws, observed: y) }
    print(text, terminator: "")

    guard let out else { return }
    let figure = PosteriorFigure.pairs(draws: rows.map { r in chosen.map { r[$0] } }, names: chosen.map { allNames[$0] },
                                       truth: truthRow.map { t in chosen.map { t[$0] } }, label: title ?? label, maxPoints: maxPoints)
    try writeOutput(figure.svg(id: "pairs", kind: "pairs"), to: out)
  }
}
