import RealModule

/// The continuous uniform distribution U(a, b) on [a, b).
///
///     p(x) = 1/(b − a)  for a ≤ x ≤ b,      F(x) = (x − a)/(b − a)
///
/// Sampling: a + (b − a)·U with U uniform on [0, 1) (53 random bits).
public struct Uniform: UnivariateDistribution, Sendable {
  /// The lower end a.
  public let lower: Double
  /// The upper end b.
  public let upper: Double

  /// U(lower, upper); throws unless both are finite and lower < upper.
  public init(lower: Double, upper: Double) throws {
    try DistributionError.require(lower.isFinite, "Uniform", "lower", "finite", lower)
    try DistributionError.require(upper.isFinite && upper > lower, "Uniform", "upper",
                                  "finite and > lower (\(lower))", upper)
    self.lower = lower
    self.upper = upper
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    lower + (upper - lower) * rng.uniform()
  }

  public func logDensity(_ x: Double) -> Double {
    x >= lower && x <= upper ? -Double.log(upper - lower) : -.infinity
  }

  public func cdf(_ x: Double) -> Double {
    min(max((x - lower) / (upper - lower), 0), 1)
  }

  public var mean: Double { 0.5 * (lower + upper) }
  public var variance: Double { (upper - lower) * (upper - lower) / 12 }
}
