import RealModule

/// Student's t distribution with ν degrees of freedom, location μ and scale s.
///
///     p(x) = Γ((ν+1)/2) / (Γ(ν/2) √(νπ) s) · (1 + z²/ν)^{−(ν+1)/2},   z = (x − μ)/s
///     F(x) = 1 − ½ I_{ν/(ν+z²)}(ν/2, ½) for z > 0 (symmetric for z < 0)
///     E[X] = μ (ν > 1),      Var[X] = s² ν/(ν − 2) (ν > 2; +∞ for 1 < ν ≤ 2)
///
/// Sampling: Bailey's polar method (Bailey 1994, "Polar generation of random variates with
/// the t-distribution", Math. Comp. 62): draw (U, V) uniform in the unit disc, W = U² + V²,
/// then T = U √(ν (W^{−2/ν} − 1)/W), with W^{−2/ν} − 1 = expm1(−2 log(W)/ν) for large ν.
public struct StudentT: UnivariateDistribution, Sendable {
  /// The degrees of freedom ν.
  public let df: Double
  /// The location μ.
  public let loc: Double
  /// The scale s.
  public let scale: Double
  let logNormalizer: Double

  /// t(df, loc, scale); throws unless df and scale are finite and > 0 and loc is finite.
  public init(df: Double, loc: Double = 0, scale: Double = 1) throws {
    try DistributionError.require(df > 0 && df.isFinite, "StudentT", "df", "finite and > 0", df)
    try DistributionError.require(loc.isFinite, "StudentT", "loc", "finite", loc)
    try DistributionError.require(scale > 0 && scale.isFinite, "StudentT", "scale",
                                  "finite and > 0", scale)
    self.df = df
    self.loc = loc
    self.scale = scale
    logNormalizer = Double.logGamma((df + 1) / 2) - Double.logGamma(df / 2)
      - 0.5 * Double.log(df * Double.pi) - Double.log(scale)
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    var u: Double, w: Double
    repeat {
      u = 2 * rng.uniform() - 1
      let v = 2 * rng.uniform() - 1
      w = u * u + v * v
    } while w > 1 || w == 0
    let t = u * (df * Double.expMinusOne(-2 * Double.log(w) / df) / w).squareRoot()
    return loc + scale * t
  }

  public func logDensity(_ x: Double) -> Double {
    let z = (x - loc) / scale
    return logNormalizer - 0.5 * (df + 1) * Double.log(onePlus: z * z / df)
  }

  public func cdf(_ x: Double) -> Double {
    let z = (x - loc) / scale
    let z2 = z * z
    // Upper-tail mass P(T > |z|), from whichever incomplete-beta argument is not near 1.
    let tail = z2 < df
      ? 0.5 - 0.5 * SpecialFunctions.regularizedBeta(z2 / (df + z2), 0.5, df / 2)
      : 0.5 * SpecialFunctions.regularizedBeta(df / (df + z2), df / 2, 0.5)
    return z > 0 ? 1 - tail : tail
  }

  public var mean: Double { df > 1 ? loc : .nan }
  public var variance: Double {
    df > 2 ? scale * scale * df / (df - 2) : df > 1 ? .infinity : .nan
  }
}
