/// Pointwise quantiles of posterior predictive time series.
///
/// Given L predictive simulations y⁽ˡ⁾ ∈ ℝ^{T×C} (simulator runs at L posterior draws), the
/// q-quantile at time t and channel c is the type-7 sample quantile of {y⁽ˡ⁾ₜ꜀ : l = 1…L}.
/// Defaults: q = 2.5%, 25%, 50%, 75%, 97.5% — the median with central 50% and 95% bands.
/// Values are stored [T, C, Q] flat (`(t·C + c)·Q + k`).
public struct PredictiveQuantiles: Sendable {
  public let levels: [Double]
  public let timeSteps: Int
  public let channels: Int
  public let values: [Double]

  /// The default levels 0.025, 0.25, 0.5, 0.75, 0.975.
  public static let defaultLevels = [0.025, 0.25, 0.5, 0.75, 0.975]

  /// Quantiles of `simulations` [L][T][C] (every series of equal shape, L ≥ 1).
  public init(simulations: [[[Double]]], levels: [Double] = PredictiveQuantiles.defaultLevels) {
    precondition(!simulations.isEmpty && !simulations[0].isEmpty, "PredictiveQuantiles: no simulations")
    let l = simulations.count, t = simulations[0].count, c = simulations[0][0].count
    precondition(simulations.allSatisfy { $0.count == t && $0.allSatisfy { $0.count == c } },
                 "PredictiveQuantiles: every simulation must be [\(t)][\(c)]")
    self.levels = levels
    timeSteps = t
    channels = c
    var out = [Double](repeating: 0, count: t * c * levels.count)
    var column = [Double](repeating: 0, count: l)
    for ti in 0..<t {
      for ci in 0..<c {
        for li in 0..<l { column[li] = simulations[li][ti][ci] }
        column.sort()
        for (k, q) in levels.enumerated() { out[(ti * c + ci) * levels.count + k] = sortedQuantile(column, q) }
      }
    }
    values = out
  }

  /// The quantile at `levels[k]` for time step t and channel c.
  public func quantile(_ k: Int, time t: Int, channel c: Int) -> Double {
    values[(t * channels + c) * levels.count + k]
  }

  /// The series over time of the quantile `levels[k]` in channel c.
  public func series(_ k: Int, channel c: Int) -> [Double] {
    (0..<timeSteps).map { quantile(k, time: $0, channel: c) }
  }
}
