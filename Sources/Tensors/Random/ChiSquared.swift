/// The chi-squared distribution with ν degrees of freedom: Gamma(ν/2, scale 2).
///
///     p(x) = x^{ν/2−1} e^{−x/2} / (2^{ν/2} Γ(ν/2))  for x > 0,      F(x) = P(ν/2, x/2)
///     E[X] = ν,      Var[X] = 2ν
///
/// Sampling through `Gamma` (Marsaglia–Tsang).
public struct ChiSquared: UnivariateDistribution, Sendable {
  /// The degrees of freedom ν.
  public let df: Double
  @usableFromInline let gamma: Gamma

  /// χ²(df); throws unless df is finite and > 0.
  public init(df: Double) throws {
    try DistributionError.require(df > 0 && df.isFinite, "ChiSquared", "df", "finite and > 0", df)
    self.df = df
    gamma = try Gamma(shape: df / 2, scale: 2)
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double { gamma.sample(&rng) }

  public func logDensity(_ x: Double) -> Double { gamma.logDensity(x) }
  public func cdf(_ x: Double) -> Double { gamma.cdf(x) }
  public var mean: Double { df }
  public var variance: Double { 2 * df }
}
