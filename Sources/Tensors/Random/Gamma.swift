import RealModule

/// The gamma distribution with shape α and scale θ (rate 1/θ).
///
///     p(x) = x^{α−1} e^{−x/θ} / (Γ(α) θ^α)  for x > 0,      F(x) = P(α, x/θ)
///     E[X] = αθ,      Var[X] = αθ²
///
/// Sampling: Marsaglia & Tsang (2000), "A simple method for generating gamma variables".
/// For α ≥ 1, with d = α − ⅓ and c = 1/√(9d): draw Z normal, V = (1 + cZ)³ (retry if
/// V ≤ 0) and U uniform; accept dV if U < 1 − 0.0331 Z⁴ (squeeze) or
/// log U < Z²/2 + d(1 − V + log V). For α < 1 the boosting identity
/// G_α = G_{α+1} · U^{1/α} is used, in log space (log G_{α+1} + log(U)/α) so that tiny
/// shapes do not lose the draw to underflow before the final exponential.
public struct Gamma: UnivariateDistribution, Sendable {
  /// The shape α.
  public let shape: Double
  /// The scale θ.
  public let scale: Double
  /// d = α' − ⅓ for the Marsaglia–Tsang shape α' (α, or α + 1 when α < 1).
  @usableFromInline let d: Double
  /// c = 1/√(9d).
  @usableFromInline let c: Double
  /// 1/α when α < 1 (boosting), 0 otherwise.
  @usableFromInline let inverseShape: Double

  /// Gamma(shape, scale); throws unless both are finite and > 0.
  public init(shape: Double, scale: Double) throws {
    try DistributionError.require(shape > 0 && shape.isFinite, "Gamma", "shape",
                                  "finite and > 0", shape)
    try DistributionError.require(scale > 0 && scale.isFinite, "Gamma", "scale",
                                  "finite and > 0", scale)
    self.shape = shape
    self.scale = scale
    let boosted = shape < 1 ? shape + 1 : shape
    d = boosted - 1.0 / 3
    c = 1 / (9 * d).squareRoot()
    inverseShape = shape < 1 ? 1 / shape : 0
  }

  /// Gamma(shape, scale 1/rate); throws unless both are finite and > 0.
  public init(shape: Double, rate: Double) throws {
    try DistributionError.require(rate > 0 && rate.isFinite && (1 / rate).isFinite, "Gamma",
                                  "rate", "finite and > 0", rate)
    try self.init(shape: shape, scale: 1 / rate)
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    if inverseShape == 0 { return scale * marsagliaTsang(&rng) }
    return scale * Double.exp(logStandardSample(&rng))
  }

  /// log G for G ~ Gamma(α, 1), finite even when G underflows (used by `Beta`).
  @inlinable
  func logStandardSample(_ rng: inout RandomStream) -> Double {
    let logG = Double.log(marsagliaTsang(&rng))
    return inverseShape == 0 ? logG : logG + Double.log(rng.uniformOpen()) * inverseShape
  }

  /// A Gamma(d + ⅓, 1) draw.
  @inlinable
  func marsagliaTsang(_ rng: inout RandomStream) -> Double {
    while true {
      var z: Double, v: Double
      repeat {
        z = rng.normal()
        v = 1 + c * z
      } while v <= 0
      v = v * v * v
      let u = rng.uniformOpen()
      let z2 = z * z
      if u < 1 - 0.0331 * z2 * z2 { return d * v }
      if Double.log(u) < 0.5 * z2 + d * (1 - v + Double.log(v)) { return d * v }
    }
  }

  public func logDensity(_ x: Double) -> Double {
    guard x >= 0 else { return -.infinity }
    if x == 0 {
      return shape < 1 ? .infinity : shape == 1 ? -Double.log(scale) : -.infinity
    }
    let y = x / scale
    return (shape - 1) * Double.log(y) - y - Double.logGamma(shape) - Double.log(scale)
  }

  public func cdf(_ x: Double) -> Double {
    x > 0 ? SpecialFunctions.regularizedGammaP(shape, x / scale) : 0
  }

  public var mean: Double { shape * scale }
  public var variance: Double { shape * scale * scale }
}
