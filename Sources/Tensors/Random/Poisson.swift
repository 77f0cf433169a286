import RealModule

/// The Poisson distribution with mean λ.
///
///     P(X = k) = λᵏ e^{−λ} / k!,  k = 0, 1, …,      F(k) = Q(k + 1, λ)
///     E[X] = Var[X] = λ
///
/// Sampling is exact:
/// - λ < 10: inversion by sequential search from P(0) = e^{−λ}, P(k) = P(k−1)·λ/k;
/// - λ ≥ 10: PTRS, the transformed rejection with squeeze of Hörmann (1993), "The transformed
///   rejection method for generating Poisson random variables", Insurance Math. Econom. 12
///   (as in NumPy): k = ⌊(2a/uₛ + b)u + λ + 0.43⌋ from a pair of uniforms, accepted at once
///   inside the squeeze (uₛ ≥ 0.07, v ≤ v_r), otherwise against log P(k), formed as
///   −δ(k) − D(k, λ) − ½ log(2πk) (Loader 2000) so no log-factorials cancel.
///
/// λ is limited to 10¹⁸ so that draws fit in `Int`.
public struct Poisson: UnivariateDistribution, Sendable {
  /// The mean λ.
  public let mean: Double
  /// e^{−λ} (inversion, λ < 10).
  @usableFromInline let probabilityOfZero: Double
  /// PTRS (λ ≥ 10).
  @usableFromInline let rejection: TransformedRejection?

  /// The largest accepted mean.
  public static let maximumMean = 1e18

  /// Poisson(mean); throws unless 0 ≤ mean ≤ 10¹⁸.
  public init(mean: Double) throws {
    try DistributionError.require(mean >= 0 && mean <= Poisson.maximumMean, "Poisson", "mean",
                                  "in [0, 1e18]", mean)
    self.mean = mean
    if mean < 10 {
      probabilityOfZero = Double.exp(-mean)
      rejection = nil
    } else {
      probabilityOfZero = 0
      rejection = TransformedRejection(lambda: mean)
    }
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Int {
    rejection?.sample(&rng) ?? Poisson.inversion(probabilityOfZero, mean, &rng)
  }

  /// A Poisson(λ) draw for a λ ∈ [0, 10¹⁸] that changes from draw to draw (gamma mixtures).
  @inlinable
  static func draw(_ lambda: Double, _ rng: inout RandomStream) -> Int {
    lambda < 10 ? inversion(Double.exp(-lambda), lambda, &rng)
                : TransformedRejection(lambda: lambda).sample(&rng)
  }

  @inlinable
  static func inversion(_ probabilityOfZero: Double, _ lambda: Double,
                        _ rng: inout RandomStream) -> Int {
    while true {
      var u = rng.uniform()
      var f = probabilityOfZero
      var k = 0
      // f underflows to 0 only if rounding left u above the summed mass (probability
      // ~10⁻¹⁶): then draw u again.
      while f > 0 {
        if u < f { return k }
        u -= f
        k += 1
        f *= lambda / Double(k)
      }
    }
  }

  /// PTRS for λ ≥ 10 with its constants b = 0.931 + 2.53√λ, a = −0.059 + 0.02483b,
  /// 1/α = 1.1239 + 1.1328/(b − 3.4), v_r = 0.9277 − 3.6224/(b − 2) (Hörmann 1993).
  @usableFromInline
  struct TransformedRejection: Sendable {
    @usableFromInline let lambda: Double, a: Double, b: Double
    @usableFromInline let logInverseAlpha: Double, vr: Double

    @inlinable
    init(lambda: Double) {
      self.lambda = lambda
      b = 0.931 + 2.53 * lambda.squareRoot()
      a = -0.059 + 0.02483 * b
      logInverseAlpha = Double.log(1.1239 + 1.1328 / (b - 3.4))
      vr = 0.9277 - 3.6224 / (b - 2)
    }

    @inlinable
    func sample(_ rng: inout RandomStream) -> Int {
      while true {
        let u = rng.uniform() - 0.5
        let v = rng.uniform()
        let us = 0.5 - abs(u)
        let kd = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
        // Inside the squeeze k is within λ + 0.43 ± 1.9√λ, hence ≥ 0.
        if us >= 0.07 && v <= vr { return Int(kd) }
        // Proposals beyond 2⁶² (only from uₛ ≈ 0, where the mass is 0 in double) are rejected
        // before conversion to Int.
        if !(kd >= 0 && kd < 0x1p62) || (us < 0.013 && v > us) { continue }
        let logV = Double.log(v) + logInverseAlpha - Double.log(a / (us * us) + b)
        if logV <= Poisson.logProbability(kd, lambda) { return Int(kd) }
      }
    }
  }

  /// log P(X = k) for real k ≥ 0 and λ > 0: −λ at k = 0, else −δ(k) − D(k, λ) − ½ log(2πk).
  @usableFromInline
  static func logProbability(_ k: Double, _ lambda: Double) -> Double {
    k == 0 ? -lambda : SpecialFunctions.logPoissonKernel(k, lambda)
  }

  public func logDensity(_ k: Int) -> Double {
    guard k >= 0 else { return -.infinity }
    if mean == 0 { return k == 0 ? 0 : -.infinity }
    return Poisson.logProbability(Double(k), mean)
  }

  public func cdf(_ k: Int) -> Double {
    if k < 0 { return 0 }
    if mean == 0 { return 1 }
    return SpecialFunctions.regularizedGammaQ(Double(k) + 1, mean)
  }

  public var variance: Double { mean }
}
