import RealModule

/// The normal distribution N(μ, σ²) restricted to [lower, upper] (either end may be infinite).
///
///     p(x) = φ(z) / (σ Z)  for lower ≤ x ≤ upper,   z = (x − μ)/σ,   Z = Φ(β) − Φ(α),
///     α = (lower − μ)/σ,  β = (upper − μ)/σ,        F(x) = (Φ(z) − Φ(α))/Z
///     E[X] = μ + σ(φ(α) − φ(β))/Z,   Var[X] = σ²[1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²]
///
/// Z is formed in log space (`SpecialFunctions.logStandardNormalMass`), so the density, CDF
/// and sampler keep full accuracy on intervals far in a tail (e.g. [10σ, ∞)). The closed-form
/// variance cancels there: its relative error grows like 10⁻¹⁶·α⁶ (3·10⁻¹¹ at α = 8).
///
/// Sampling is exact, by Robert (1995), "Simulation of truncated normal variables",
/// Statist. Comput. 5, in standardised units (intervals below 0 are mirrored to [a, b] with
/// a ≥ 0):
/// - a < 0 < b, b − a ≥ √(2π): normal draws until one lands in [a, b];
/// - a < 0 < b, narrower: z uniform on [a, b], accepted with probability e^{−z²/2};
/// - 0 ≤ a, b − a > e^{(λ−a)²/2}/λ with λ = (a + √(a² + 4))/2: z = a + E/λ, E exponential,
///   accepted with probability e^{−(z−λ)²/2} if z ≤ b (Robert's optimal exponential proposal;
///   acceptance → 1 as a → ∞);
/// - 0 ≤ a, narrower: z uniform on [a, b], accepted with probability e^{(a² − z²)/2}.
/// The width thresholds choose the proposal with the higher acceptance rate.
public struct TruncatedNormal: UnivariateDistribution, Sendable {
  /// The mean μ of the normal before truncation.
  public let mu: Double
  /// The standard deviation σ of the normal before truncation.
  public let sigma: Double
  /// The lower end (may be −∞).
  public let lower: Double
  /// The upper end (may be +∞).
  public let upper: Double

  /// The proposal used by the sampler.
  @usableFromInline enum Method: Sendable { case normal, uniform, exponential, uniformTail }
  @usableFromInline let method: Method
  /// The sampler's standardised interval [a, b] (after mirroring) and whether it is mirrored.
  @usableFromInline let a: Double, b: Double
  @usableFromInline let mirrored: Bool
  /// λ of the exponential proposal.
  @usableFromInline let rate: Double
  /// log Z.
  let logMass: Double

  /// N(mean, sd²) truncated to [lower, upper]; throws unless mean is finite, sd is finite and
  /// > 0, lower < upper, and the interval has positive probability in double precision.
  /// `mean` and `sd` are those of the normal before truncation (stored as `mu`, `sigma`);
  /// the `mean` and `variance` properties are the truncated distribution's.
  public init(mean: Double, sd: Double, lower: Double, upper: Double) throws {
    try DistributionError.require(mean.isFinite, "TruncatedNormal", "mean", "finite", mean)
    try DistributionError.require(sd > 0 && sd.isFinite, "TruncatedNormal", "sd",
                                  "finite and > 0", sd)
    try DistributionError.require(lower < upper && lower != .infinity && upper != -.infinity,
                                  "TruncatedNormal", "lower", "< upper (\(upper))", lower)
    mu = mean
    sigma = sd
    self.lower = lower
    self.upper = upper
    let alpha = (lower - mean) / sd, beta = (upper - mean) / sd
    logMass = SpecialFunctions.logStandardNormalMass(alpha, beta)
    try DistributionError.require(logMass > -.infinity, "TruncatedNormal", "[lower, upper]",
                                  "an interval of positive probability", "[\(lower), \(upper)]")
    mirrored = beta <= 0
    a = mirrored ? -beta : alpha
    b = mirrored ? -alpha : beta
    rate = 0.5 * (a + (a * a + 4).squareRoot())
    if a < 0 {
      method = b - a >= (2 * Double.pi).squareRoot() ? .normal : .uniform
    } else {
      let threshold = Double.exp(0.5 * (rate - a) * (rate - a)) / rate
      method = b - a > threshold ? .exponential : .uniformTail
    }
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    let z = standardSample(&rng)
    return min(max(mu + sigma * (mirrored ? -z : z), lower), upper)
  }

  /// A draw of the standard normal truncated to [a, b].
  @inlinable
  func standardSample(_ rng: inout RandomStream) -> Double {
    switch method {
    case .normal:
      while true {
        let z = rng.normal()
        if z >= a && z <= b { return z }
      }
    case .uniform:
      while true {
        let z = a + (b - a) * rng.uniform()
        if rng.uniform() <= Double.exp(-0.5 * z * z) { return z }
      }
    case .exponential:
      while true {
        let z = a - Double.log(rng.uniformOpen()) / rate
        if z > b { continue }
        if -2 * Double.log(rng.uniformOpen()) >= (z - rate) * (z - rate) { return z }
      }
    case .uniformTail:
      while true {
        let z = a + (b - a) * rng.uniform()
        if rng.uniform() <= Double.exp(0.5 * (a - z) * (a + z)) { return z }
      }
    }
  }

  public func logDensity(_ x: Double) -> Double {
    guard x >= lower && x <= upper else { return -.infinity }
    let z = (x - mu) / sigma
    return -0.5 * z * z - SpecialFunctions.halfLogTwoPi - Double.log(sigma) - logMass
  }

  /// F(x), from the smaller of the masses below and above x so both tails keep accuracy.
  public func cdf(_ x: Double) -> Double {
    if x <= lower { return 0 }
    if x >= upper { return 1 }
    let z = (x - mu) / sigma
    let alpha = (lower - mu) / sigma, beta = (upper - mu) / sigma
    let below = Double.exp(SpecialFunctions.logStandardNormalMass(alpha, z) - logMass)
    if below <= 0.5 { return below }
    return 1 - Double.exp(SpecialFunctions.logStandardNormalMass(z, beta) - logMass)
  }

  /// φ(t)/Z and t·φ(t)/Z at a standardised end t (0 at infinite ends).
  private func endTerms(_ t: Double) -> (density: Double, moment: Double) {
    guard t.isFinite else { return (0, 0) }
    let r = Double.exp(-0.5 * t * t - SpecialFunctions.halfLogTwoPi - logMass)
    return (r, t * r)
  }

  public var mean: Double {
    let lo = endTerms((lower - mu) / sigma), hi = endTerms((upper - mu) / sigma)
    return mu + sigma * (lo.density - hi.density)
  }

  public var variance: Double {
    let lo = endTerms((lower - mu) / sigma), hi = endTerms((upper - mu) / sigma)
    let d = lo.density - hi.density
    return sigma * sigma * (1 + lo.moment - hi.moment - d * d)
  }
}
