import RealModule

/// The beta distribution Beta(a, b) on [0, 1].
///
///     p(x) = x^{a−1} (1 − x)^{b−1} / B(a, b),      F(x) = Iₓ(a, b)
///     E[X] = a/(a + b),      Var[X] = ab / ((a + b)² (a + b + 1))
///
/// Sampling: X = G_a/(G_a + G_b) with independent G_a ~ Gamma(a, 1), G_b ~ Gamma(b, 1)
/// (Marsaglia–Tsang). When a or b is below 1 the gammas are drawn as logarithms and
/// X = 1/(1 + exp(log G_b − log G_a)), so small shapes (where G underflows) stay exact.
/// Draws are rounded to doubles: for b ≪ 1 a visible fraction lies within 2⁻⁵³ of 1 and
/// is returned as 1 (about 8% for a = b = 0.05), where `logDensity` is +∞.
public struct Beta: UnivariateDistribution, Sendable {
  /// The first shape a (exponent of x).
  public let a: Double
  /// The second shape b (exponent of 1 − x).
  public let b: Double
  @usableFromInline let gammaA: Gamma
  @usableFromInline let gammaB: Gamma
  /// Whether the log-space path is needed (a < 1 or b < 1).
  @usableFromInline let smallShape: Bool
  let logNormalizer: Double

  /// Beta(a, b); throws unless both are finite and > 0.
  public init(a: Double, b: Double) throws {
    try DistributionError.require(a > 0 && a.isFinite, "Beta", "a", "finite and > 0", a)
    try DistributionError.require(b > 0 && b.isFinite, "Beta", "b", "finite and > 0", b)
    self.a = a
    self.b = b
    gammaA = try Gamma(shape: a, scale: 1)
    gammaB = try Gamma(shape: b, scale: 1)
    smallShape = a < 1 || b < 1
    logNormalizer = SpecialFunctions.logBeta(a, b)
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    if smallShape {
      let logX = gammaA.logStandardSample(&rng)
      let logY = gammaB.logStandardSample(&rng)
      return 1 / (1 + Double.exp(logY - logX))
    }
    let x = gammaA.marsagliaTsang(&rng)
    let y = gammaB.marsagliaTsang(&rng)
    return x / (x + y)
  }

  public func logDensity(_ x: Double) -> Double {
    guard x >= 0 && x <= 1 else { return -.infinity }
    let left = a == 1 ? 0 : (a - 1) * Double.log(x)
    let right = b == 1 ? 0 : (b - 1) * Double.log(onePlus: -x)
    return left + right - logNormalizer
  }

  public func cdf(_ x: Double) -> Double {
    x <= 0 ? 0 : x >= 1 ? 1 : SpecialFunctions.regularizedBeta(x, a, b)
  }

  public var mean: Double { a / (a + b) }
  public var variance: Double { a * b / ((a + b) * (a + b) * (a + b + 1)) }
}
