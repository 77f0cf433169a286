/// The linear multistep family an `ODESolver` integrates with, and the nonlinear iteration that
/// solves its implicit step equation
///
///     yₙ = Σⱼ αₙⱼ yₙ₋ⱼ + hₙ βₙ₀ f(tₙ, yₙ)   (+ hₙ Σⱼ≥₁ βₙⱼ f(tₙ₋ⱼ, yₙ₋ⱼ) for Adams).
public enum ODEMethod: Sendable, Equatable {
  /// Backward differentiation formulas, orders 1–5, for stiff problems. The step equation is
  /// solved by Newton iteration with a dense LU factorisation of I − γJ, J = ∂f/∂y taken from the
  /// caller's Jacobian or, without one, from n extra right-hand-side evaluations (difference
  /// quotients) whenever CVODE refreshes it.
  case bdf
  /// Adams–Moulton formulas, orders 1–12, for non-stiff problems. The step equation is solved by
  /// fixed-point (functional) iteration, yₙ ← predictor + γ f(tₙ, yₙ): no Jacobian, no linear
  /// algebra, one right-hand-side evaluation per iteration. This is SUNDIALS' recommended pairing
  /// for non-stiff problems; on a stiff problem it fails with `ODEError.convergenceFailure` or
  /// takes tiny steps until `ODEError.tooMuchWork`, and `.bdf` is the right choice.
  case adams
}
