import RealModule

/// The von Mises distribution on the circle, with mean direction μ and concentration κ ≥ 0,
/// reported on (−π, π].
///
///     p(x) = exp(κ cos(x − μ)) / (2π I₀(κ))  for x ∈ (−π, π]
///     F(x) = (x + π)/(2π) + (1/π) Σⱼ Aⱼ(κ) [sin(j(x − μ)) + sin(j(π + μ))]/j,   Aⱼ = Iⱼ(κ)/I₀(κ)
///
/// Its moments are circular: E[e^{i(X−μ)}] = A₁(κ) (`meanResultantLength`). κ = 0 is uniform.
///
/// Sampling: Best & Fisher (1979), "Efficient simulation of the von Mises distribution",
/// Appl. Statist. 28: a wrapped-Cauchy proposal with ρ = (τ − √(2τ))/(2κ), τ = 1 + √(1 + 4κ²),
/// r = (1 + ρ²)/(2ρ); accept when c(2 − c) > U₂ or log(c/U₂) + 1 − c ≥ 0, c = κ(r − f).
/// Written without cancellation for both tiny and large κ: with U₁ uniform on (−1, 1) and
/// h = πU₁/2, the proposal is θ = 2 atan(((1 − ρ)/(1 + ρ)) tan h) (= ±acos f) and
/// c = κ(r − 1)(r + 1)/((r − 1) + 2cos²h); ρ = 2κ/(τ + √(2τ)) and
/// 1 − ρ = (1 + 1/(√(1+4κ²) + 2κ) + √(2τ))/(τ + √(2τ)). The sign of U₁ is the random sign.
public struct VonMises: Distribution, Sendable {
  /// The mean direction μ, reduced to (−π, π].
  public let mu: Double
  /// The concentration κ.
  public let kappa: Double
  /// (1 − ρ)/(1 + ρ), the tan-half-angle scale of the wrapped-Cauchy proposal.
  @usableFromInline let tangentScale: Double
  /// r − 1 = (1 − ρ)²/(2ρ).
  @usableFromInline let rMinusOne: Double
  /// True when κ is so small (0 or subnormal) that r overflows: then p(x) = 1/(2π) exactly in
  /// double precision and draws are uniform.
  @usableFromInline let isUniform: Bool
  let logNormalizer: Double

  /// VonMises(mu, kappa); throws unless mu is finite and kappa is finite and ≥ 0.
  public init(mu: Double, kappa: Double) throws {
    try DistributionError.require(mu.isFinite, "VonMises", "mu", "finite", mu)
    try DistributionError.require(kappa >= 0 && kappa.isFinite, "VonMises", "kappa",
                                  "finite and ≥ 0", kappa)
    var m = mu.remainder(dividingBy: 2 * Double.pi)
    if m <= -Double.pi { m += 2 * Double.pi }
    self.mu = m
    self.kappa = kappa
    let root = (1 + 4 * kappa * kappa).squareRoot()
    let tau = 1 + root
    let s = (2 * tau).squareRoot()
    let rho = 2 * kappa / (tau + s)
    let oneMinusRho = (1 + 1 / (root + 2 * kappa) + s) / (tau + s)
    tangentScale = oneMinusRho / (2 - oneMinusRho)
    rMinusOne = oneMinusRho * oneMinusRho / (2 * rho)
    isUniform = !rMinusOne.isFinite
    logNormalizer = Double.log(2 * Double.pi) + SpecialFunctions.logBesselI0(kappa)
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Double {
    if isUniform { return wrap(mu + Double.pi * (1 - 2 * rng.uniform())) }
    let rPlusOne = rMinusOne + 2
    while true {
      let h = 0.5 * Double.pi * (2 * rng.uniform() - 1)
      let cosH = Double.cos(h)
      let c = kappa * rMinusOne * rPlusOne / (rMinusOne + 2 * cosH * cosH)
      let u = rng.uniformOpen()
      if c * (2 - c) > u || Double.log(c / u) + 1 - c >= 0 {
        return wrap(mu + 2 * Double.atan2(y: tangentScale * Double.sin(h), x: cosH))
      }
    }
  }

  /// Maps an angle in (−2π, 2π] to (−π, π].
  @inlinable
  func wrap(_ x: Double) -> Double {
    x > Double.pi ? x - 2 * Double.pi : x <= -Double.pi ? x + 2 * Double.pi : x
  }

  /// κ cos(x − μ) − log(2π I₀(κ)) on [−π, π]; −∞ outside.
  public func logDensity(_ x: Double) -> Double {
    guard x >= -Double.pi && x <= Double.pi else { return -.infinity }
    return kappa * Double.cos(x - mu) - logNormalizer
  }

  /// P(−π < X ≤ x) from the Fourier series in the type's documentation; the ratios
  /// Aⱼ = ∏ᵢ≤ⱼ Iᵢ/Iᵢ₋₁ come from the backward recurrence Iⱼ/Iⱼ₋₁ = 1/(2j/κ + Iⱼ₊₁/Iⱼ), and the
  /// sum is accumulated backward as A₁(g₁ + (A₂/A₁)(g₂ + ⋯)), so no table is stored.
  public func cdf(_ x: Double) -> Double {
    if x <= -Double.pi { return 0 }
    if x >= Double.pi { return 1 }
    var series = 0.0
    if kappa > 0 {
      var ratio = 0.0
      for j in stride(from: SpecialFunctions.besselRatioStart(kappa), through: 1, by: -1) {
        let jd = Double(j)
        ratio = 1 / (2 * jd / kappa + ratio)
        let g = (Double.sin(jd * (x - mu)) + Double.sin(jd * (Double.pi + mu))) / jd
        series = ratio * (g + series)
      }
    }
    return min(max((x + Double.pi) / (2 * Double.pi) + series / Double.pi, 0), 1)
  }

  /// A₁(κ) = I₁(κ)/I₀(κ) = E[cos(X − μ)], the mean resultant length.
  public var meanResultantLength: Double { SpecialFunctions.besselI1OverI0(kappa) }

  /// 1 − A₁(κ), the circular variance.
  public var circularVariance: Double { 1 - meanResultantLength }
}
