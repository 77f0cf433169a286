/// Work counters of one `ODESolver.solve` call, read from CVODE after it returned or failed.
public struct ODEStatistics: Sendable, Equatable {
  /// Internal steps taken.
  public var steps: Int
  /// Evaluations of f by the integrator (initial derivative, predictor-corrector iterations).
  public var rhsEvaluations: Int
  /// Further evaluations of f spent on difference-quotient Jacobians (BDF without a Jacobian
  /// closure); 0 for Adams.
  public var jacobianRHSEvaluations: Int
  /// Jacobian evaluations, by the caller's closure or by difference quotients; 0 for Adams.
  public var jacobianEvaluations: Int
  /// Steps rejected by the local error test and retried with a smaller h.
  public var errorTestFailures: Int
  /// Nonlinear (Newton or fixed-point) iterations.
  public var nonlinearIterations: Int
  /// Steps whose nonlinear iteration failed to converge and were retried with a smaller h.
  public var nonlinearConvergenceFailures: Int
}
