import CSUNDIALS

/// A reusable SUNDIALS CVODE integrator for initial value problems
///
///     y′(t) = f(t, y(t)),   y(t₀) = y₀ ∈ ℝⁿ,
///
/// of a fixed dimension n and method (`ODEMethod.bdf` or `.adams`).
///
/// Create one solver per thread and call `solve` once per simulation. The SUNDIALS context, the
/// state vectors, the CVODE memory and the method's iteration (BDF: Newton with a dense matrix
/// and dense LU solver; Adams: fixed-point) are allocated once here; each `solve` reinitialises
/// them with `CVodeReInit`, so a solve allocates nothing in SUNDIALS, and `deinit` frees it all.
/// A solve depends only on its arguments: repeating one gives bit-identical output.
/// An instance must not be used by two threads at once.
///
/// Output times: CVODE advances one internal step at a time (`CV_ONE_STEP`) with its stop time
/// set to the last output time, so f is never evaluated beyond it. Each output time t inside
/// a completed step [tₙ₋₁, tₙ] is filled from CVODE's dense output, `CVodeGetDky(t, 0)`, the
/// step's interpolating polynomial, which is as accurate as the step itself. This gives the
/// same values as `CV_NORMAL` mode, lets `ODEOptions.maxSteps` bound the work of the whole
/// solve rather than of each output interval, and writes straight into the caller's buffer.
///
/// CVODE's messages to stderr are silenced by a no-op error handler: a failed solve throws an
/// `ODEError` and leaves the solver ready for the next one.
///
/// An SIR model (β, γ, N captured from the caller) at days 0…160:
///
///     let solver = ODESolver(dimension: 3, method: .adams)
///     let days = (0...160).map(Double.init)
///     let sir = try solver.solve(from: 0, initial: [N - 1, 1, 0], at: days) { t, y, dy in
///       let infections = β * y[0] * y[1] / N
///       dy[0] = -infections
///       dy[1] = infections - γ * y[1]
///       dy[2] = γ * y[1]
///     }
///     // sir[3 * k + i]: compartment i on day k
public final class ODESolver {
  /// The right-hand side: writes f(t, y) into `ydot` (n values), given `y` (n values). It must
  /// not keep either pointer. Throwing fails the solve with `ODEError.rhsFailure`.
  public typealias RightHandSide = (_ t: Double, _ y: UnsafePointer<Double>,
                                    _ ydot: UnsafeMutablePointer<Double>) throws -> Void
  /// The Jacobian J = ∂f/∂y at (t, y), written column-major into `jacobian` (n × n values:
  /// ∂fᵢ/∂yⱼ at index i + j·n), which holds zeros on entry, so only nonzero entries need to be
  /// written. Throwing fails the solve with `ODEError.jacobianFailure`.
  public typealias Jacobian = (_ t: Double, _ y: UnsafePointer<Double>,
                               _ jacobian: UnsafeMutablePointer<Double>) throws -> Void

  /// n, the number of components of y.
  public let dimension: Int
  /// The integration method, fixed at creation.
  public let method: ODEMethod

  private let context: SUNContext
  /// CVODE's integrator memory.
  private let memory: UnsafeMutableRawPointer
  /// y: the initial state handed to `CVodeReInit`, then CVODE's y(tₙ) after each step.
  private let state: N_Vector
  /// atol for `ODEOptions.AbsoluteTolerance.perComponent`; CVODE copies it.
  private let absoluteTolerances: N_Vector
  /// A vector header without storage, pointed at one row of the caller's output buffer at a time.
  private let outputRow: N_Vector
  /// BDF only: the Newton matrix I − γJ and its dense LU solver.
  private let matrix: SUNMatrix?
  private let linearSolver: SUNLinearSolver?
  /// Adams only: the fixed-point iteration.
  private let fixedPointSolver: SUNNonlinearSolver?

  /// The closures of the solve in progress, reached by the C callbacks through CVODE's user data.
  private var rhs: RightHandSide?
  private var jacobian: Jacobian?
  /// The first error a closure threw during the solve in progress.
  private var callbackFailure: CallbackFailure?

  /// Allocates a solver for n = `dimension` ≥ 1 components.
  public init(dimension: Int, method: ODEMethod) {
    precondition(dimension >= 1, "ODESolver: dimension must be ≥ 1, got \(dimension)")
    self.dimension = dimension
    self.method = method
    let n = sunindextype(dimension)

    var newContext: SUNContext?
    guard SUNContext_Create(nil, &newContext) == 0, let newContext else {
      fatalError("ODESolver: SUNContext_Create failed")
    }
    context = newContext
    guard let state = N_VNew_Serial(n, context),
          let absoluteTolerances = N_VNew_Serial(n, context),
          let outputRow = N_VNewEmpty_Serial(n, context),
          let memory = CVodeCreate(method == .bdf ? CV_BDF : CV_ADAMS, context)
    else { fatalError("ODESolver: SUNDIALS could not allocate a solver of dimension \(dimension)") }
    N_VConst(0, state)
    self.state = state
    self.absoluteTolerances = absoluteTolerances
    self.outputRow = outputRow
    self.memory = memory

    switch method {
    case .bdf:
      guard let matrix = SUNDenseMatrix(n, n, context),
            let linearSolver = SUNLinSol_Dense(state, matrix, context)
      else { fatalError("ODESolver: SUNDIALS could not allocate a dense \(n)×\(n) solver") }
      self.matrix = matrix
      self.linearSolver = linearSolver
      fixedPointSolver = nil
    case .adams:
      guard let fixedPointSolver = SUNNonlinSol_FixedPoint(state, 0, context)
      else { fatalError("ODESolver: SUNDIALS could not allocate a fixed-point iteration") }
      matrix = nil
      linearSolver = nil
      self.fixedPointSolver = fixedPointSolver
    }

    // Every callback finds this solver through the user data; it holds no reference.
    let rhsCallback: CVRhsFn = { t, y, ydot, userData in
      let solver = Unmanaged<ODESolver>.fromOpaque(userData!).takeUnretainedValue()
      // Once f has failed, it fails for the rest of the solve. SUNDIALS 6.4's fixed-point
      // iteration (Adams) reports a failed f as a recoverable convergence failure, and CVODE
      // would retry with smaller steps that approach, but never pass, the failing point.
      guard solver.callbackFailure == nil else { return -1 }
      do {
        try solver.rhs!(t, UnsafePointer(bf_nv_data(y)), bf_nv_data(ydot))
        return 0
      } catch {
        solver.callbackFailure = solver.callbackFailure ?? .rhs(error)
        return -1  // unrecoverable: CVODE stops and returns a failure flag
      }
    }
    var flag = CVodeInit(memory, rhsCallback, 0, state)
    if flag == CV_SUCCESS {
      flag = CVodeSetUserData(memory, Unmanaged.passUnretained(self).toOpaque())
    }
    if flag == CV_SUCCESS {
      flag = CVodeSetErrHandlerFn(memory, { _, _, _, _, _ in }, nil)
    }
    if flag == CV_SUCCESS {
      flag = method == .bdf
        ? CVodeSetLinearSolver(memory, linearSolver, matrix)
        : CVodeSetNonlinearSolver(memory, fixedPointSolver)
    }
    precondition(flag == CV_SUCCESS, "ODESolver: CVODE setup failed (\(ODEError.flagName(flag)))")
  }

  deinit {
    var memory: UnsafeMutableRawPointer? = memory
    CVodeFree(&memory)
    if let fixedPointSolver { SUNNonlinSolFree(fixedPointSolver) }
    if let linearSolver { SUNLinSolFree(linearSolver) }
    if let matrix { SUNMatDestroy(matrix) }
    N_VDestroy(outputRow)
    N_VDestroy(absoluteTolerances)
    N_VDestroy(state)
    var context: SUNContext? = context
    SUNContext_Free(&context)
  }

  /// The highest order `method` supports: 5 for BDF, 12 for Adams.
  public var maxOrderLimit: Int { method == .bdf ? 5 : 12 }

  /// Integrates y′ = f(t, y), y(t₀) = y₀ forward in time and writes the solution at each output
  /// time into one row of `output`:
  ///
  ///     output[k·n + i] = yᵢ(times[k]),   k = 0 ..< times.count,  i = 0 ..< n.
  ///
  /// `times` must be finite and nondecreasing with times[0] ≥ t₀; times equal to t₀ get y₀.
  /// `output` must hold exactly times.count · n values. `jacobian` (BDF only; Adams needs none)
  /// replaces difference-quotient Jacobians.
  ///
  /// Throws `ODEError`; the rows of output times before the failure time t are then written
  /// and the others unspecified.
  public func solve(from t0: Double, initial y0: [Double], at times: [Double],
                    into output: UnsafeMutableBufferPointer<Double>,
                    options: ODEOptions = ODEOptions(), jacobian: Jacobian? = nil,
                    rhs: RightHandSide) throws {
    try validate(t0: t0, y0: y0, times: times, outputCount: output.count, options: options,
                 hasJacobian: jacobian != nil)
    try withoutActuallyEscaping(rhs) { rhs in
      self.rhs = rhs
      self.jacobian = jacobian
      defer {
        self.rhs = nil
        self.jacobian = nil
        callbackFailure = nil
      }
      try integrate(from: t0, initial: y0, at: times, into: output, options: options)
    }
  }

  /// Like `solve(from:initial:at:into:options:jacobian:rhs:)`, returning the flat
  /// [times.count × n] solution, row k = y(times[k]).
  public func solve(from t0: Double, initial y0: [Double], at times: [Double],
                    options: ODEOptions = ODEOptions(), jacobian: Jacobian? = nil,
                    rhs: RightHandSide) throws -> [Double] {
    var output = [Double](repeating: 0, count: times.count * dimension)
    try output.withUnsafeMutableBufferPointer { output in
      try solve(from: t0, initial: y0, at: times, into: output, options: options,
                jacobian: jacobian, rhs: rhs)
    }
    return output
  }

  /// Work counters of the most recent `solve`, successful or not (zeros before the first).
  public var statistics: ODEStatistics {
    var steps = 0, rhsEvaluations = 0, errorTestFailures = 0
    var nonlinearIterations = 0, stepSolveFailures = 0
    var jacobianEvaluations = 0, jacobianRHSEvaluations = 0
    CVodeGetNumSteps(memory, &steps)
    CVodeGetNumRhsEvals(memory, &rhsEvaluations)
    CVodeGetNumErrTestFails(memory, &errorTestFailures)
    CVodeGetNumNonlinSolvIters(memory, &nonlinearIterations)
    CVodeGetNumStepSolveFails(memory, &stepSolveFailures)
    if method == .bdf {
      CVodeGetNumJacEvals(memory, &jacobianEvaluations)
      CVodeGetNumLinRhsEvals(memory, &jacobianRHSEvaluations)
    }
    return ODEStatistics(steps: steps, rhsEvaluations: rhsEvaluations,
                         jacobianRHSEvaluations: jacobianRHSEvaluations,
                         jacobianEvaluations: jacobianEvaluations,
                         errorTestFailures: errorTestFailures,
                         nonlinearIterations: nonlinearIterations,
                         nonlinearConvergenceFailures: stepSolveFailures)
  }

  /// Rejects, with a reason, arguments that cannot describe a forward solve.
  private func validate(t0: Double, y0: [Double], times: [Double], outputCount: Int,
                        options: ODEOptions, hasJacobian: Bool) throws {
    func reject(_ reason: String) -> ODEError { .illegalInput(reason) }
    guard t0.isFinite else { throw reject("t₀ = \(t0) is not finite") }
    guard y0.count == dimension else {
      throw reject("y₀ has \(y0.count) values, the solver's dimension is \(dimension)")
    }
    guard y0.allSatisfy(\.isFinite) else { throw reject("y₀ = \(y0) is not finite") }
    guard outputCount == times.count * dimension else {
      throw reject("output holds \(outputCount) values, \(times.count) times × \(dimension) "
                   + "components need \(times.count * dimension)")
    }
    var previous = t0
    for (k, t) in times.enumerated() {
      guard t.isFinite, t >= previous else {
        throw reject("output times must be finite, ≥ t₀ = \(t0) and nondecreasing; "
                     + "times[\(k)] = \(t) follows \(previous)")
      }
      previous = t
    }
    let rtol = options.relativeTolerance
    guard rtol.isFinite, rtol >= 0 else { throw reject("relative tolerance \(rtol) must be ≥ 0") }
    switch options.absoluteTolerance {
    case let .scalar(atol):
      guard atol.isFinite, atol >= 0 else { throw reject("absolute tolerance \(atol) must be ≥ 0") }
    case let .perComponent(atol):
      guard atol.count == dimension else {
        throw reject("\(atol.count) absolute tolerances for \(dimension) components")
      }
      guard atol.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
        throw reject("absolute tolerances \(atol) must be ≥ 0")
      }
    }
    guard options.maxSteps >= 1 else { throw reject("maxSteps \(options.maxSteps) must be ≥ 1") }
    if let h = options.maxStepSize, !(h > 0) {
      throw reject("maxStepSize \(h) must be > 0")
    }
    if let h = options.initialStepSize, !(h.isFinite && h > 0) {
      throw reject("initialStepSize \(h) must be finite and > 0")
    }
    if let q = options.maxOrder, !(1...maxOrderLimit).contains(q) {
      throw reject("maxOrder \(q) must be in 1...\(maxOrderLimit) for \(method)")
    }
    if hasJacobian && method == .adams {
      throw reject("a Jacobian is used only by BDF (Newton iteration); Adams iterates without one")
    }
  }

  /// Reinitialises CVODE at (t₀, y₀) with `options`, then steps to the last output time,
  /// filling output rows as the steps pass their times. Arguments are valid.
  private func integrate(from t0: Double, initial y0: [Double], at times: [Double],
                         into output: UnsafeMutableBufferPointer<Double>,
                         options: ODEOptions) throws {
    let n = dimension
    let y = bf_nv_data(state)!
    for i in 0..<n { y[i] = y0[i] }
    try check(CVodeReInit(memory, t0, state), "CVodeReInit")
    try apply(options)

    var k = 0
    while k < times.count, times[k] == t0 {
      (output.baseAddress! + k * n).update(from: y, count: n)
      k += 1
    }
    guard k < times.count else { return }
    let tEnd = times[times.count - 1]
    try check(CVodeSetStopTime(memory, tEnd), "CVodeSetStopTime")

    var t = t0
    var steps = 0
    while k < times.count {
      guard steps < options.maxSteps else {
        throw ODEError.tooMuchWork(t: t, maxSteps: options.maxSteps)
      }
      let flag = CVode(memory, tEnd, state, &t, CV_ONE_STEP)
      guard flag >= 0 else {
        throw ODEError(cvodeFlag: flag, t: t, callbackFailure: callbackFailure)
      }
      steps += 1
      while k < times.count, times[k] <= t {
        N_VSetArrayPointer_Serial(output.baseAddress! + k * n, outputRow)
        try check(CVodeGetDky(memory, times[k], 0, outputRow), "CVodeGetDky")
        k += 1
      }
    }
  }

  /// Hands tolerances, order and step-size limits and the Jacobian choice to CVODE; all of
  /// them are set on every solve, so none carries over from the previous one.
  private func apply(_ options: ODEOptions) throws {
    let rtol = options.relativeTolerance
    switch options.absoluteTolerance {
    case let .scalar(atol):
      try check(CVodeSStolerances(memory, rtol, atol), "CVodeSStolerances")
    case let .perComponent(atol):
      let storage = bf_nv_data(absoluteTolerances)!
      for i in 0..<dimension { storage[i] = atol[i] }
      try check(CVodeSVtolerances(memory, rtol, absoluteTolerances), "CVodeSVtolerances")
    }
    try check(CVodeSetMaxOrd(memory, Int32(options.maxOrder ?? maxOrderLimit)), "CVodeSetMaxOrd")
    // CVODE reads 0 as "no bound" and "estimate h₀".
    try check(CVodeSetMaxStep(memory, options.maxStepSize ?? 0), "CVodeSetMaxStep")
    try check(CVodeSetInitStep(memory, options.initialStepSize ?? 0), "CVodeSetInitStep")
    guard method == .bdf else { return }
    let flag: Int32
    if jacobian == nil {
      flag = CVodeSetJacFn(memory, nil)  // difference quotients
    } else {
      flag = CVodeSetJacFn(memory) { t, y, _, jacobianMatrix, userData, _, _, _ in
        let solver = Unmanaged<ODESolver>.fromOpaque(userData!).takeUnretainedValue()
        do {
          try solver.jacobian!(t, UnsafePointer(bf_nv_data(y)), bf_dense_data(jacobianMatrix))
          return 0
        } catch {
          solver.callbackFailure = solver.callbackFailure ?? .jacobian(error)
          return -1
        }
      }
    }
    // CVodeSetJacFn returns a CVLS flag, which CVodeGetReturnFlagName does not name.
    guard flag == CVLS_SUCCESS else {
      throw ODEError.illegalInput("CVodeSetJacFn failed (CVLS flag \(flag))")
    }
  }

  /// Throws `ODEError.illegalInput` naming `function` if a CVODE set-up call returned `flag` ≠ 0.
  private func check(_ flag: Int32, _ function: String) throws {
    guard flag != CV_SUCCESS else { return }
    throw ODEError.illegalInput("\(function) failed (\(ODEError.flagName(flag)))")
  }
}
