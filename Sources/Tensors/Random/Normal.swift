import RealModule

/// The normal distribution N(μ, σ²).
///
///     p(x) = exp(−(x − μ)²/(2σ²)) / (σ√(2π)),      F(x) = Φ((x − μ)/σ) = ½ erfc(−(x − μ)/(σ√2))
///
/// Sampling: μ + σ·Z with Z from `RandomStream.normal()` (256-layer ziggurat, Marsaglia &
/// Tsang 2000).
public struct Normal: UnivariateDistribution, Sendable {
  /// The mean μ.
  public let mean: Double
  /// The standard deviation σ.
  public let sd: Double

  /// N(mean, sd²); throws unless mean is finite and sd is finite and > 0.
  public init(mean: Double, sd: Double) throws {
    try DistributionError.require(mean.isFinite, "Normal", "mean", "finite", mean)
    try DistributionError.require(sd > 0 && sd.isFinite, "Normal", "sd", "finite and > 0", sd)
    self.mean = mean
    self.sd = sd
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    mean + sd * rng.normal()
  }

  public func logDensity(_ x: Double) -> Double {
    let z = (x - mean) / sd
    return -0.5 * z * z - Double.log(sd) - SpecialFunctions.halfLogTwoPi
  }

  public func cdf(_ x: Double) -> Double {
    SpecialFunctions.standardNormalCDF((x - mean) / sd)
  }

  public var variance: Double { sd * sd }
}
