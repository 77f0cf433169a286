import RealModule

/// The binomial distribution: the number of successes in n independent trials of probability p.
///
///     P(X = k) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ,  k = 0…n,      F(k) = I₁₋ₚ(n − k, k + 1)
///     E[X] = np,      Var[X] = np(1 − p)
///
/// Sampling is exact. With p' = min(p, 1 − p) (and X = n − X' when p > ½):
/// - n·p' < 10: inversion by sequential search from P(0) = (1 − p')ⁿ with
///   P(k) = P(k−1)·(p'/(1−p'))·(n − k + 1)/k (about np' + 1 steps);
/// - n·p' ≥ 10: BTRS, the transformed rejection with squeeze of Hörmann (1993), "The generation
///   of binomial random variates", J. Statist. Comput. Simul. 46 (as in TensorFlow and
///   PyTorch): k = ⌊(2a/uₛ + b)u + c⌋ from a pair of uniforms, accepted at once inside the
///   squeeze (uₛ ≥ 0.07, v ≤ v_r), otherwise against log(P(k)/P(m)) at the mode m, written
///   with Stirling remainders (`SpecialFunctions.stirlingError`) so no log-factorials cancel.
///
/// The initialiser computes only the constants of the method it selects, so constructing a
/// `Binomial` per draw (a p that changes every step) is cheap.
public struct Binomial: UnivariateDistribution, Sendable {
  /// The number of trials n.
  public let n: Int
  /// The success probability p.
  public let p: Double
  /// Whether p > ½ (draws are n − X' with X' ~ Binomial(n, 1 − p)).
  @usableFromInline let flipped: Bool
  /// p' = min(p, 1 − p).
  @usableFromInline let pSmall: Double
  /// Inversion (n·p' < 10): P(X' = 0) = q'ⁿ and the odds p'/q'.
  @usableFromInline let probabilityOfZero: Double
  @usableFromInline let odds: Double
  /// BTRS (n·p' ≥ 10).
  @usableFromInline let rejection: TransformedRejection?

  /// Binomial(n, p); throws unless n ≥ 0 and 0 ≤ p ≤ 1.
  public init(n: Int, p: Double) throws {
    try DistributionError.require(n >= 0, "Binomial", "n", "≥ 0", n)
    try DistributionError.require(p >= 0 && p <= 1, "Binomial", "p", "in [0, 1]", p)
    self.n = n
    self.p = p
    flipped = p > 0.5
    pSmall = flipped ? 1 - p : p
    let qSmall = flipped ? p : 1 - p
    odds = pSmall / qSmall
    if Double(n) * pSmall >= 10 {
      rejection = TransformedRejection(n: n, p: pSmall, q: qSmall)
      probabilityOfZero = 0
    } else {
      rejection = nil
      probabilityOfZero = Double.exp(Double(n) * Double.log(onePlus: -pSmall))
    }
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Int {
    if pSmall == 0 { return flipped ? n : 0 }
    let k = rejection?.sample(&rng) ?? inversion(&rng)
    return flipped ? n - k : k
  }

  @inlinable
  func inversion(_ rng: inout RandomStream) -> Int {
    while true {
      var u = rng.uniform()
      var f = probabilityOfZero
      var k = 0
      // f becomes 0 past k = n (factor n − k + 1 = 0) or on underflow; reaching that means
      // rounding left u above the summed mass (probability ~10⁻¹⁶): draw u again.
      while f > 0 {
        if u < f { return k }
        u -= f
        k += 1
        f *= odds * Double(n - k + 1) / Double(k)
      }
    }
  }

  /// BTRS for n·p ≥ 10, p ≤ ½, with Hörmann's constants b = 1.15 + 2.53√(npq),
  /// a = −0.0873 + 0.0248b + 0.01p, c = np + ½, α = (2.83 + 5.1/b)√(npq), v_r = 0.92 − 4.2/b,
  /// the mode m = ⌊(n + 1)p⌋, and the k-independent part of log P(m).
  @usableFromInline
  struct TransformedRejection: Sendable {
    @usableFromInline let n: Double
    @usableFromInline let a: Double, b: Double, c: Double, alpha: Double, vr: Double
    @usableFromInline let mode: Double, logOdds: Double, modeTerm: Double

    init(n: Int, p: Double, q: Double) {
      let nd = Double(n)
      self.n = nd
      let spq = (nd * p * q).squareRoot()
      b = 1.15 + 2.53 * spq
      a = -0.0873 + 0.0248 * b + 0.01 * p
      c = nd * p + 0.5
      alpha = (2.83 + 5.1 / b) * spq
      vr = 0.92 - 4.2 / b
      mode = ((nd + 1) * p).rounded(.down)
      logOdds = Double.log(p / q)
      modeTerm = (mode + 0.5) * (Double.log((mode + 1) / (nd - mode + 1)) - logOdds)
        + SpecialFunctions.stirlingError(mode + 1) + SpecialFunctions.stirlingError(nd - mode + 1)
    }

    @inlinable
    func sample(_ rng: inout RandomStream) -> Int {
      while true {
        let u = rng.uniform() - 0.5
        let v = rng.uniform()
        let us = 0.5 - abs(u)
        let kd = ((2 * a / us + b) * u + c).rounded(.down)
        // Inside the squeeze k is within np + ½ ± 1.9√(npq), hence in 0…n.
        if us >= 0.07 && v <= vr { return Int(kd) }
        if kd < 0 || kd > n { continue }
        let logV = Double.log(v * alpha / (a / (us * us) + b))
        if logV <= logRatioToMode(kd) { return Int(kd) }
      }
    }

    /// log(P(k)/P(m)) = (m + ½) log((m+1)/(r(n−m+1))) + (n+1) log((n−m+1)/(n−k+1))
    /// + (k + ½) log(r(n−k+1)/(k+1)) + δ(m+1) + δ(n−m+1) − δ(k+1) − δ(n−k+1), r = p/q.
    @usableFromInline
    func logRatioToMode(_ k: Double) -> Double {
      modeTerm + (n + 1) * Double.log((n - mode + 1) / (n - k + 1))
        + (k + 0.5) * (Double.log((n - k + 1) / (k + 1)) + logOdds)
        - SpecialFunctions.stirlingError(k + 1) - SpecialFunctions.stirlingError(n - k + 1)
    }
  }

  /// log P(X = k) in Loader's (2000) saddle-point form, accurate also for large n.
  public func logDensity(_ k: Int) -> Double {
    guard k >= 0 && k <= n else { return -.infinity }
    return SpecialFunctions.logBinomialKernel(Double(k), Double(n), p, 1 - p)
  }

  public func cdf(_ k: Int) -> Double {
    if k < 0 { return 0 }
    if k >= n { return 1 }
    if p == 0 { return 1 }
    if p == 1 { return 0 }
    return SpecialFunctions.regularizedBeta(1 - p, Double(n - k), Double(k + 1))
  }

  public var mean: Double { Double(n) * p }
  public var variance: Double { Double(n) * p * (1 - p) }
}
