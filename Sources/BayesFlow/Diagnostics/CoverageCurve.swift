/// Empirical coverage of central credible intervals against their nominal levels.
///
/// At nominal level q the central interval [Q((1−q)/2), Q((1+q)/2)] of a calibrated posterior
/// covers the true value with probability q, so over M independent data sets the empirical
/// coverage ĉ(q) is ~ Bin(M, q)/M, with standard error √(q(1 − q)/M). With L draws per data
/// set, type-7 intervals of the exact posterior cover with probability q(L − 1)/(L + 1) (the
/// order statistics they interpolate have E[F(x₍ₖ₎)] = k/(L + 1)): a bias of −2q/(L + 1), below
/// 0.002 for L = 1000.
///
/// The calibration error is the median over the levels of |ĉ(q) − q| (the aggregate BayesFlow 2
/// uses in `calibration_error`); `maxError` is the largest such deviation.
public struct CoverageCurve: Sendable {
  /// Nominal levels q (default 0.05, 0.10, …, 0.95).
  public let levels: [Double]
  /// Empirical coverage ĉ(q) at each level.
  public let empirical: [Double]
  /// M, the number of data sets behind each ĉ(q).
  public let simulations: Int

  public init(levels: [Double], empirical: [Double], simulations: Int) {
    precondition(levels.count == empirical.count && !levels.isEmpty, "CoverageCurve: one coverage per level")
    self.levels = levels
    self.empirical = empirical
    self.simulations = simulations
  }

  /// The levels 0.05, 0.10, …, 0.95.
  public static let defaultLevels: [Double] = (1...19).map { Double($0) / 20 }

  /// median over levels of |ĉ(q) − q|.
  public var calibrationError: Double {
    let d = zip(empirical, levels).map { abs($0 - $1) }.sorted()
    return d.count % 2 == 1 ? d[d.count / 2] : (d[d.count / 2 - 1] + d[d.count / 2]) / 2
  }

  /// max over levels of |ĉ(q) − q|.
  public var maxError: Double {
    zip(empirical, levels).map { abs($0 - $1) }.max()!
  }

  /// √(q(1 − q)/M) at each level: the standard error of ĉ(q) under calibration.
  public var standardErrors: [Double] {
    levels.map { ($0 * (1 - $0) / Double(simulations)).squareRoot() }
  }
}
