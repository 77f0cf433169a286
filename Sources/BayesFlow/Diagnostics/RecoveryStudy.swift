import Dispatch
import Foundation
import Tensors

/// Parameter recovery and simulation-based calibration of a trained posterior on held-out
/// simulations, for the parameters and (optionally) the simulator's derived quantities.
///
/// For M held-out pairs (θ*ₘ, yₘ) and L posterior draws θₘₗ ~ q(θ | yₘ), each quantity
/// f ∈ {θ₁ … θ_P, d₁(θ) … d_D(θ)} is evaluated at the truth and at every draw; the study then
/// holds `CalibrationDiagnostics` over all P + D quantities: recovery of the posterior median
/// (R², correlation, NRMSE), SBC ranks against the simultaneous ECDF band, coverage and
/// contraction. A derived quantity is a fixed function of θ, so under a calibrated posterior its
/// SBC rank is uniform too (Talts et al. 2018); its recovery measures how well the observation
/// pins down, e.g., log L, even where θ itself is degenerate.
///
/// `figure()` draws posterior median against truth (with the central `intervalLevel` interval
/// as a vertical segment) for every quantity, `sbcFigure()` the rank ECDF − uniform with the
/// simultaneous band; `table()` and `csv()` give the numbers.
public struct RecoveryStudy: Sendable {
  /// Quantity names: the P parameters, then the derived quantities (if included).
  public let names: [String]
  /// P: the first P quantities are parameters.
  public let parameterCount: Int
  /// Diagnostics of every quantity (truths, medians, ranks, recovery, coverage).
  public let diagnostics: CalibrationDiagnostics
  /// Level of the central interval drawn in `figure()`.
  public let intervalLevel: Double
  /// Its bounds per quantity and data set [Q][M].
  public let intervalLower: [[Double]]
  public let intervalUpper: [[Double]]
  /// Data sets dropped because a derived quantity was not finite at the truth or at a draw.
  public let droppedDataSets: Int

  public var simulations: Int { diagnostics.simulations }
  public var draws: Int { diagnostics.draws }

  /// A study from `truths` [M][P] and parameter `draws` [M, L, P]. With `derived` (a function
  /// θ → D values named `derivedNames`) the derived quantities are added; data sets where any of
  /// them is not finite at the truth or at a draw are dropped (counted in `droppedDataSets`).
  public init(truths: [[Double]], draws: PosteriorDraws, parameterNames: [String],
              derivedNames: [String] = [], derived: (@Sendable ([Double]) -> [Double])? = nil,
              intervalLevel: Double = 0.9, options: CalibrationOptions = CalibrationOptions()) {
    precondition(parameterNames.count == draws.parameters, "RecoveryStudy: \(parameterNames.count) names for \(draws.parameters) parameters")
    precondition(truths.count == draws.simulations, "RecoveryStudy: \(truths.count) truths for \(draws.simulations) data sets")
    precondition(intervalLevel > 0 && intervalLevel < 1, "RecoveryStudy: interval level in (0, 1)")
    let p = draws.parameters, l = draws.draws, m = draws.simulations
    let d = derived == nil ? 0 : derivedNames.count
    let q = p + d
    var keptTruths: [[Double]] = []
    var values: [Double]
    if let derived, d > 0 {
      // Evaluate derived quantities of every draw, in parallel over data sets.
      var all = [Double](repeating: .nan, count: m * l * q)
      var truthRows = [[Double]](repeating: [], count: m)
      var ok = [Bool](repeating: true, count: m)
      let source = draws.values
      all.withUnsafeMutableBufferPointer { outBuf in
        truthRows.withUnsafeMutableBufferPointer { tBuf in
          ok.withUnsafeMutableBufferPointer { okBuf in
            let out = outBuf.baseAddress!, tb = tBuf.baseAddress!, okb = okBuf.baseAddress!
            DispatchQueue.concurrentPerform(iterations: min(m, 64)) { chunk in
              for set in (chunk * m / min(m, 64))..<((chunk + 1) * m / min(m, 64)) {
                let t = truths[set]
                let dt = derived(t)
                var good = dt.count == d && dt.allSatisfy(\.isFinite)
                tb[set] = t + dt
                var theta = [Double](repeating: 0, count: p)
                for draw in 0..<l where good {
                  let src = (set * l + draw) * p, dst = (set * l + draw) * q
                  for j in 0..<p { theta[j] = source[src + j]; out[dst + j] = theta[j] }
                  let dv = derived(theta)
                  guard dv.count == d, dv.allSatisfy(\.isFinite) else { good = false; break }
                  for j in 0..<d { out[dst + p + j] = dv[j] }
                }
                okb[set] = good
              }
            }
          }
        }
      }
      values = []
      values.reserveCapacity(m * l * q)
      for set in 0..<m where ok[set] {
        keptTruths.append(truthRows[set])
        values += all[(set * l * q)..<((set + 1) * l * q)]
      }
      droppedDataSets = m - keptTruths.count
    } else {
      keptTruths = truths
      values = draws.values
      droppedDataSets = 0
    }
    precondition(!keptTruths.isEmpty, "RecoveryStudy: every data set has a non-finite derived quantity")
    names = parameterNames + (d > 0 ? derivedNames : [])
    parameterCount = p
    self.intervalLevel = intervalLevel
    let all = PosteriorDraws(simulations: keptTruths.count, draws: l, parameters: q, values: values)
    diagnostics = CalibrationDiagnostics(truths: keptTruths, draws: all, parameterNames: names, options: options)
    // Central interval bounds per quantity.
    let mk = keptTruths.count
    var lower = [[Double]](repeating: [Double](repeating: .nan, count: mk), count: q), upper = lower
    let lo = (1 - intervalLevel) / 2, hi = (1 + intervalLevel) / 2
    var column = [Double](repeating: 0, count: l)
    for set in 0..<mk {
      for j in 0..<q {
        for draw in 0..<l { column[draw] = values[(set * l + draw) * q + j] }
        column.sort()
        lower[j][set] = ParameterSummary.quantile(column, lo)
        upper[j][set] = ParameterSummary.quantile(column, hi)
      }
    }
    intervalLower = lower
    intervalUpper = upper
  }

  // MARK: Held-out data and the whole run

  /// The seed of held-out simulations for a model trained with `trainingSeed`: a family of its
  /// own, so held-out data never coincide with training, validation or pilot simulations.
  public static func heldOutSeed(trainingSeed: UInt64) -> UInt64 { trainingSeed ^ 0x4E1D_0075_7EC0_0E27 }

  /// `count` simulations of `simulator` with seed `seed`, global indices 0, 1, … (the rows of
  /// `bayesflow simulate --seed seed`); failed simulations are skipped and replaced by later
  /// indices. Observations are rounded to Float32 as in a dataset file.
  public static func simulate(_ simulator: any Simulator, count: Int, seed: UInt64,
                              threads: Int = SimulationEngine.defaultThreads) throws -> (truths: [[Double]], observations: [Observation], indices: [Int]) {
    precondition(count >= 1)
    let engine = SimulationEngine(simulator: simulator, seed: seed, threads: threads)
    var batch = try engine.simulate(0..<count)
    var next = count
    while batch.count < count {
      let extra = max(16, count - batch.count)
      let more = try engine.simulate(next..<(next + extra))
      try engine.checkFailures()
      batch.append(contentsOf: more)
      next += extra
      if next > 100 * count + 1000 {
        throw SimulationError(message: "\(simulator.name): only \(batch.count) of \(count) held-out simulations succeeded in \(next) attempts")
      }
    }
    return split(batch.slice(0..<count))
  }

  /// Truths, observations and indices of a batch.
  public static func split(_ b: SimulationBatch) -> (truths: [[Double]], observations: [Observation], indices: [Int]) {
    var truths: [[Double]] = [], observations: [Observation] = []
    for k in 0..<b.count {
      truths.append(Array(b.theta(k)))
      let len = Int(b.lengths[k])
      let start = k * b.observationSize
      observations.append(Observation(b.observations[start..<(start + len * b.width)].map(Double.init), length: len))
    }
    return (truths, observations, b.indices)
  }

  /// The whole study for a trained posterior: `draws` posterior draws for each observation
  /// (random streams from `seed`), the derived quantities of the simulator when `derived`.
  public static func run(posterior: Posterior, truths: [[Double]], observations: [Observation], draws: Int, seed: UInt64,
                         derived: Bool, intervalLevel: Double = 0.9, options: CalibrationOptions = CalibrationOptions()) throws -> RecoveryStudy {
    precondition(draws >= 2, "RecoveryStudy: at least 2 draws per data set")
    let flat = try posterior.sampleFlat(observations, count: draws, seed: seed)
    let sim = posterior.simulator
    let p = posterior.parameterNames.count
    let d = PosteriorDraws(simulations: observations.count, draws: draws, parameters: p, values: flat)
    let useDerived = derived && !sim.derivedQuantityNames.isEmpty
    var function: (@Sendable ([Double]) -> [Double])? = nil
    if useDerived {
      function = { (theta: [Double]) -> [Double] in
        let values: [Double] = sim.derivedQuantities(theta)
        return values
      }
    }
    return RecoveryStudy(truths: truths, draws: d, parameterNames: posterior.parameterNames,
                         derivedNames: useDerived ? sim.derivedQuantityNames : [], derived: function,
                         intervalLevel: intervalLevel, options: options)
  }
}
