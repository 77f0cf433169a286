/// Accuracy and work limits of one `ODESolver.solve` call.
///
/// CVODE accepts a step when its estimated local error e satisfies, in the weighted RMS norm,
///
///     ‖e‖ = √( (1/n) Σᵢ (eᵢ / wᵢ)² ) ≤ 1,     wᵢ = rtol · |yᵢ| + atolᵢ,
///
/// so `relativeTolerance` sets the number of correct digits of large components and
/// `absoluteTolerance` the size below which a component counts as zero. Pick atol at the
/// scale where a component stops mattering (for epidemic compartments in persons, about 1e-6
/// persons, not 1e-6 · N: a large atol lets the solver skip over small early compartments).
/// The global error is typically a small multiple of the tolerances.
public struct ODEOptions: Sendable, Equatable {
  /// The absolute tolerance atol of the error weights: one value for all components, or one per
  /// component (count = the solver's dimension). Every value must be ≥ 0.
  public enum AbsoluteTolerance: Sendable, Equatable {
    case scalar(Double)
    case perComponent([Double])
  }

  /// rtol ≥ 0; 1e-6 by default.
  public var relativeTolerance: Double
  /// atol; `.scalar(1e-8)` by default.
  public var absoluteTolerance: AbsoluteTolerance
  /// The most internal steps one solve may take from t₀ to its last output time, all output
  /// intervals together; beyond that the solve throws `ODEError.tooMuchWork`. This bounds the
  /// cost of a failed simulation. 10 000 by default.
  public var maxSteps: Int
  /// The largest step size |h| > 0; nil (the default) leaves it unbounded.
  public var maxStepSize: Double?
  /// The first step size h₀ > 0; nil (the default) lets CVODE estimate it from the tolerances
  /// and f(t₀, y₀).
  public var initialStepSize: Double?
  /// The highest order the method may use: 1…5 for BDF, 1…12 for Adams; nil (the default) is
  /// that maximum. Order ≤ 2 makes BDF A-stable.
  public var maxOrder: Int?

  public init(relativeTolerance: Double = 1e-6,
              absoluteTolerance: AbsoluteTolerance = .scalar(1e-8),
              maxSteps: Int = 10_000,
              maxStepSize: Double? = nil,
              initialStepSize: Double? = nil,
              maxOrder: Int? = nil) {
    self.relativeTolerance = relativeTolerance
    self.absoluteTolerance = absoluteTolerance
    self.maxSteps = maxSteps
    self.maxStepSize = maxStepSize
    self.initialStepSize = initialStepSize
    self.maxOrder = maxOrder
  }
}
