import Foundation
import Tensors

/// `count` exact posterior draws for observation `x` (flat values), drawing only from `rng`.
public typealias ExactPosteriorSampler = @Sendable (_ x: [Double], _ count: Int, _ rng: inout RandomStream) -> [[Double]]

/// One benchmark task of the accuracy check: a run configuration, the exact posterior sampler
/// when the task has one (then accuracy is C2ST against exact draws, otherwise SBC), and the
/// `--set` overrides that apply at one budget only (`Configs/accuracy-overrides.json`, e.g. more
/// epochs at 10⁴ simulations than at 10⁵).
public struct AccuracyTask: Sendable {
  /// Task name (the simulator's name).
  public var name: String
  /// Path of the task's run configuration (`Configs/<task>.json`).
  public var configPath: String
  public var exactPosterior: ExactPosteriorSampler?
  /// Overrides by budget, applied after `training.simulation_budget=N` and before the
  /// overrides of every task (`AccuracyOptions.overrides`).
  public var budgetOverrides: [Int: [String]]

  public init(name: String, configPath: String, exactPosterior: ExactPosteriorSampler?, budgetOverrides: [Int: [String]] = [:]) {
    self.name = name
    self.configPath = configPath
    self.exactPosterior = exactPosterior
    self.budgetOverrides = budgetOverrides
  }
}

/// Settings of the accuracy check (`bayesflow bench --case accuracy`, docs/accuracy.md).
public struct AccuracyOptions: Sendable {
  /// Training simulation budgets (`training.simulation_budget`, offline mode).
  public var budgets = [10_000, 100_000]
  /// C2ST tasks: observations from the prior predictive, and draws per observation (model and
  /// exact alike).
  public var observations = 5
  public var draws = 10_000
  /// SBC tasks: prior-predictive data sets and posterior draws per data set.
  public var sbcSimulations = 200
  public var sbcDraws = 500
  /// Fresh prior-predictive pairs (θ, x) for the held-out negative log posterior density
  /// −log q(θ | x) (0: skip).
  public var testSimulations = 20_000
  /// Seeds of the observations / SBC data sets, and of the posterior draws.
  public var observationSeed: UInt64 = 20_211
  public var samplingSeed: UInt64 = 7
  /// Runs go to `<directory>/<task>/<budget>/`; results are merged into `<directory>/accuracy.json`
  /// and `<directory>/accuracy.md`.
  public var directory = "runs/accuracy"
  /// Extra `--set` overrides applied to every task's config after the budget.
  public var overrides: [String] = []
  /// Evaluate an existing finished checkpoint instead of training again.
  public var reuseCheckpoints = false
  /// Also run the exact-vs-exact C2ST (the noise floor) for C2ST tasks.
  public var floor = true
  public var c2st = C2STOptions()
  /// Training threads (nil: the config's).
  public var threads: Int?
  public init() {}
}

/// The outcome of one (task, budget) run of the accuracy check.
public struct AccuracyResult: Codable, Sendable {
  public struct ParameterCalibrationSummary: Codable, Sendable {
    public var name: String
    /// SBC verdict: the rank ECDF stays inside the 95% simultaneous band.
    public var calibrated: Bool
    public var maxECDFDeviation: Double
    /// p-value of the rank histogram's χ² test.
    public var chiSquarePValue: Double
    /// Mean posterior contraction 1 − s²/σ²_prior.
    public var contraction: Double
    /// Mean and sd of the posterior z-scores (≈ 0 and ≈ 1 when calibrated).
    public var meanZ: Double
    public var sdZ: Double
  }

  public var task: String
  public var budget: Int
  /// "c2st" or "sbc".
  public var kind: String
  /// The equivalent command line.
  public var command: String
  public var configPath: String
  public var overrides: [String]
  /// Training: epochs run (early stopping may end a run before `epochsPlanned`), seconds of
  /// the training loop, and wall seconds including the simulation of the training and
  /// validation sets.
  public var epochs: Int
  public var epochsPlanned: Int
  public var trainingSeconds: Double
  public var wallSeconds: Double
  public var stepsPerSecond: Double?
  public var finalValidationLoss: Double?
  public var bestValidationLoss: Double?
  public var bestEpoch: Int?
  public var validationSimulations: Int
  public var trainingNotes: [String]
  /// 1-minute load average before and after training (`/proc/loadavg`).
  public var loadBefore: Double?
  public var loadAfter: Double?
  public var threads: Int
  /// Mean −log q(θ | x) over `testSimulations` fresh prior-predictive pairs, in the original
  /// parameter space: E[KL(p(θ|x) ‖ q(θ|x))] plus a constant of the task, so differences
  /// between runs of a task compare their accuracy with little noise (same pairs).
  public var testNLL: Double?
  /// C2ST (z-scored by the exact sample) per observation, and their mean and sd.
  public var c2st: [Double]?
  public var c2stMean: Double?
  public var c2stSD: Double?
  /// The observations (flat values), and per observation the largest |mean difference| of a
  /// parameter between model and exact draws in units of the exact sd, and the range of the
  /// per-parameter sd ratios model/exact: where a C2ST above 0.5 comes from.
  public var observations: [[Double]]?
  public var maxStandardizedMeanError: [Double]?
  public var sdRatioRange: [[Double]]?
  /// Exact vs exact on the same observations (the floor of the statistic).
  public var floor: [Double]?
  public var floorMean: Double?
  /// Published sbibm NPE C2ST at this budget (mean over its 10 observations).
  public var publishedNPE: Double?
  /// SBC tasks: per-parameter calibration.
  public var calibration: [ParameterCalibrationSummary]?
  public var evaluationSeconds: Double
  public var date: String
  public var machine: String
}

/// The accuracy check of docs/accuracy.md.
///
/// For each task and budget N: trains the task's config offline on exactly N simulations
/// (`training.simulation_budget=N`; the `validation_simulations` held-out simulations come from
/// their own seed and are not part of N), then
/// - tasks with an exact posterior: for `observations` prior-predictive observations (θ*, x)
///   drawn with `observationSeed`, C2ST between `draws` exact posterior draws (the reference,
///   which z-scores the inputs as in sbibm) and `draws` draws of the trained model; optionally
///   also exact vs exact, the statistic's floor;
/// - the other tasks: simulation-based calibration over `sbcSimulations` prior-predictive data
///   sets with `sbcDraws` draws each (rank ECDF inside the simultaneous 95% band per parameter,
///   max ECDF deviation) and posterior contraction.
public final class AccuracyBenchmark {
  public let options: AccuracyOptions
  public let registry: SimulatorRegistry
  public let progress: ProgressReporter
  /// Where the CLI prints one line per finished run.
  public var log: (String) -> Void = { print($0) }

  public init(options: AccuracyOptions, registry: SimulatorRegistry, progress: ProgressReporter) {
    self.options = options
    self.registry = registry
    self.progress = progress
  }

  /// The published sbibm NPE (NPE-NSF) C2ST means over 10 observations, by task and budget
  /// (sbi-benchmark/results@741183c, main_paper.csv; gaussian_mixture: the v1.1.0 rerun).
  public static let publishedNPE: [String: [Int: Double]] = [
    "two_moons": [1_000: 0.72510, 10_000: 0.60638, 100_000: 0.54169],
    "gaussian_linear": [1_000: 0.69449, 10_000: 0.55219, 100_000: 0.50601],
    "gaussian_linear_uniform": [1_000: 0.69634, 10_000: 0.55339, 100_000: 0.50928],
    "gaussian_mixture": [1_000: 0.71613, 10_000: 0.61529, 100_000: 0.54781],
    "slcp": [1_000: 0.97523, 10_000: 0.90062, 100_000: 0.83149],
    "slcp_distractors": [1_000: 0.98157, 10_000: 0.97028, 100_000: 0.86306],
    "bernoulli_glm": [1_000: 0.86298, 10_000: 0.67831, 100_000: 0.55880],
    "bernoulli_glm_raw": [1_000: 0.89959, 10_000: 0.76479, 100_000: 0.60738],
    "sir": [1_000: 0.81512, 10_000: 0.67962, 100_000: 0.58478],
    "lotka_volterra": [1_000: 0.99937, 10_000: 0.99682, 100_000: 0.98076],
  ]

  /// Trains and evaluates every (task, budget); returns the results in that order.
  public func run(tasks: [AccuracyTask]) throws -> [AccuracyResult] {
    var results: [AccuracyResult] = []
    for task in tasks {
      var floorCache: [Double]? = nil
      for budget in options.budgets {
        let r = try run(task: task, budget: budget, floorCache: &floorCache)
        log(AccuracyBenchmark.summaryLine(r))
        results.append(r)
      }
    }
    return results
  }

  /// One (task, budget) run.
  public func run(task: AccuracyTask, budget: Int, floorCache: inout [Double]?) throws -> AccuracyResult {
    var overrides = ["training.simulation_budget=\(budget)"] + (task.budgetOverrides[budget] ?? []) + options.overrides
    if let threads = options.threads { overrides.append("training.threads=\(threads)") }
    let json = try ConfigFile.load(task.configPath, overrides: overrides)
    let config: RunConfig
    let simulator: any Simulator
    do {
      config = try RunConfig(json)
      simulator = try registry.make(name: config.simulatorName, options: config.simulatorOptions)
    } catch let e as ConfigError {
      throw InputError(task.configPath, e.description)
    }
    guard config.training.mode == .offline, config.training.dataset == nil else {
      throw InputError(task.configPath, "the accuracy check needs training.mode \"offline\" without a dataset (the budget is simulated)")
    }
    let directory = options.directory + "/\(task.name)/\(budget)"
    let command = "bayesflow fit \(task.configPath) --out \(directory) " + overrides.map { "--set \($0)" }.joined(separator: " ")

    // Train (or reuse a finished run).
    let checkpoint = directory + "/checkpoint.h5"
    let loadBefore = AccuracyBenchmark.loadAverage()
    let wallStart = monotonicSeconds()
    var stepsPerSecond: Double? = nil
    var notes: [String] = []
    let reused = options.reuseCheckpoints && FileManager.default.fileExists(atPath: checkpoint)
      && ((try? Checkpoint.read(checkpoint).position.finished) ?? false)
    if reused {
      progress.line("\(task.name) @ \(budget): reusing the finished run in \(directory)")
    } else {
      try? FileManager.default.removeItem(atPath: checkpoint)
      progress.line("\(task.name) @ \(budget): \(command)")
      let trainer = Trainer(config: config, simulator: simulator, directory: directory, progress: progress)
      let outcome = try trainer.run(resume: false)
      stepsPerSecond = outcome.stepsPerSecond
      notes = outcome.notes
    }
    let wall = monotonicSeconds() - wallStart
    let loadAfter = AccuracyBenchmark.loadAverage()
    let stored = try Checkpoint.read(checkpoint)
    let h = stored.history

    let posterior = try Posterior(checkpoint: checkpoint, registry: registry)
    let evalStart = monotonicSeconds()
    var result = AccuracyResult(
      task: task.name, budget: budget, kind: task.exactPosterior == nil ? "sbc" : "c2st", command: command,
      configPath: task.configPath, overrides: overrides, epochs: h.epoch.last ?? 0, epochsPlanned: config.training.epochs,
      trainingSeconds: h.seconds.last ?? 0, wallSeconds: reused ? (h.seconds.last ?? 0) : wall, stepsPerSecond: stepsPerSecond,
      finalValidationLoss: h.validationLoss.last.flatMap { $0.isFinite ? $0 : nil },
      bestValidationLoss: stored.position.bestValidationLoss.isFinite ? stored.position.bestValidationLoss : nil,
      bestEpoch: stored.position.bestValidationLoss.isFinite ? stored.position.bestEpoch : nil,
      validationSimulations: config.training.validationSimulations, trainingNotes: notes,
      loadBefore: reused ? nil : loadBefore, loadAfter: reused ? nil : loadAfter,
      threads: config.training.threads ?? SimulationEngine.defaultThreads,
      publishedNPE: AccuracyBenchmark.publishedNPE[task.name]?[budget], evaluationSeconds: 0,
      date: ISO8601DateFormatter().string(from: Date()), machine: AccuracyBenchmark.machineDescription())

    if options.testSimulations > 0 { result.testNLL = try heldOutNLL(posterior: posterior, simulator: simulator) }
    if let exact = task.exactPosterior {
      let (observations, _) = try priorPredictive(simulator, count: options.observations, seed: options.observationSeed)
      let (c2st, floor, moments) = try c2stValues(posterior: posterior, exact: exact, observations: observations,
                                                  floor: options.floor && floorCache == nil)
      if floorCache == nil { floorCache = floor }
      result.observations = observations.map(\.values)
      result.maxStandardizedMeanError = moments.map(\.meanError)
      result.sdRatioRange = moments.map { [$0.sdRatioMin, $0.sdRatioMax] }
      result.c2st = c2st
      result.c2stMean = AccuracyBenchmark.mean(c2st)
      result.c2stSD = AccuracyBenchmark.sd(c2st)
      result.floor = floorCache
      result.floorMean = floorCache.map(AccuracyBenchmark.mean)
    } else {
      result.calibration = try calibration(posterior: posterior, simulator: simulator)
    }
    result.evaluationSeconds = monotonicSeconds() - evalStart
    return result
  }

  /// `count` prior-predictive pairs (θ*, x): pair k from random stream (seed, k); a failed
  /// simulation is retried on stream (seed, k + 2³²·attempt).
  public func priorPredictive(_ simulator: any Simulator, count: Int, seed: UInt64) throws -> ([Observation], [[Double]]) {
    var observations: [Observation] = [], truths: [[Double]] = []
    for k in 0..<count {
      var attempt: UInt64 = 0
      while true {
        var rng = RandomStream(seed: seed, stream: UInt64(k) &+ (attempt << 32))
        let theta = simulator.samplePrior(&rng)
        if let y = try? simulator.simulate(theta, &rng), y.values.allSatisfy(\.isFinite) {
          observations.append(y)
          truths.append(theta)
          break
        }
        attempt += 1
        if attempt > 100 { throw SimulationError(message: "\(simulator.name): 100 failed simulations in a row for observation \(k)") }
      }
    }
    return (observations, truths)
  }

  /// Mean −log q(θ | x) over `testSimulations` fresh pairs (simulated in parallel, seeded).
  func heldOutNLL(posterior: Posterior, simulator: any Simulator) throws -> Double {
    let engine = SimulationEngine(simulator: simulator, seed: options.observationSeed ^ 0x7E57_0000,
                                  threads: options.threads ?? SimulationEngine.defaultThreads)
    let batch = try engine.simulate(0..<options.testSimulations)
    let p = batch.parameterCount, size = batch.observationSize
    var thetas: [[Double]] = [], observations: [Observation] = []
    for k in 0..<batch.count {
      thetas.append(Array(batch.parameters[(k * p)..<((k + 1) * p)]))
      observations.append(Observation(batch.observations[(k * size)..<((k + 1) * size)].map(Double.init), length: Int(batch.lengths[k])))
    }
    let lp = posterior.logDensity(pairs: thetas, observations: observations)
    return -lp.reduce(0, +) / Double(max(lp.count, 1))
  }

  /// Moment discrepancies of model draws against exact draws.
  struct MomentError {
    var meanError: Double
    var sdRatioMin: Double
    var sdRatioMax: Double

    init(model: [[Double]], exact: [[Double]]) {
      let p = exact.first?.count ?? 0
      func moments(_ x: [[Double]], _ j: Int) -> (Double, Double) {
        let m = x.reduce(0) { $0 + $1[j] } / Double(x.count)
        return (m, (x.reduce(0) { $0 + ($1[j] - m) * ($1[j] - m) } / Double(max(x.count - 1, 1))).squareRoot())
      }
      var worst = 0.0, lo = Double.infinity, hi = 0.0
      for j in 0..<p {
        let (me, se) = moments(exact, j), (mm, sm) = moments(model, j)
        worst = max(worst, abs(mm - me) / se)
        lo = min(lo, sm / se)
        hi = max(hi, sm / se)
      }
      meanError = worst
      sdRatioMin = lo
      sdRatioMax = hi
    }
  }

  /// C2ST of model vs exact draws for each observation, exact vs exact when `floor`, and the
  /// moment discrepancies.
  func c2stValues(posterior: Posterior, exact: ExactPosteriorSampler, observations: [Observation],
                  floor: Bool) throws -> ([Double], [Double]?, [MomentError]) {
    let n = options.draws
    let model = try posterior.sample(observations, count: n, seed: options.samplingSeed)
    var values: [Double] = [], floors: [Double] = [], moments: [MomentError] = []
    for (k, obs) in observations.enumerated() {
      var rng = RandomStream(seed: options.observationSeed ^ 0xE8AC_7000, stream: UInt64(k))
      let reference = exact(obs.values, n, &rng)
      values.append(classifierTwoSampleTest(reference, model[k], options: options.c2st).accuracy)
      moments.append(MomentError(model: model[k], exact: reference))
      if floor {
        let second = exact(obs.values, n, &rng)
        floors.append(classifierTwoSampleTest(reference, second, options: options.c2st).accuracy)
      }
    }
    return (values, floor ? floors : nil, moments)
  }

  /// SBC and contraction over `sbcSimulations` prior-predictive data sets.
  func calibration(posterior: Posterior, simulator: any Simulator) throws -> [AccuracyResult.ParameterCalibrationSummary] {
    let (observations, truths) = try priorPredictive(simulator, count: options.sbcSimulations,
                                                     seed: options.observationSeed ^ 0x5BC0_0000)
    let flat = try posterior.sampleFlat(observations, count: options.sbcDraws, seed: options.samplingSeed)
    let draws = PosteriorDraws(simulations: observations.count, draws: options.sbcDraws,
                               parameters: simulator.parameters.count, values: flat)
    let d = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: simulator.parameterNames)
    return d.parameters.map { p in
      .init(name: p.name, calibrated: p.isCalibrated, maxECDFDeviation: p.ranks.maxECDFDeviation,
            chiSquarePValue: p.ranks.chiSquarePValue, contraction: p.contraction.meanContraction,
            meanZ: p.contraction.meanZ, sdZ: p.contraction.sdZ)
    }
  }

  // MARK: Reports

  /// One line per finished run.
  public static func summaryLine(_ r: AccuracyResult) -> String {
    var s = "\(r.task) @ \(r.budget): "
    if let nll = r.testNLL { s += String(format: "test NLL %.4f; ", nll) }
    if let m = r.c2stMean {
      s += String(format: "C2ST %.3f ± %.3f (", m, r.c2stSD ?? 0) + r.c2st!.map { String(format: "%.3f", $0) }.joined(separator: " ") + ")"
      if let e = r.maxStandardizedMeanError { s += "; max |Δmean|/sd " + e.map { String(format: "%.3f", $0) }.joined(separator: " ") }
      if let q = r.sdRatioRange { s += "; sd ratio " + q.map { String(format: "%.2f–%.2f", $0[0], $0[1]) }.joined(separator: " ") }
      if let f = r.floorMean { s += String(format: ", floor %.3f", f) }
      if let p = r.publishedNPE { s += String(format: ", NPE %.3f", p) }
    } else if let c = r.calibration {
      s += "SBC \(c.filter(\.calibrated).count)/\(c.count) calibrated, max ECDF dev "
        + String(format: "%.3f", c.map(\.maxECDFDeviation).max() ?? .nan)
        + ", contraction " + c.map { String(format: "%.2f", $0.contraction) }.joined(separator: " ")
    }
    s += String(format: "; trained %d/%d epochs in %.0f s (wall %.0f s)", r.epochs, r.epochsPlanned, r.trainingSeconds, r.wallSeconds)
    if let l = r.loadBefore { s += String(format: ", load %.2f→%.2f", l, r.loadAfter ?? .nan) }
    return s
  }

  /// Results merged into `<directory>/accuracy.json` (replacing earlier runs of the same task
  /// and budget) and the Markdown tables of all of them in `<directory>/accuracy.md`. With no
  /// new results this only rewrites the Markdown from the JSON.
  public func writeReports(_ new: [AccuracyResult]) throws -> (json: String, markdown: String) {
    let jsonPath = options.directory + "/accuracy.json", mdPath = options.directory + "/accuracy.md"
    var all: [AccuracyResult] = []
    if let data = FileManager.default.contents(atPath: jsonPath) {
      let decoder = JSONDecoder()
      decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      do {
        let old = try decoder.decode([AccuracyResult].self, from: data)
        all = old.filter { o in !new.contains { $0.task == o.task && $0.budget == o.budget } }
      } catch {
        // Never silently drop earlier results: an unreadable report is an error.
        throw InputError(jsonPath, "cannot read the earlier results (\(error)); move the file away to start afresh")
      }
    }
    all += new
    all.sort { ($0.kind, $0.task, $0.budget) < ($1.kind, $1.task, $1.budget) }
    try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    try encoder.encode(all).write(to: URL(fileURLWithPath: jsonPath), options: .atomic)
    try Data(AccuracyBenchmark.markdown(all).utf8).write(to: URL(fileURLWithPath: mdPath), options: .atomic)
    return (jsonPath, mdPath)
  }

  static func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
  }

  static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }
  static func sd(_ x: [Double]) -> Double {
    guard x.count > 1 else { return 0 }
    let m = mean(x)
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
  }

  /// The 1-minute load average, or nil when /proc/loadavg is not readable.
  public static func loadAverage() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    return text.split(separator: " ").first.flatMap { Double($0) }
  }

  /// CPU model and core count (from /proc/cpuinfo).
  public static func machineDescription() -> String {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    var model = "unknown CPU"
    if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
       let colon = line.firstIndex(of: ":") {
      model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return "\(model), \(cores) cores"
  }
}
