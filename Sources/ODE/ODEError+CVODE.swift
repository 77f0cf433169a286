import CSUNDIALS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Swift error thrown by a caller's closure inside a CVODE callback, kept until CVODE returns.
enum CallbackFailure {
  case rhs(any Error)
  case jacobian(any Error)
}

extension ODEError {
  /// The error for a negative return `flag` of `CVode` at time `t`. A closure's thrown error
  /// takes precedence: CVODE reports it under varying flags, depending on where f was called.
  init(cvodeFlag flag: Int32, t: Double, callbackFailure: CallbackFailure?) {
    let name = ODEError.flagName(flag)
    switch (callbackFailure, flag) {
    case let (.rhs(error)?, _): self = .rhsFailure(t: t, flag: name, underlying: error)
    case let (.jacobian(error)?, _): self = .jacobianFailure(t: t, flag: name, underlying: error)
    case (nil, CV_TOO_MUCH_ACC): self = .tooMuchAccuracy(t: t)
    case (nil, CV_ERR_FAILURE): self = .errorTestFailure(t: t)
    case (nil, CV_CONV_FAILURE), (nil, CV_NLS_INIT_FAIL), (nil, CV_NLS_SETUP_FAIL),
         (nil, CV_NLS_FAIL):
      self = .convergenceFailure(t: t, flag: name)
    case (nil, CV_LINIT_FAIL), (nil, CV_LSETUP_FAIL), (nil, CV_LSOLVE_FAIL):
      self = .linearSolverFailure(t: t, flag: name)
    case (nil, CV_ILL_INPUT), (nil, CV_TOO_CLOSE), (nil, CV_BAD_T):
      self = .illegalInput("CVODE rejected the problem at t = \(t) (\(name))")
    default: self = .solverFailure(t: t, flag: name)
    }
  }

  /// CVODE's name for a return flag of `CVode` or a `CVodeSet…` function, e.g. "CV_ILL_INPUT".
  static func flagName(_ flag: Int32) -> String {
    // CVodeGetReturnFlagName returns a malloc'ed string that the caller frees.
    guard let cString = CVodeGetReturnFlagName(CLong(flag)) else { return "CVODE flag \(flag)" }
    defer { free(cString) }
    return String(cString: cString)
  }
}
