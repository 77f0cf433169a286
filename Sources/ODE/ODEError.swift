/// Why an `ODESolver.solve` call failed. A failed solve is a failed simulation, not a crash: the
/// solver stays usable, and the next `solve` starts afresh.
///
/// Every case except `illegalInput` carries the time t the integration had reached (the end of
/// the last accepted step, t₀ if none) and stands for a CVODE return flag, named by `flag`.
public enum ODEError: Error, CustomStringConvertible {
  /// Arguments or options that cannot describe a solve, found before integrating (output times
  /// out of order, a negative tolerance, a buffer of the wrong size…) or rejected by CVODE.
  case illegalInput(String)
  /// `maxSteps` internal steps did not reach the last output time (CV_TOO_MUCH_WORK): the
  /// problem is stiff for Adams, the tolerances are too tight, or the solution blows up.
  case tooMuchWork(t: Double, maxSteps: Int)
  /// The tolerances ask for more accuracy than Double resolves at the current y
  /// (CV_TOO_MUCH_ACC).
  case tooMuchAccuracy(t: Double)
  /// The local error test failed repeatedly or with |h| at its minimum (CV_ERR_FAILURE);
  /// typical of a singularity or of a right-hand side that produced NaN.
  case errorTestFailure(t: Double)
  /// The nonlinear iteration of the step equation failed repeatedly or with |h| at its minimum
  /// (CV_CONV_FAILURE; the rarer CV_NLS_INIT_FAIL, CV_NLS_SETUP_FAIL, CV_NLS_FAIL).
  case convergenceFailure(t: Double, flag: String)
  /// The dense linear solver of the Newton iteration failed to set up or solve
  /// (CV_LINIT_FAIL, CV_LSETUP_FAIL, CV_LSOLVE_FAIL), e.g. on a singular I − γJ.
  case linearSolverFailure(t: Double, flag: String)
  /// The right-hand-side closure threw `underlying`. CVODE's flag is CV_RHSFUNC_FAIL, except
  /// inside Adams' fixed-point iteration, which SUNDIALS 6.4 reports as CV_CONV_FAILURE.
  case rhsFailure(t: Double, flag: String, underlying: any Error)
  /// The Jacobian closure threw `underlying` (CV_LSETUP_FAIL).
  case jacobianFailure(t: Double, flag: String, underlying: any Error)
  /// Any other CVODE failure, by flag name.
  case solverFailure(t: Double, flag: String)

  /// The time reached when the solve failed; nil for `illegalInput`.
  public var t: Double? {
    switch self {
    case .illegalInput: nil
    case let .tooMuchWork(t, _), let .tooMuchAccuracy(t), let .errorTestFailure(t),
         let .convergenceFailure(t, _), let .linearSolverFailure(t, _), let .rhsFailure(t, _, _),
         let .jacobianFailure(t, _, _), let .solverFailure(t, _):
      t
    }
  }

  /// The name of the CVODE return flag, e.g. "CV_TOO_MUCH_WORK"; "CV_ILL_INPUT" for
  /// `illegalInput`.
  public var flag: String {
    switch self {
    case .illegalInput: "CV_ILL_INPUT"
    case .tooMuchWork: "CV_TOO_MUCH_WORK"
    case .tooMuchAccuracy: "CV_TOO_MUCH_ACC"
    case .errorTestFailure: "CV_ERR_FAILURE"
    case let .convergenceFailure(_, flag), let .linearSolverFailure(_, flag),
         let .rhsFailure(_, flag, _), let .jacobianFailure(_, flag, _), let .solverFailure(_, flag):
      flag
    }
  }

  public var description: String {
    switch self {
    case let .illegalInput(reason):
      "ODE solve: illegal input: \(reason)"
    case let .tooMuchWork(t, maxSteps):
      "ODE solve failed at t = \(t): \(maxSteps) steps did not reach the last output time (\(flag))"
    case let .tooMuchAccuracy(t):
      "ODE solve failed at t = \(t): tolerances too small for double precision (\(flag))"
    case let .errorTestFailure(t):
      "ODE solve failed at t = \(t): repeated local error test failures (\(flag))"
    case let .convergenceFailure(t, flag):
      "ODE solve failed at t = \(t): nonlinear iteration did not converge (\(flag))"
    case let .linearSolverFailure(t, flag):
      "ODE solve failed at t = \(t): dense linear solver failed (\(flag))"
    case let .rhsFailure(t, flag, underlying):
      "ODE solve failed at t = \(t): right-hand side threw \(underlying) (\(flag))"
    case let .jacobianFailure(t, flag, underlying):
      "ODE solve failed at t = \(t): Jacobian threw \(underlying) (\(flag))"
    case let .solverFailure(t, flag):
      "ODE solve failed at t = \(t): \(flag)"
    }
  }
}
