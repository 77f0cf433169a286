import Dispatch
import Tensors

/// The posterior predictive distribution of one observation: the simulator run at posterior
/// draws, summarised by pointwise quantiles per row and channel (`PredictiveQuantiles`).
///
///     θ⁽ⁱ⁾ ~ q(θ | y_obs),  ỹ⁽ⁱ⁾ ~ p(y | θ⁽ⁱ⁾),  i = 1…n
///     Q_q[t, c] = the q-quantile of {ỹ⁽ⁱ⁾[t, c]}ᵢ (type-7 interpolation)
///
/// so [Q_0.025, Q_0.975] is the central 95% pointwise predictive band of y[t, c]; it includes the
/// observation noise of the simulator, not only the parameter uncertainty.
///
///     let pp = try PosteriorPredictive(posterior: posterior, observation: y, draws: 1000, seed: 1)
///     pp.quantiles.quantile(2, time: t, channel: c)     // the predictive median of y[t, c]
///     pp.insideFraction(level: 0.95, channel: c)        // observed values inside the 95% band
///
/// Draw i comes from `Posterior.sample` with `seed`; simulation i runs the simulator at draw i
/// with the random stream (seed ⊕ `simulationTag`, i), so the result does not depend on the
/// thread count. Failed simulations (thrown errors, non-finite values) and simulations shorter
/// than the observation are dropped and counted; variable-length simulations are cut to the
/// observation's length. A vector observation is one row.
public struct PosteriorPredictive: Sendable {
  /// The observation's values as rows [T][C].
  public let observed: [[Double]]
  /// Names of the C channels: stream names for `.streams`, `y1…` otherwise.
  public let channelNames: [String]
  /// The quantiles at `levels` over the successful simulations.
  public let quantiles: PredictiveQuantiles
  /// Posterior draws used, and how many of their simulations were dropped.
  public let draws: Int
  public let failed: Int

  /// Tag mixed into the seed of the predictive simulations (the draws use the seed itself).
  public static let simulationTag: UInt64 = 0x5052_4544_4943_5456

  public init(posterior: Posterior, observation y: Observation, draws count: Int, seed: UInt64,
              levels: [Double] = PredictiveQuantiles.defaultLevels) throws {
    precondition(count >= 1, "PosteriorPredictive: at least one draw")
    let shape = posterior.observationShape, w = shape.width, t = y.length
    precondition(t >= 1 && y.values.count == t * w, "PosteriorPredictive: observation of \(y.values.count) values for \(t) rows of \(w)")
    let thetas = try posterior.sample([y], count: count, seed: seed)[0]
    let sims = PosteriorPredictive.simulate(posterior.simulator, at: thetas, seed: seed ^ PosteriorPredictive.simulationTag,
                                            threads: posterior.threads)
    let series = PosteriorPredictive.rows(of: sims, length: t, width: w)
    guard !series.isEmpty else {
      throw SimulationError(message: "posterior predictive: all \(count) simulations at the posterior draws failed")
    }
    observed = PosteriorPredictive.rows(of: [y], length: t, width: w)[0]
    channelNames = PosteriorPredictive.channelNames(shape)
    quantiles = PredictiveQuantiles(simulations: series, levels: levels)
    draws = count
    failed = count - series.count
  }

  /// The simulator at each row of `thetas`; run i uses the random stream (seed, i). Failed
  /// runs (thrown errors, non-finite values) are nil.
  public static func simulate(_ simulator: any Simulator, at thetas: [[Double]], seed: UInt64, threads: Int) -> [Observation?] {
    var results = [Observation?](repeating: nil, count: thetas.count)
    let workers = max(1, min(threads, thetas.count))
    results.withUnsafeMutableBufferPointer { buf in
      let base = buf.baseAddress!
      DispatchQueue.concurrentPerform(iterations: workers) { k in
        for i in stride(from: k, to: thetas.count, by: workers) {
          var rng = RandomStream(seed: seed, stream: UInt64(i))
          if let out = try? simulator.simulate(thetas[i], &rng), out.values.allSatisfy(\.isFinite) { base[i] = out }
        }
      }
    }
    return results
  }

  /// The first `t` rows of width `w` of each observation, [run][row][channel]; nil runs and
  /// runs shorter than `t` rows are left out.
  public static func rows(of runs: [Observation?], length t: Int, width w: Int) -> [[[Double]]] {
    runs.compactMap { o -> [[Double]]? in
      guard let o, o.length >= t, o.values.count >= t * w else { return nil }
      return (0..<t).map { r in Array(o.values[(r * w)..<((r + 1) * w)]) }
    }
  }

  /// Channel names of a shape: stream names (`name[k]` for multi-channel streams); for a series
  /// `y` or `channel 1…C`; otherwise `y` or y1…yC.
  public static func channelNames(_ shape: ObservationShape) -> [String] {
    switch shape {
    case .streams(let streams, _, _):
      return streams.flatMap { s in s.channels == 1 ? [s.name] : (1...s.channels).map { "\(s.name)[\($0)]" } }
    case .timeSeries(_, let c, _):
      return c == 1 ? ["y"] : (1...c).map { "channel \($0)" }
    default:
      return shape.width == 1 ? ["y"] : (1...shape.width).map { "y\($0)" }
    }
  }

  /// The index of the quantile level closest to q.
  func levelIndex(_ q: Double) -> Int? {
    quantiles.levels.indices.min { abs(quantiles.levels[$0] - q) < abs(quantiles.levels[$1] - q) }
      .flatMap { abs(quantiles.levels[$0] - q) < 1e-9 ? $0 : nil }
  }

  /// The fraction of observed values of `channel` inside the central predictive band of
  /// `level` (e.g. 0.95: between the 2.5% and 97.5% quantiles, inclusive); nil when the band's
  /// quantiles were not computed.
  public func insideFraction(level: Double, channel c: Int) -> Double? {
    guard let lo = levelIndex((1 - level) / 2), let hi = levelIndex((1 + level) / 2) else { return nil }
    var inside = 0
    for t in observed.indices {
      let v = observed[t][c]
      if v >= quantiles.quantile(lo, time: t, channel: c) && v <= quantiles.quantile(hi, time: t, channel: c) { inside += 1 }
    }
    return Double(inside) / Double(observed.count)
  }
}
