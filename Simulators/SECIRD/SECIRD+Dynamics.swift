import BayesFlow
import ODE
import Tensors
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The compartments of the `SECIRD` state vector, in storage order.
public enum SECIRDState: Int, CaseIterable, Sendable {
  case susceptible, exposed, carrier, infectious, recovered, dead
  /// Cumulative reported flows: C → I (confirmed), I → R (recovered), I → D (deceased).
  case confirmedCumulative, recoveredCumulative, deceasedCumulative
}

/// The solution of the SECIRD ODE at simulation days 0…T+ℓ.
public struct SECIRDTrajectory: Sendable {
  /// Values per day: the nine `SECIRDState`s.
  public static let width = 9
  /// Row-major [days + 1, 9]: `states[9·j + s]` is state s at simulation day j.
  public var states: [Double]
  /// Rows (simulation days 0…T+ℓ).
  public var count: Int { states.count / SECIRDTrajectory.width }

  /// State `s` at simulation day `day`.
  public subscript(_ s: SECIRDState, day day: Int) -> Double {
    states[SECIRDTrajectory.width * day + s.rawValue]
  }

  /// S + E + C + I + R + D at each day; N up to the solver's round-off.
  public var totalPopulation: [Double] {
    (0..<count).map { j in (0..<6).reduce(0.0) { $0 + states[SECIRDTrajectory.width * j + $1] } }
  }
}

extension SECIRD {
  /// How the ODE is integrated. The default (`standard`) is the model; other settings serve
  /// accuracy checks (a tight reference) and method comparisons.
  public struct Integration: Sendable, Equatable {
    public var method: ODEMethod
    public var options: ODEOptions
    /// Restart CVODE at each knot of λ(t), where dλ/dt jumps, instead of stepping across.
    public var restartAtKnots: Bool
    public init(method: ODEMethod, options: ODEOptions, restartAtKnots: Bool = false) {
      self.method = method
      self.options = options
      self.restartAtKnots = restartAtKnots
    }
    /// Adams–Moulton, rtol 10⁻⁶, atol 10⁻⁶ persons on every state, restarted at the knots of
    /// λ(t). Adams because the problem is not stiff (rates ≲ 1/day over 96 days); restarts
    /// because a multistep method stepping across a jump of dλ/dt loses accuracy there (3×
    /// smaller errors for the same work). Measurements in docs/secird-simulator.md.
    public static let standard = Integration(
      method: .adams, options: ODEOptions(relativeTolerance: 1e-6, absoluteTolerance: .scalar(1e-6)),
      restartAtKnots: true)
  }

  /// λ(t) of θ (`ContactRateSchedule` with this model's lag).
  public func contactRate(_ theta: [Double]) throws -> ContactRateSchedule {
    try ContactRateSchedule(theta: theta, lag: lag)
  }

  /// The deterministic state trajectory of θ at simulation days 0…T+ℓ. Throws
  /// `SimulationFailure` if θ has the wrong length or the solver fails.
  public func trajectory(_ theta: [Double]) throws -> SECIRDTrajectory {
    let work = SECIRDWorkspace.current
    try solve(theta, work)
    return SECIRDTrajectory(states: Array(work.states))
  }

  /// CVODE's work counters for θ (summed over the segments when restarting at knots).
  /// Throws like `trajectory`.
  public func solverWork(_ theta: [Double]) throws -> SECIRDSolverWork {
    let work = SECIRDWorkspace.current
    try solve(theta, work)
    return work.statistics
  }

  /// Noise-free daily new flows [T+ℓ, 3]: row j, channel x is
  /// max(0, Xcum(j+1) − Xcum(j)) for X = confirmed, recovered, deceased (flows during
  /// simulation day j, before delays and weekly modulation).
  public func dailyFlows(_ theta: [Double]) throws -> [Double] {
    let work = SECIRDWorkspace.current
    try solve(theta, work)
    let days = simulationDays, w = SECIRDTrajectory.width
    var flows = [Double](repeating: 0, count: 3 * days)
    for j in 0..<days {
      for x in 0..<3 {
        let c = 6 + x
        flows[3 * j + x] = max(0, work.states[w * (j + 1) + c] - work.states[w * j + c])
      }
    }
    return flows
  }

  /// The noise-free reported means (see `SECIRD`): delayed, weekly modulated daily flows,
  /// [T, 3] as an `Observation`. Throws `SimulationFailure` if θ has the wrong length, a
  /// rounded delay outside 0…ℓ, or the solver fails.
  public func expectedObservation(_ theta: [Double]) throws -> Observation {
    let work = SECIRDWorkspace.current
    try solve(theta, work)
    let days = observationDays, w = SECIRDTrajectory.width, states = work.states
    var values = [Double](repeating: 0, count: 3 * days)
    var weekFactor = [Double](repeating: 0, count: 7)
    for x in 0..<3 {
      let delay = theta[20 + x].rounded(.toNearestOrEven)
      guard delay >= 0, delay <= Double(lag) else {
        throw SimulationFailure("secird: delay \(SECIRD.parameterNames[20 + x]) = \(theta[20 + x]) "
                                + "rounds outside 0…\(lag)")
      }
      // 1 − modₓ[k]; |sin(πk/7 − φ/2)| has period 7 in k, so one sine per weekday.
      let f = theta[14 + x], phi = theta[17 + x]
      for k in 0..<7 {
        weekFactor[k] = 1 - (1 - f) * (1 - abs(sin(Double.pi * Double(k) / 7 - 0.5 * phi)))
      }
      let c = 6 + x, shift = lag - Int(delay)
      for k in 0..<days {
        let j = k + shift
        let raw = max(0, states[w * (j + 1) + c] - states[w * j + c])
        values[3 * k + x] = weekFactor[k % 7] * raw
      }
    }
    return Observation(values, length: days)
  }

  /// obs = max(0, mean + σₓ·√mean·τ), τ ~ Student-t(4), one τ per value in row-major order
  /// (day-major, then confirmed, recovered, deceased), drawn even where mean = 0 so that the
  /// stream's consumption does not depend on θ.
  func addNoise(to values: inout [Double], theta: [Double], _ rng: inout RandomStream) {
    let sigma = (theta[24], theta[25], theta[26])
    let n = values.count / 3
    for k in 0..<n {
      for x in 0..<3 {
        let s = x == 0 ? sigma.0 : x == 1 ? sigma.1 : sigma.2
        let mean = values[3 * k + x]
        values[3 * k + x] = max(0, mean + s * mean.squareRoot() * noise.sample(&rng))
      }
    }
  }

  /// Integrates the ODE of θ into `work.states`, rows = simulation days 0…T+ℓ.
  func solve(_ theta: [Double], _ work: SECIRDWorkspace) throws {
    guard theta.count == 34 else {
      throw SimulationFailure("secird: θ has \(theta.count) values, expected 34")
    }
    let days = simulationDays
    work.prepare(days: days)
    let n = population, invN = 1 / population
    let lambda = try ContactRateSchedule(theta: theta, lag: lag)
    let mu = theta[13], alpha = theta[27], beta = theta[28], gamma = theta[29]
    let eta = theta[30], thetaC = theta[31], delta = theta[32], d = theta[33]
    let detect = (1 - alpha) * eta        // C → I
    let recoverC = alpha * thetaC         // C → R (undetected)
    let recoverI = (1 - delta) * mu       // I → R
    let die = delta * d                   // I → D
    let e0 = max(1, theta[23].rounded(.toNearestOrEven))
    guard e0.isFinite, e0 < n else {
      throw SimulationFailure("secird: E0 = \(theta[23]) gives no initial state (need rint(E0) < N)")
    }
    work.initial[0] = n - e0
    work.initial[1] = e0
    for i in 2..<9 { work.initial[i] = 0 }
    let solver = work.solver(integration.method)
    let options = integration.options
    func integrate(_ times: [Double], _ output: UnsafeMutableBufferPointer<Double>) throws {
      try solver.solve(from: times[0], initial: work.initial, at: times, into: output,
                       options: options) { t, y, dy in
        let s = y[0], e = y[1], c = y[2], i = y[3]
        let infection = lambda(t) * (c + beta * i) * invN * s
        let onset = gamma * e
        let detected = detect * c, undetected = recoverC * c
        let recovered = recoverI * i, died = die * i
        dy[0] = -infection
        dy[1] = infection - onset
        dy[2] = onset - detected - undetected
        dy[3] = detected - recovered - died
        dy[4] = undetected + recovered
        dy[5] = died
        dy[6] = detected
        dy[7] = recovered
        dy[8] = died
      }
    }
    work.statistics = SECIRDSolverWork()
    do {
      if !integration.restartAtKnots {
        try integrate(work.times, work.states)
        work.statistics.add(solver.statistics)
      } else {
        // Segments between consecutive distinct knots (integers, so output times).
        var start = 0
        let ends = Set(lambda.knotTimes.map { Int($0) }.filter { $0 > 0 && $0 < days }).sorted() + [days]
        for end in ends where end > start {
          let rows = UnsafeMutableBufferPointer(rebasing: work.states[(9 * start)..<(9 * (end + 1))])
          try integrate(Array(work.times[start...end]), rows)
          work.statistics.add(solver.statistics)
          for i in 0..<9 { work.initial[i] = work.states[9 * end + i] }
          start = end
        }
      }
    } catch let error as ODEError {
      throw SimulationFailure("secird: \(error)")
    }
    for v in work.states where !v.isFinite {
      throw SimulationFailure("secird: the solution is not finite")
    }
  }
}

/// Per-thread CVODE solver and buffers for `SECIRD`: created on a thread's first simulation,
/// reused by every later one on that thread, released when the thread exits.
final class SECIRDWorkspace {
  private var adams: ODESolver?
  private var bdf: ODESolver?

  /// The thread's solver for `method`, created on first use.
  func solver(_ method: ODEMethod) -> ODESolver {
    switch method {
    case .adams:
      if let adams { return adams }
      adams = ODESolver(dimension: 9, method: .adams)
      return adams!
    case .bdf:
      if let bdf { return bdf }
      bdf = ODESolver(dimension: 9, method: .bdf)
      return bdf!
    }
  }

  /// Work counters of the last solve.
  var statistics = SECIRDSolverWork()
  /// y₀ (9 values).
  var initial = [Double](repeating: 0, count: 9)
  /// Output times 0, 1, …, days.
  private(set) var times: [Double] = []
  /// [days + 1, 9] solution, row-major.
  private(set) var states = UnsafeMutableBufferPointer<Double>.allocate(capacity: 0)

  deinit { states.deallocate() }

  /// Sizes the buffers for simulation days 0…days (no work when already sized).
  func prepare(days: Int) {
    guard times.count != days + 1 else { return }
    times = (0...days).map(Double.init)
    states.deallocate()
    states = .allocate(capacity: 9 * (days + 1))
    states.initialize(repeating: 0)
  }

  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
      guard let pointer else { return }
      Unmanaged<SECIRDWorkspace>.fromOpaque(pointer).release()
    }
    precondition(status == 0, "SECIRD: pthread_key_create failed (\(status))")
    return key
  }()

  /// The calling thread's workspace.
  static var current: SECIRDWorkspace {
    if let pointer = pthread_getspecific(key) {
      return Unmanaged<SECIRDWorkspace>.fromOpaque(pointer).takeUnretainedValue()
    }
    let work = SECIRDWorkspace()
    pthread_setspecific(key, Unmanaged.passRetained(work).toOpaque())
    return work
  }
}

/// CVODE's work for one `SECIRD` solve, summed over restarts.
public struct SECIRDSolverWork: Sendable, Equatable {
  /// Internal steps.
  public var steps = 0
  /// Right-hand-side evaluations, including those of difference-quotient Jacobians (BDF).
  public var rhsEvaluations = 0
  /// Steps rejected by the local error test.
  public var errorTestFailures = 0
  /// CVODE (re)starts: 1, or the number of segments when restarting at knots.
  public var starts = 0

  public init() {}

  mutating func add(_ s: ODEStatistics) {
    steps += s.steps
    rhsEvaluations += s.rhsEvaluations + s.jacobianRHSEvaluations
    errorTestFailures += s.errorTestFailures
    starts += 1
  }
}
