import BayesFlow
import Foundation
import ODE
import Simulators
import Tensors
import XCTest

/// The deterministic part of `secird`: λ(t), the ODE solution and its bookkeeping identities,
/// and agreement with an independent fine-step RK4 integration.
final class SECIRDDynamicsTests: XCTestCase {
  // MARK: λ(t)

  /// Knots and values by hand: t = (5, 12, 20, 30), Δt = (2, 2, 4, 5) after rounding half to
  /// even, lag 15, so the ramps run over simulation days [20, 22], [27, 29], [35, 39], [45, 50].
  func testContactRateAtHandComputedPoints() throws {
    var theta = [Double](repeating: 0, count: 34)
    theta[0..<4] = [5.2, 11.5, 20.4, 29.6]   // rint → 5, 12 (half to even), 20, 30
    theta[4..<8] = [2.4, 2.5, 3.5, 5.1]      // rint → 2, 2, 4, 5
    theta[8..<13] = [1.0, 0.5, 0.3, 0.1, 0.2]
    let lambda = try ContactRateSchedule(theta: theta, lag: 15)
    XCTAssertEqual(try SECIRD().contactRate(theta), lambda)
    XCTAssertEqual(lambda.knotTimes, [20, 22, 27, 29, 35, 39, 45, 50])
    XCTAssertEqual(lambda.knotValues, [1.0, 0.5, 0.5, 0.3, 0.3, 0.1, 0.1, 0.2])
    let cases: [(t: Double, value: Double)] = [
      (0, 1.0), (19.99, 1.0), (20, 1.0),
      (20.5, 0.875), (21, 0.75), (22, 0.5),           // ramp 1: 1 → 0.5 over 2 days
      (25, 0.5), (27, 0.5), (28, 0.4), (29, 0.3),     // ramp 2: 0.5 → 0.3 over 2 days
      (33, 0.3), (36, 0.25), (37, 0.2), (39, 0.1),    // ramp 3: 0.3 → 0.1 over 4 days
      (44, 0.1), (46, 0.12), (47.5, 0.15), (50, 0.2), // ramp 4: 0.1 → 0.2 over 5 days
      (80, 0.2), (96, 0.2), (1000, 0.2),
    ]
    for (t, value) in cases {
      XCTAssertEqual(lambda(t), value, accuracy: 1e-14, "λ(\(t))")
    }
    // Ramp 3 ends at λ3 = 0.1 and ramp 4 starts there (the notebook went to λ4 twice).
    XCTAssertEqual(lambda(39), theta[11], accuracy: 1e-15)
  }

  // MARK: ODE solution

  /// S + E + C + I + R + D = N at every day, no compartment below −atol, for prior draws and
  /// the fixture; also non-negative daily flows and noisy observations.
  func testConservationAndNonNegativity() throws {
    let model = try SECIRD()
    var rng = RandomStream(seed: 2024)
    var thetas = [SECIRDFixture.theta]
    for _ in 0..<30 { thetas.append(model.samplePrior(&rng)) }
    var worstConservation = 0.0, lowest = 0.0
    for theta in thetas {
      let trajectory = try model.trajectory(theta)
      XCTAssertEqual(trajectory.count, 97)
      for total in trajectory.totalPopulation {
        worstConservation = max(worstConservation, abs(total - model.population) / model.population)
      }
      lowest = min(lowest, trajectory.states.min()!)
      XCTAssertTrue(try model.dailyFlows(theta).allSatisfy { $0 >= 0 })
      XCTAssertTrue(try model.simulate(theta, &rng).values.allSatisfy { $0 >= 0 && $0.isFinite })
    }
    XCTAssertLessThan(worstConservation, 1e-12, "relative conservation error")
    XCTAssertGreaterThan(lowest, -1e-6, "most negative state (persons)")
  }

  /// Identities of the ODE, from equal right-hand sides and zero initial values:
  ///
  ///     D = D_cum,   I = I_cum − R_cum − D_cum,   R − R_cum = ∫αθC ≥ 0,
  ///     S + E + C + I_cum + (R − R_cum) = N,
  ///
  /// and the daily flows telescope: Σⱼ newₓ[j] = Xcum(T+ℓ) (e.g. Σ new deceased = D(T+ℓ),
  /// Σ (new confirmed − new recovered − new deceased) = I(T+ℓ)).
  func testFlowBookkeeping() throws {
    let model = try SECIRD()
    var rng = RandomStream(seed: 99)
    var thetas = [SECIRDFixture.theta]
    for _ in 0..<20 { thetas.append(model.samplePrior(&rng)) }
    var worst = 0.0
    for theta in thetas {
      let y = try model.trajectory(theta)
      let n = model.population
      for j in 0..<y.count {
        let scale = max(1, y[.confirmedCumulative, day: j])
        worst = max(worst, abs(y[.dead, day: j] - y[.deceasedCumulative, day: j]) / scale)
        let i = y[.confirmedCumulative, day: j] - y[.recoveredCumulative, day: j] - y[.deceasedCumulative, day: j]
        worst = max(worst, abs(y[.infectious, day: j] - i) / scale)
        XCTAssertGreaterThan(y[.recovered, day: j] - y[.recoveredCumulative, day: j], -1e-6)
        let total = y[.susceptible, day: j] + y[.exposed, day: j] + y[.carrier, day: j]
          + y[.confirmedCumulative, day: j] + y[.recovered, day: j] - y[.recoveredCumulative, day: j]
        XCTAssertEqual(total, n, accuracy: 1e-12 * n)
      }
      let flows = try model.dailyFlows(theta)
      let last = y.count - 1
      var sums = [0.0, 0.0, 0.0]
      for j in 0..<(flows.count / 3) { for x in 0..<3 { sums[x] += flows[3 * j + x] } }
      let ends = [y[.confirmedCumulative, day: last], y[.recoveredCumulative, day: last], y[.dead, day: last]]
      for x in 0..<3 {
        XCTAssertEqual(sums[x], ends[x], accuracy: 1e-9 * max(1, ends[x]), "Σ flow \(x)")
      }
      XCTAssertEqual(sums[0] - sums[1] - sums[2], y[.infectious, day: last],
                     accuracy: 1e-9 * max(1, ends[0]))
    }
    XCTAssertLessThan(worst, 1e-12, "bookkeeping error relative to I_cum")  // measured 1.5e-15
  }

  /// Daily flows of the fixture against classical RK4 with h = 1/128 day written here from the
  /// equations (its knots are integers, so no RK4 step straddles a kink of λ; RK4's own error
  /// is < 10⁻¹⁰ relative, checked by halving h). The standard integration (rtol 10⁻⁶) agrees to
  /// a few 10⁻⁵ (errors relative to max(flow, 1 person)), a tight CVODE solve to 10⁻⁹.
  func testDailyFlowsAgainstRK4() throws {
    let theta = SECIRDFixture.theta
    let reference = rk4DailyFlows(theta, stepsPerDay: 128)
    let check = rk4DailyFlows(theta, stepsPerDay: 256)
    XCTAssertLessThan(maxRelativeError(check, reference), 1e-10, "RK4 h vs h/2")

    let model = try SECIRD()
    let standardError = maxRelativeError(try model.dailyFlows(theta), reference)
    var tight = try SECIRD()
    tight.integration = SECIRD.Integration(
      method: .adams, options: ODEOptions(relativeTolerance: 1e-11, absoluteTolerance: .scalar(1e-9),
                                          maxSteps: 100_000), restartAtKnots: true)
    let tightError = maxRelativeError(try tight.dailyFlows(theta), reference)
    // Measured 2.5e-5: late flows are differences of cumulative counts ~60× larger, so the
    // cumulative states' ~4e-7 relative error is amplified (docs/secird-simulator.md).
    XCTAssertLessThan(standardError, 5e-5)
    XCTAssertLessThan(tightError, 1e-8)  // measured 6.5e-10
  }

  /// max |a − b| / b over flows b > 1 person, and max |a − b| where b ≤ 1 (absolute).
  func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    var worst = 0.0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(y, 1)) }
    return worst
  }

  /// The SECIRD equations integrated by classical RK4 with `stepsPerDay` steps per day;
  /// returns the daily new flows [96, 3], max(0, Xcum(j+1) − Xcum(j)).
  func rk4DailyFlows(_ th: [Double], stepsPerDay: Int, lag: Int = 15, days: Int = 81,
                     population n: Double = 83e6) -> [Double] {
    func rounded(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }
    func lambda(_ t: Double) -> Double {
      var value = th[8]
      for k in 0..<4 {
        let start = rounded(th[k]) + Double(lag), end = start + rounded(th[4 + k])
        if t >= end { value = th[9 + k] }
        else if t > start { value = th[8 + k] + (th[9 + k] - th[8 + k]) * (t - start) / (end - start) }
      }
      return value
    }
    let mu = th[13], alpha = th[27], beta = th[28], gamma = th[29], eta = th[30]
    let thetaC = th[31], delta = th[32], d = th[33]
    func f(_ t: Double, _ y: [Double]) -> [Double] {
      let newE = lambda(t) * (y[2] + beta * y[3]) / n * y[0]
      let toI = (1 - alpha) * eta * y[2], toR = alpha * thetaC * y[2]
      let iToR = (1 - delta) * mu * y[3], iToD = delta * d * y[3]
      return [-newE, newE - gamma * y[1], gamma * y[1] - toI - toR, toI - iToR - iToD,
              toR + iToR, iToD, toI, iToR, iToD]
    }
    let e0 = max(1, rounded(th[23]))
    var y = [n - e0, e0, 0, 0, 0, 0, 0, 0, 0]
    let h = 1 / Double(stepsPerDay)
    var flows: [Double] = []
    for day in 0..<(days + lag) {
      let before = Array(y[6..<9])
      for s in 0..<stepsPerDay {
        let t = Double(day) + Double(s) * h
        let k1 = f(t, y)
        let k2 = f(t + h / 2, zip(y, k1).map { $0 + h / 2 * $1 })
        let k3 = f(t + h / 2, zip(y, k2).map { $0 + h / 2 * $1 })
        let k4 = f(t + h, zip(y, k3).map { $0 + h * $1 })
        for i in 0..<9 { y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
      }
      for x in 0..<3 { flows.append(max(0, y[6 + x] - before[x])) }
    }
    return flows
  }

  // MARK: Failures

  /// Bad θ and solver failures throw (a failed simulation); nothing traps.
  func testFailuresThrow() throws {
    let model = try SECIRD()
    var rng = RandomStream(seed: 1)
    XCTAssertThrowsError(try model.simulate([1, 2, 3], &rng))
    XCTAssertThrowsError(try model.contactRate([1, 2, 3]))
    XCTAssertThrowsError(try model.simulate(SECIRDFixture.theta(["L_R": 15.6]), &rng)) {
      XCTAssertTrue("\($0)".contains("L_R"), "\($0)")
    }
    XCTAssertThrowsError(try model.simulate(SECIRDFixture.theta(["L_I": -0.6]), &rng))
    XCTAssertThrowsError(try model.simulate(SECIRDFixture.theta(["gamma": .nan]), &rng))
    XCTAssertThrowsError(try model.simulate(SECIRDFixture.theta(["E0": .infinity]), &rng))
    // A work limit the solve cannot meet: CVODE's failure becomes a SimulationFailure.
    var starved = try SECIRD()
    starved.integration.options.maxSteps = 5
    XCTAssertThrowsError(try starved.simulate(SECIRDFixture.theta, &rng)) {
      XCTAssertTrue($0 is SimulationFailure, "\($0)")
    }
    // The thread's solver is still usable afterwards.
    XCTAssertNoThrow(try model.simulate(SECIRDFixture.theta, &rng))
    XCTAssertFalse(model.inPriorSupport(SECIRDFixture.theta(["t2": 7.4])))  // t2 rounds to t1
  }
}
