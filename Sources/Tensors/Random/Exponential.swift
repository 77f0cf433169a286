import RealModule

/// The exponential distribution with rate λ (scale 1/λ).
///
///     p(x) = λ e^{−λx}  for x ≥ 0,      F(x) = 1 − e^{−λx},      E[X] = 1/λ,  Var[X] = 1/λ²
///
/// Sampling by inversion: −log(U)/λ with U uniform on (0, 1).
public struct Exponential: UnivariateDistribution, Sendable {
  /// The rate λ.
  public let rate: Double
  /// The scale 1/λ.
  public let scale: Double

  /// Exp(rate); throws unless rate is finite and > 0.
  public init(rate: Double) throws {
    try DistributionError.require(rate > 0 && rate.isFinite && (1 / rate).isFinite,
                                  "Exponential", "rate", "finite and > 0", rate)
    self.rate = rate
    self.scale = 1 / rate
  }

  /// The exponential distribution with mean `scale`; throws unless scale is finite and > 0.
  public init(scale: Double) throws {
    try DistributionError.require(scale > 0 && scale.isFinite && (1 / scale).isFinite,
                                  "Exponential", "scale", "finite and > 0", scale)
    self.rate = 1 / scale
    self.scale = scale
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    -scale * Double.log(rng.uniformOpen())
  }

  public func logDensity(_ x: Double) -> Double {
    x >= 0 ? Double.log(rate) - rate * x : -.infinity
  }

  public func cdf(_ x: Double) -> Double {
    x > 0 ? -Double.expMinusOne(-rate * x) : 0
  }

  public var mean: Double { scale }
  public var variance: Double { scale * scale }
}
