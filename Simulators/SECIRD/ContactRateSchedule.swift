import BayesFlow

/// The intervention model of `SECIRD`: the contact rate λ(t), piecewise linear in simulation
/// time with four change points.
///
/// With rounded change points tₖ and ramp lengths Δtₖ (k = 1…4, rounded half to even, as numpy's
/// `rint`) and the burn-in lag ℓ, ramp k starts at τₖ = tₖ + ℓ and ends at τₖ + Δtₖ:
///
///     λ(t) = λ₀                                        t ≤ τ₁
///            λₖ₋₁ + (λₖ − λₖ₋₁)·(t − τₖ)/Δtₖ          τₖ ≤ t ≤ τₖ + Δtₖ
///            λₖ                                        τₖ + Δtₖ ≤ t ≤ τₖ₊₁   (τ₅ = ∞)
///
/// The change points are observation days (day 0 = the first observed day), so the ramps
/// start ℓ days into the simulation. The prior's constraints (1 ≤ t₁ < t₂ < t₃ < t₄,
/// Δtₖ ≥ 1, tₖ₊₁ − tₖ ≥ Δtₖ, T − t₄ ≥ Δt₄) make the eight knots nondecreasing; all knots are
/// integers, so they fall on the daily output times. This corrects the authors' notebook,
/// whose ramps 3 and 4 both go to λ₄ (spec: specs/secird_covid.md).
///
/// A value type of 16 numbers: evaluating it allocates nothing, so it sits in the ODE's
/// right-hand side.
public struct ContactRateSchedule: Sendable, Equatable {
  /// Knot times x₀ ≤ … ≤ x₇ (simulation days): x₂ₖ₋₂ = τₖ, x₂ₖ₋₁ = τₖ + Δtₖ.
  @usableFromInline let x: SIMD8<Double>
  /// Knot values: λₖ₋₁ at x₂ₖ₋₂ and λₖ at x₂ₖ₋₁.
  @usableFromInline let y: SIMD8<Double>

  /// The schedule of `theta` (a `SECIRD` parameter vector: t1…t4, dt1…dt4, lambda0…lambda4 in
  /// positions 0…12) for a burn-in of `lag` days. Throws `SimulationFailure` if θ is shorter.
  public init(theta: [Double], lag: Int) throws {
    guard theta.count >= 13 else {
      throw SimulationFailure("secird: θ has \(theta.count) values; λ(t) needs t1…t4, dt1…dt4, lambda0…lambda4")
    }
    var x = SIMD8<Double>(), y = SIMD8<Double>()
    for k in 0..<4 {
      let start = theta[k].rounded(.toNearestOrEven) + Double(lag)
      x[2 * k] = start
      y[2 * k] = theta[8 + k]
      x[2 * k + 1] = start + theta[4 + k].rounded(.toNearestOrEven)
      y[2 * k + 1] = theta[9 + k]
    }
    self.x = x
    self.y = y
  }

  /// The knot times (simulation days) x₀…x₇: start and end of each ramp.
  public var knotTimes: [Double] { (0..<8).map { x[$0] } }
  /// λ at the knots: λ₀, λ₁, λ₁, λ₂, λ₂, λ₃, λ₃, λ₄.
  public var knotValues: [Double] { (0..<8).map { y[$0] } }

  /// λ(t) at simulation time t (days); constant before the first and after the last knot.
  /// A zero-length ramp (invalid under the prior) acts as a step.
  @inlinable @inline(__always)
  public func callAsFunction(_ t: Double) -> Double {
    if t <= x[0] { return y[0] }
    for i in 1..<8 where t < x[i] {
      // x[i − 1] ≤ t < x[i], so the interval has positive length.
      return y[i - 1] + (y[i] - y[i - 1]) * ((t - x[i - 1]) / (x[i] - x[i - 1]))
    }
    return y[7]
  }
}
