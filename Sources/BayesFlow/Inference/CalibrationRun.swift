import Dispatch
import Foundation
import Tensors

/// Settings of a `CalibrationRun`.
public struct CalibrationRunSettings: Sendable {
  /// M, the simulated data sets.
  public var simulations = 1000
  /// L, the posterior draws per data set.
  public var draws = 1000
  /// Seed of the calibration's own random streams (simulations, draws, prior sample, example).
  public var seed: UInt64 = 1
  /// Prior draws behind the prior variances of the contraction.
  public var priorDraws = 20_000
  /// Posterior draws of the example observation (pairs plot).
  public var exampleDraws = 2000
  /// Simulator runs at posterior draws for the posterior predictive of a time series.
  public var predictiveDraws = 200
  /// Most parameters in the pairs plot.
  public var pairsLimit = 6
  /// Data sets sampled per call of `Posterior.sampleFlat` (the unit of progress).
  public var observationsPerBatch = 50
  /// ECDF band, coverage levels and the rest of the diagnostics' settings.
  public var diagnostics = CalibrationOptions()
  public init() {}
}

/// One observation to show in the report, and what is known about it.
public struct CalibrationExample: Sendable {
  public var label: String
  public var observation: Observation
  /// The true parameters, when the observation was simulated.
  public var truth: [Double]?
  public init(label: String, observation: Observation, truth: [Double]? = nil) {
    self.label = label
    self.observation = observation
    self.truth = truth
  }
}

/// Wall-clock seconds of each stage of a calibration run.
public struct CalibrationTimings: Sendable {
  /// Prior draws and simulations of the M data sets (and the prior sample for the variances).
  public var simulation = 0.0
  /// M × L posterior draws.
  public var sampling = 0.0
  /// Ranks, ECDF band, coverage, recovery, contraction.
  public var diagnostics = 0.0
  /// The example posterior and its posterior predictive simulations.
  public var example = 0.0
  /// Building the HTML page and the metrics JSON (filled in by `CalibrationRun.render`).
  public var report = 0.0
  public var total: Double { simulation + sampling + diagnostics + example + report }
}

/// Simulation-based calibration of a trained posterior (DESIGN §8): M data sets simulated from
/// the prior, L posterior draws for each, the diagnostics of `CalibrationDiagnostics`, and the
/// report with the training history and one example posterior.
///
/// Random streams: the calibration simulations come from a `SimulationEngine` whose seed is
/// `seed` mixed with a tag of its own (so even with the training seed they are not training or
/// validation data); data set k's draws come from a seed derived from `seed` and k's batch
/// (`observationsPerBatch` data sets per batch), so the first data sets and their draws do not
/// change when M grows, nor with the thread count.
///
///     let run = CalibrationRun(posterior: posterior, settings: settings)
///     let result = try run.run(example: nil) { stage, fraction in … }
///     let (html, json) = result.render()
public final class CalibrationRun {
  public let posterior: Posterior
  public let settings: CalibrationRunSettings

  /// Seed tags of the calibration's streams ("CA11BA7E" = calibrate).
  static let simulationTag: UInt64 = 0xCA11_BA7E_0000_5173
  static let drawTag: UInt64 = 0xCA11_BA7E_0000_D2A5
  static let priorTag: UInt64 = 0xCA11_BA7E_0000_0921
  static let exampleTag: UInt64 = 0xCA11_BA7E_0000_E8A1
  static let predictiveTag: UInt64 = 0xCA11_BA7E_0000_99ED

  public init(posterior: Posterior, settings: CalibrationRunSettings) {
    precondition(settings.simulations >= 2 && settings.draws >= 2, "CalibrationRun: at least 2 simulations and 2 draws")
    self.posterior = posterior
    self.settings = settings
  }

  /// What a run produced: the diagnostics and everything else the report shows.
  public struct Result {
    public let input: CalibrationReportInput
    public let diagnostics: CalibrationDiagnostics
    public var timings: CalibrationTimings
    /// Simulations that failed and were replaced.
    public let failedSimulations: Int

    /// The HTML page and the metrics JSON (timed into `timings.report`).
    public mutating func render() -> (html: String, json: String) {
      let start = Date()
      let report = CalibrationReport(input)
      let html = report.html(), json = report.metricsJSON()
      timings.report = Date().timeIntervalSince(start)
      return (html, json)
    }
  }

  /// Runs the calibration; `progress(stage, fraction done)` is called as the stages advance.
  /// The example is `example`, or (nil) the first calibration simulation with its true θ.
  ///
  /// Throws `SimulationError` when too many simulations fail, `InputError` naming the
  /// checkpoint when the calibration data sets cannot be sampled, and `InputError` without a
  /// source when the example observation cannot (it is far outside the training data).
  public func run(example: CalibrationExample?, progress: (String, Double) -> Void = { _, _ in }) throws -> Result {
    let sim = posterior.simulator
    let m = settings.simulations, l = settings.draws, p = posterior.parameterNames.count
    var timings = CalibrationTimings()

    // 1. M simulations from the prior, and a prior sample for the variances.
    var start = Date()
    let engine = SimulationEngine(simulator: sim, seed: settings.seed ^ CalibrationRun.simulationTag, threads: posterior.threads,
                                  maxFailureFraction: posterior.config.training.maxFailureFraction)
    var truths: [[Double]] = [], observations: [Observation] = []
    truths.reserveCapacity(m)
    observations.reserveCapacity(m)
    var next = 0
    while truths.count < m {
      let want = m - truths.count
      let n = min(max(want + want / 8, 16), 200)
      let batch = try engine.simulate(next..<(next + n))
      next += n
      try engine.checkFailures()
      for k in 0..<batch.count where truths.count < m {
        truths.append(Array(batch.theta(k)))
        observations.append(CalibrationRun.observation(batch, k))
      }
      progress("simulating", Double(truths.count) / Double(m))
    }
    let priorVariances = priorSampleVariances()
    timings.simulation = Date().timeIntervalSince(start)

    // 2. L draws for each data set, in batches of data sets.
    start = Date()
    var values = [Double]()
    values.reserveCapacity(m * l * p)
    let per = max(1, settings.observationsPerBatch)
    for (b, lo) in stride(from: 0, to: m, by: per).enumerated() {
      let hi = min(m, lo + per)
      let seed = (settings.seed ^ CalibrationRun.drawTag) &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15
      do { values += try posterior.sampleFlat(Array(observations[lo..<hi]), count: l, seed: seed) } catch is InputError {
        throw InputError(posterior.checkpointPath, "posterior draws for simulated data sets \(lo + 1)–\(hi) fall outside the prior's support "
                         + "more than 999 times in 1000: the network does not match its simulator's prior (damaged or untrained weights?)")
      }
      progress("sampling", Double(hi) / Double(m))
    }
    let draws = PosteriorDraws(simulations: m, draws: l, parameters: p, values: values)
    values = []
    timings.sampling = Date().timeIntervalSince(start)

    // 3. Diagnostics.
    start = Date()
    progress("diagnostics", 0)
    let diagnostics = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: posterior.parameterNames,
                                             priorVariances: priorVariances, options: settings.diagnostics)
    timings.diagnostics = Date().timeIntervalSince(start)

    // 4. The example posterior (pairs plot) and its posterior predictive.
    start = Date()
    progress("example posterior", 0)
    let shown = example ?? CalibrationExample(label: "simulated data set 1 (true θ known)", observation: observations[0], truth: truths[0])
    let exampleDraws = try posterior.sample([shown.observation], count: settings.exampleDraws,
                                            seed: settings.seed ^ CalibrationRun.exampleTag)[0]
    var ex = ExamplePosterior(label: shown.label, draws: exampleDraws, truth: shown.truth,
                              pairsParameters: pairsParameters(diagnostics))
    if ex.pairsParameters != nil { ex.pairsNote = "those with the largest mean contraction" }
    ex.predictive = predictive(observed: shown.observation, draws: exampleDraws)
    timings.example = Date().timeIntervalSince(start)

    let input = CalibrationReportInput(
      title: "Calibration of \(sim.name): \(posterior.checkpointPath)", simulatorName: sim.name, parameterNames: posterior.parameterNames,
      calibration: .diagnostics(diagnostics), history: posterior.history, example: ex)
    return Result(input: input, diagnostics: diagnostics, timings: timings, failedSimulations: engine.failed)
  }

  /// Simulation k of a batch as an `Observation` (its valid rows only).
  static func observation(_ batch: SimulationBatch, _ k: Int) -> Observation {
    let length = Int(batch.lengths[k]), start = k * batch.observationSize
    return Observation(batch.observations[start..<(start + length * batch.width)].map(Double.init), length: length)
  }

  /// Variances of `priorDraws` prior draws (their own streams; nothing is simulated), two-pass.
  func priorSampleVariances() -> [Double] {
    let sim = posterior.simulator, n = max(settings.priorDraws, 2), p = sim.parameters.count
    let workers = max(1, min(posterior.threads, n / 1000))
    let seed = settings.seed ^ CalibrationRun.priorTag
    var values = [Double](repeating: 0, count: n * p)
    values.withUnsafeMutableBufferPointer { buf in
      let base = buf.baseAddress!
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        for i in stride(from: w, to: n, by: workers) {
          var rng = RandomStream(seed: seed, stream: UInt64(i))
          let theta = sim.samplePrior(&rng)
          for j in 0..<p { base[i * p + j] = theta[j] }
        }
      }
    }
    return (0..<p).map { j in
      var mean = 0.0
      for i in 0..<n { mean += values[i * p + j] }
      mean /= Double(n)
      var ss = 0.0
      for i in 0..<n { ss += (values[i * p + j] - mean) * (values[i * p + j] - mean) }
      return ss / Double(n - 1)
    }
  }

  /// The parameters of the pairs plot: all if at most `pairsLimit`, otherwise the `pairsLimit`
  /// with the largest mean contraction (what the data inform most), in parameter order.
  func pairsParameters(_ d: CalibrationDiagnostics) -> [Int]? {
    let p = d.parameters.count
    guard p > settings.pairsLimit else { return nil }
    let score = d.parameters.map { $0.contraction.meanContraction.isFinite ? $0.contraction.meanContraction : -.infinity }
    return Array((0..<p).sorted { score[$0] > score[$1] || (score[$0] == score[$1] && $0 < $1) }.prefix(settings.pairsLimit)).sorted()
  }

  /// The posterior predictive of a time-series observation: the simulator at the first
  /// `predictiveDraws` of `draws`, quantiles per step and channel over the observed length;
  /// nil for vectors and sets, or when every simulation failed.
  func predictive(observed y: Observation, draws: [[Double]]) -> PosteriorPredictiveSeries? {
    let shape = posterior.observationShape
    let names: [String]
    switch shape {
    case .streams(let streams, _, _):
      names = streams.flatMap { s in s.channels == 1 ? [s.name] : (1...s.channels).map { "\(s.name)[\($0)]" } }
    case .timeSeries(_, let c, _):
      names = c == 1 ? ["y"] : (1...c).map { "channel \($0)" }
    default:
      return nil
    }
    let sim = posterior.simulator, w = shape.width, t = y.length
    let thetas = Array(draws.prefix(settings.predictiveDraws))
    guard t >= 1, !thetas.isEmpty else { return nil }
    var results = [Observation?](repeating: nil, count: thetas.count)
    let seed = settings.seed ^ CalibrationRun.predictiveTag
    let workers = max(1, min(posterior.threads, thetas.count))
    results.withUnsafeMutableBufferPointer { buf in
      let base = buf.baseAddress!
      DispatchQueue.concurrentPerform(iterations: workers) { k in
        for i in stride(from: k, to: thetas.count, by: workers) {
          var rng = RandomStream(seed: seed, stream: UInt64(i))
          if let out = try? sim.simulate(thetas[i], &rng), out.length >= t, out.values.count >= t * w,
             out.values.prefix(t * w).allSatisfy(\.isFinite) {
            base[i] = out
          }
        }
      }
    }
    let series = results.compactMap { $0 }.map { o in (0..<t).map { r in Array(o.values[(r * w)..<((r + 1) * w)]) } }
    guard !series.isEmpty else { return nil }
    let observed = (0..<t).map { r in Array(y.values[(r * w)..<((r + 1) * w)]) }
    return PosteriorPredictiveSeries(observed: observed, channelNames: names, quantiles: PredictiveQuantiles(simulations: series))
  }
}
