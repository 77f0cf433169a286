import Foundation
import Tensors

/// A trained posterior checked against rejection ABC on the same observations: the evaluation
/// protocol of the inverse-kinematics benchmark (Kruse et al. 2021, arXiv:2101.10763), where
/// quantile ABC over a large budget is the ground truth.
///
/// For each observation y*ₖ: L cINN draws and the K ABC draws (one shared ABC pass over N
/// simulations for all observations, as the benchmark draws its simulations once), then
///
/// - MMD²ᵥ(cINN, ABC) with the benchmark's inverse-multiquadric kernels (Err_post), and as its
///   sampling floor MMD²ᵥ(cINN, cINN′) for a second, independent set of L cINN draws;
/// - the C2ST accuracy of telling cINN from ABC draws (0.5: indistinguishable);
/// - the re-simulation error ‖g(θ̂) − y*‖ of both (Err_resim) when the simulator is a
///   deterministic `ForwardModel`;
/// - wall times: cINN sampling per observation; the ABC pass divided by the observations.
///
/// Random streams of seed S: ABC simulations 0..<N and pilot 2⁶² + j (`RejectionABC`),
/// prior-predictive observations 3·2⁶⁰ + j, the seed of observation k's cINN draws from stream
/// 5·2⁶⁰ + k and of its reference draws from 6·2⁶⁰ + k: all disjoint, so no ABC simulation
/// reproduces an observation and the result does not depend on the thread count.
public enum ABCValidation {
  public static let observationStreamOffset = 3 << 60
  static let drawSeedStreamOffset: UInt64 = 5 << 60
  static let referenceSeedStreamOffset: UInt64 = 6 << 60

  /// The metrics of one observation.
  public struct Row: Sendable {
    public var observation: [Double]
    /// θ that generated the observation (prior-predictive observations only).
    public var truth: [Double]?
    /// The seed of the cINN draws: `bayesflow sample --seed` with this observation alone
    /// reproduces them.
    public var drawSeed: UInt64
    /// MMD²ᵥ between the cINN and the ABC draws.
    public var mmd2: Double
    /// MMD²ᵥ between two independent sets of cINN draws: the value of equal distributions.
    public var mmd2Floor: Double
    /// C2ST accuracy (cINN vs ABC); nil when skipped.
    public var c2st: Double?
    public var resimulationErrorCINN: Double?
    public var resimulationErrorABC: Double?
    /// ABC tolerances: the K-th and (K+1)-th nearest distance.
    public var tolerance: Double
    public var nextDistance: Double?
    /// Wall and CPU seconds of the cINN draws.
    public var secondsCINN: Double
    public var cpuSecondsCINN: Double
    /// Wall and CPU seconds of the shared ABC pass divided by the number of observations.
    public var secondsABC: Double
    public var cpuSecondsABC: Double
  }

  /// Everything `bayesflow validate` prints and writes.
  public struct Report: Sendable {
    public var simulator: String
    public var parameterNames: [String]
    public var rows: [Row]
    public var budget: Int
    public var keep: Int
    public var draws: Int
    public var seed: UInt64
    public var scaling: ABCScaling
    public var scale: [Double]
    /// Wall and CPU time of the whole ABC pass (pilot included) and its rate (wall).
    public var abcSeconds: Double
    public var abcCPUSeconds: Double
    public var simulationsPerSecond: Double
    public var notes: [String]

    /// Mean of a metric over the rows where it is defined (nil if nowhere).
    public func mean(_ metric: (Row) -> Double?) -> Double? {
      let values = rows.compactMap(metric)
      return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The report as JSON (snake_case keys; undefined metrics are null).
    public var json: JSONValue {
      func num(_ x: Double?) -> JSONValue { x.map { JSONValue.number($0) } ?? .null }
      func nums(_ x: [Double]) -> JSONValue { .array(x.map { .number($0) }) }
      func metrics(_ pick: ((Row) -> Double?) -> Double?) -> [(key: String, value: JSONValue)] {
        [("mmd2", num(pick { $0.mmd2 })), ("mmd2_floor", num(pick { $0.mmd2Floor })), ("c2st", num(pick { $0.c2st })),
         ("resimulation_error_cinn", num(pick { $0.resimulationErrorCINN })),
         ("resimulation_error_abc", num(pick { $0.resimulationErrorABC })),
         ("tolerance", num(pick { $0.tolerance })), ("next_distance", num(pick { $0.nextDistance })),
         ("seconds_cinn", num(pick { $0.secondsCINN })), ("cpu_seconds_cinn", num(pick { $0.cpuSecondsCINN })),
         ("seconds_abc", num(pick { $0.secondsABC })), ("cpu_seconds_abc", num(pick { $0.cpuSecondsABC }))]
      }
      let rowValues: [JSONValue] = rows.map { r in
        .object([("observation", nums(r.observation)), ("theta", r.truth.map(nums) ?? .null),
                 ("cinn_seed", .number(Double(r.drawSeed), literal: String(r.drawSeed)))] + metrics { $0(r) })
      }
      return .object([
        ("simulator", .string(simulator)),
        ("parameter_names", .array(parameterNames.map { .string($0) })),
        ("abc", .object([("budget", .number(Double(budget))), ("keep", .number(Double(keep))),
                         ("distance", .string(scaling.rawValue)), ("scale", nums(scale)),
                         ("seconds", .number(abcSeconds)), ("cpu_seconds", .number(abcCPUSeconds)),
                         ("simulations_per_second", .number(simulationsPerSecond))])),
        ("draws", .number(Double(draws))),
        ("seed", .number(Double(seed))),
        ("observations", .array(rowValues)),
        ("mean", .object(metrics { mean($0) })),
        ("notes", .array(notes.map { .string($0) })),
      ])
    }
  }

  /// `count` prior-predictive pairs (θ, y), from streams (seed, 3·2⁶⁰ + j) for j = 0, 1, …
  /// skipping failed simulations.
  public static func priorPredictive(_ simulator: any Simulator, count: Int, seed: UInt64) throws
    -> [(theta: [Double], observation: Observation)] {
    var out: [(theta: [Double], observation: Observation)] = []
    var j = 0
    while out.count < count {
      guard j < 1000 * count + 1000 else {
        throw RejectionABCError("simulator \(simulator.name): \(j) prior-predictive simulations gave only \(out.count) valid observations")
      }
      var rng = RandomStream(seed: seed, stream: UInt64(observationStreamOffset + j))
      j += 1
      let theta = simulator.samplePrior(&rng)
      guard let y = try? simulator.simulate(theta, &rng), SimulationEngine.isValid(y, simulator.observationShape, theta) else { continue }
      out.append((theta, y))
    }
    return out
  }

  /// Runs ABC (one pass for all observations) and the cINN for each observation and computes
  /// the metrics. `c2st` nil skips the C2ST. `status` receives a line per finished observation.
  public static func run(posterior: Posterior, observations: [Observation], truths: [[Double]]? = nil,
                         abc: RejectionABC, budget: Int, keep: Int, draws: Int, seed: UInt64,
                         c2st: C2STOptions? = C2STOptions(),
                         abcProgress: ((Int, Int) -> Void)? = nil, status: (String) -> Void = { _ in }) throws -> Report {
    let simulator = posterior.simulator
    let p = simulator.parameters.count
    let m = observations.count
    let started = Date(), startedCPU = processCPUSeconds()
    let scale = try abc.scale()
    let results = try abc.run(observations, budget: budget, keep: keep, scale: scale, progress: abcProgress)
    let abcSeconds = Date().timeIntervalSince(started), abcCPUSeconds = processCPUSeconds() - startedCPU
    status(String(format: "abc: %d simulations in %.1f s, %.1f CPU-s (%.3g simulations/s) for %d observation%@",
                  budget, abcSeconds, abcCPUSeconds, Double(budget) / abcSeconds, m, m == 1 ? "" : "s"))

    var notes: [String] = []
    let forward: (([Double]) -> [Double])?
    if let model = simulator as? any ForwardModel, model.isDeterministic {
      forward = { model.forward($0) }
    } else {
      forward = nil
      notes.append("re-simulation error skipped: simulator \(simulator.name) is not a deterministic forward model")
    }
    if m > 1 { notes.append("ABC time per observation is the shared pass (\(String(format: "%.1f", abcSeconds)) s) divided by \(m)") }
    if c2st == nil { notes.append("C2ST skipped") }

    var rows: [Row] = []
    for (k, y) in observations.enumerated() {
      let drawSeed = derivedSeed(seed, drawSeedStreamOffset + UInt64(k))
      let t0 = Date(), c0 = processCPUSeconds()
      let cinn = try posterior.sampleFlat([y], count: draws, seed: drawSeed)
      let secondsCINN = Date().timeIntervalSince(t0), cpuSecondsCINN = processCPUSeconds() - c0
      let referenceSeed = derivedSeed(seed, referenceSeedStreamOffset + UInt64(k))
      let reference = try posterior.sampleFlat([y], count: draws, seed: referenceSeed)
      let r = results[k]
      let mmd2 = maximumMeanDiscrepancySquared(cinn, r.parameters, dimension: p)
      let floor = maximumMeanDiscrepancySquared(cinn, reference, dimension: p)
      var accuracy: Double? = nil
      if var options = c2st {
        options.seed = seed
        accuracy = classifierTwoSampleTest(r.parameters, cinn, dimension: p, options: options).accuracy
      }
      var resimCINN: Double? = nil, resimABC: Double? = nil
      if let forward {
        resimCINN = resimulationError(draws: unflatten(cinn, p), observation: y.values, simulate: forward)
        resimABC = resimulationError(draws: r.draws, observation: y.values, simulate: forward)
      }
      rows.append(Row(observation: y.values, truth: truths?[k], drawSeed: drawSeed, mmd2: mmd2, mmd2Floor: floor, c2st: accuracy,
                      resimulationErrorCINN: resimCINN, resimulationErrorABC: resimABC, tolerance: r.tolerance,
                      nextDistance: r.nextDistance, secondsCINN: secondsCINN, cpuSecondsCINN: cpuSecondsCINN,
                      secondsABC: abcSeconds / Double(m), cpuSecondsABC: abcCPUSeconds / Double(m)))
      status(String(format: "observation %d/%d: MMD² %.4g (floor %.4g)%@", k + 1, m, mmd2, floor,
                    accuracy.map { String(format: ", C2ST %.3f", $0) } ?? ""))
    }
    return Report(simulator: simulator.name, parameterNames: simulator.parameterNames, rows: rows, budget: budget, keep: keep,
                  draws: draws, seed: seed, scaling: abc.scaling, scale: scale, abcSeconds: abcSeconds, abcCPUSeconds: abcCPUSeconds,
                  simulationsPerSecond: Double(budget) / abcSeconds, notes: notes)
  }

  /// The first draw of stream (seed, stream): a seed for `Posterior.sampleFlat`.
  static func derivedSeed(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    var rng = RandomStream(seed: seed, stream: stream)
    return rng.next()
  }

  static func unflatten(_ flat: [Double], _ p: Int) -> [[Double]] {
    (0..<(flat.count / p)).map { Array(flat[($0 * p)..<(($0 + 1) * p)]) }
  }
}
