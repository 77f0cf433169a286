import RealModule

/// The negative binomial distribution with mean m and dispersion r: counts with variance
/// m + m²/r (overdispersed Poisson; r → ∞ gives Poisson(m)).
///
///     P(X = k) = Γ(k + r)/(Γ(r) k!) · pʳ (1 − p)ᵏ,  k = 0, 1, …,   p = r/(r + m)
///     F(k) = I_p(r, k + 1),      E[X] = m,      Var[X] = m + m²/r
///
/// Equivalently the number of failures before the r-th success in trials of success
/// probability p (`init(r:p:)`), r real.
///
/// Sampling: the gamma–Poisson mixture λ ~ Gamma(r, scale m/r), X | λ ~ Poisson(λ), with
/// Marsaglia–Tsang gamma draws and exact Poisson draws (inversion or PTRS). The Poisson step
/// uses min(λ, 10¹⁸), so counts are capped at 10¹⁸.
public struct NegativeBinomial: UnivariateDistribution, Sendable {
  /// The mean m.
  public let mean: Double
  /// The dispersion (size) r.
  public let dispersion: Double
  @usableFromInline let gamma: Gamma?

  /// NB with mean m ≥ 0 and dispersion r > 0 (both finite, m/r finite).
  public init(mean: Double, dispersion: Double) throws {
    try DistributionError.require(mean >= 0 && mean.isFinite, "NegativeBinomial", "mean",
                                  "finite and ≥ 0", mean)
    try DistributionError.require(dispersion > 0 && dispersion.isFinite && (mean / dispersion).isFinite,
                                  "NegativeBinomial", "dispersion", "finite and > 0", dispersion)
    self.mean = mean
    self.dispersion = dispersion
    gamma = mean > 0 ? try Gamma(shape: dispersion, scale: mean / dispersion) : nil
  }

  /// The number of failures before the r-th success, success probability p ∈ (0, 1]:
  /// mean r(1 − p)/p, dispersion r.
  public init(r: Double, p: Double) throws {
    try DistributionError.require(p > 0 && p <= 1, "NegativeBinomial", "p", "in (0, 1]", p)
    try DistributionError.require(r > 0 && r.isFinite, "NegativeBinomial", "r", "finite and > 0", r)
    try self.init(mean: r * (1 - p) / p, dispersion: r)
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Int {
    guard let gamma else { return 0 }
    return Poisson.draw(min(gamma.sample(&rng), Poisson.maximumMean), &rng)
  }

  /// log P(X = k) via log(r/(r + k)) + the binomial saddle-point kernel at (r; k + r, p)
  /// (Loader 2000, as R's dnbinom_mu).
  public func logDensity(_ k: Int) -> Double {
    guard k >= 0 else { return -.infinity }
    let r = dispersion, m = mean
    if m == 0 { return k == 0 ? 0 : -.infinity }
    if k == 0 {
      return r * (r < m ? Double.log(r / (r + m)) : Double.log(onePlus: -m / (r + m)))
    }
    let x = Double(k)
    return Double.log(r / (r + x))
      + SpecialFunctions.logBinomialKernel(r, x + r, r / (r + m), m / (r + m))
  }

  public func cdf(_ k: Int) -> Double {
    if k < 0 { return 0 }
    if mean == 0 { return 1 }
    return SpecialFunctions.regularizedBeta(dispersion / (dispersion + mean), dispersion,
                                            Double(k) + 1)
  }

  public var variance: Double { mean + mean * mean / dispersion }
}
