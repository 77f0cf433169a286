import RealModule

/// The log-normal distribution: X = e^Y with Y ~ N(μ, σ²).
///
///     p(x) = exp(−(log x − μ)²/(2σ²)) / (xσ√(2π))  for x > 0,      F(x) = Φ((log x − μ)/σ)
///     E[X] = e^{μ + σ²/2},      Var[X] = (e^{σ²} − 1) e^{2μ + σ²}
///
/// Sampling: exp(μ + σZ), Z from the ziggurat normal.
public struct LogNormal: UnivariateDistribution, Sendable {
  /// The mean μ of log X.
  public let mu: Double
  /// The standard deviation σ of log X.
  public let sigma: Double

  /// LN(mu, sigma²); throws unless mu is finite and sigma is finite and > 0.
  public init(mu: Double, sigma: Double) throws {
    try DistributionError.require(mu.isFinite, "LogNormal", "mu", "finite", mu)
    try DistributionError.require(sigma > 0 && sigma.isFinite, "LogNormal", "sigma",
                                  "finite and > 0", sigma)
    self.mu = mu
    self.sigma = sigma
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    Double.exp(mu + sigma * rng.normal())
  }

  public func logDensity(_ x: Double) -> Double {
    guard x > 0 else { return -.infinity }
    let logX = Double.log(x)
    let z = (logX - mu) / sigma
    return -0.5 * z * z - logX - Double.log(sigma) - SpecialFunctions.halfLogTwoPi
  }

  public func cdf(_ x: Double) -> Double {
    x > 0 ? SpecialFunctions.standardNormalCDF((Double.log(x) - mu) / sigma) : 0
  }

  public var mean: Double { Double.exp(mu + 0.5 * sigma * sigma) }
  public var variance: Double {
    Double.expMinusOne(sigma * sigma) * Double.exp(2 * mu + sigma * sigma)
  }
}
