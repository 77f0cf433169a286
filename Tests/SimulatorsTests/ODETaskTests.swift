import BayesFlow
import Foundation
import ODE
import Simulators
import Tensors
import XCTest

/// SIR and Lotka–Volterra: CVODE against a fine-step RK4, observation noise, failures, threads.
final class ODETaskTests: XCTestCase {
  static func sirRHS(_ beta: Double, _ gamma: Double) -> ([Double]) -> [Double] {
    { y in
      let n = 1_000_000.0, infections = beta * y[0] * y[1] / n
      return [-infections, infections - gamma * y[1], gamma * y[1]]
    }
  }

  /// I(tₖ) at the 10 observation days, to 10⁻⁶ relative, for a few θ (RK4, h = 0.005 days).
  func testSIRMatchesRungeKutta() throws {
    let task = SIR()
    XCTAssertEqual(SIR.days, [0, 17, 34, 51, 68, 85, 102, 119, 136, 153])
    for theta in [[0.4, 0.125], [0.8, 0.2], [0.25, 0.15]] {
      let curve = try task.infectedCurve(theta)
      let reference = rungeKutta4([999_999, 1, 0], times: SIR.days, step: 0.005, ODETaskTests.sirRHS(theta[0], theta[1]))
      for k in 0..<10 {
        let r = reference[k][1]
        XCTAssertLessThan(abs(curve[k] - r), 1e-6 * abs(r), "θ = \(theta), I(\(SIR.days[k])) = \(curve[k]) vs RK4 \(r)")
      }
    }
  }

  /// Given θ, xₖ ~ Binomial(1000, I(tₖ)/N): mean 1000p, variance 1000p(1 − p).
  func testSIRBinomialNoise() throws {
    let task = SIR()
    let theta = [0.4, 0.125]
    let p = try task.infectedCurve(theta).map { $0 / 1_000_000 }
    var rng = RandomStream(seed: 31)
    let xs = try (0..<1500).map { _ in try task.simulate(theta, &rng).values }
    XCTAssertTrue(xs.allSatisfy { $0.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 <= 1000 } })
    // Days with 1000p ≥ 5, where a few thousand draws pin the variance down.
    let informative = (0..<10).filter { 1000 * p[$0] >= 5 }
    XCTAssertGreaterThanOrEqual(informative.count, 4)
    for k in informative {
      Moments.check(xs.map { $0[k] }, mean: 1000 * p[k], variance: 1000 * p[k] * (1 - p[k]), "x[\(k)]")
    }
    XCTAssertEqual(task.derivedQuantities(theta), [3.2])
  }

  static func lotkaVolterraRHS(_ t: [Double]) -> ([Double]) -> [Double] {
    { u in [t[0] * u[0] - t[1] * u[0] * u[1], -t[2] * u[1] + t[3] * u[0] * u[1]] }
  }

  /// Prey and predator at tₖ = 2.1k to 10⁻⁶ relative (RK4, h = 0.001).
  func testLotkaVolterraMatchesRungeKutta() throws {
    let task = LotkaVolterra()
    XCTAssertEqual(LotkaVolterra.times, [0, 2.1, 4.2, 6.3, 8.4, 10.5, 12.6, 14.7, 16.8, 18.9])
    let median = [-0.125, -3, -0.125, -3].map { exp($0) }
    for theta in [median, [0.6, 0.03, 1.2, 0.07], [1.3, 0.08, 0.7, 0.04]] {
      let u = try task.populations(theta)
      let reference = rungeKutta4([30, 1], times: LotkaVolterra.times, step: 0.001, ODETaskTests.lotkaVolterraRHS(theta))
      for k in 0..<10 {
        for (species, offset) in [(0, 0), (1, 10)] {
          let r = reference[k][species]
          XCTAssertLessThan(abs(u[offset + k] - r), 1e-6 * abs(r), "θ = \(theta), species \(species) at t = \(LotkaVolterra.times[k])")
        }
      }
      XCTAssertEqual(u[0], 30)
      XCTAssertEqual(u[10], 1)
    }
  }

  /// log(obsₖ/uₖ) ~ N(0, 0.1²) independently.
  func testLotkaVolterraLogNormalNoise() throws {
    let task = LotkaVolterra()
    let theta = [0.8, 0.05, 0.9, 0.04]
    let u = try task.populations(theta)
    var rng = RandomStream(seed: 32)
    let logRatios = try (0..<1500).map { _ in zip(try task.simulate(theta, &rng).values, u).map { log($0 / $1) } }
    Moments.check(logRatios, mean: [Double](repeating: 0, count: 20), variance: [Double](repeating: 0.01, count: 20), "log(x/u)")
  }

  /// A failed solve is a thrown error, and the thread's solver keeps working afterwards.
  func testFailedSolvesThrow() throws {
    var rng = RandomStream(seed: 33)
    let starved = try BuiltinSimulators.registry.make(name: "sir", options: try JSONValue.parse(#"{"max_steps": 5}"#))
    XCTAssertThrowsError(try starved.simulate([0.4, 0.125], &rng)) { error in
      XCTAssertEqual((error as? ODEError)?.flag, "CV_TOO_MUCH_WORK", "\(error)")
    }
    let starvedLV = LotkaVolterra(maxSteps: 3)
    XCTAssertThrowsError(try starvedLV.simulate([0.8, 0.05, 0.9, 0.04], &rng))
    // Without predation, prey grows like 30·e^{50t} and overflows Double at t ≈ 14.
    XCTAssertThrowsError(try LotkaVolterra().simulate([50, 0, 1, 0], &rng)) { print("exploding Lotka–Volterra: \($0)") }
    let sir = SIR(), lv = LotkaVolterra()
    XCTAssertNoThrow(try sir.simulate([0.4, 0.125], &rng))
    XCTAssertNoThrow(try lv.simulate([0.8, 0.05, 0.9, 0.04], &rng))
  }

  /// Each thread uses its own solver: concurrent simulations equal serial ones.
  func testConcurrentSimulationsMatchSerial() throws {
    let tasks: [any Simulator] = [SIR(), LotkaVolterra()]
    for task in tasks {
      let count = 64
      func run(_ i: Int) -> [Double] {
        var rng = RandomStream(seed: 34, stream: UInt64(i))
        let theta = task.samplePrior(&rng)
        return (try? task.simulate(theta, &rng).values) ?? []
      }
      let serial = (0..<count).map(run)
      let results = ResultBox(count: count)
      DispatchQueue.concurrentPerform(iterations: count) { i in results.set(i, run(i)) }
      XCTAssertEqual(results.values, serial, task.name)
    }
  }
}

/// A thread-safe result array for `concurrentPerform`.
final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: [[Double]]
  init(count: Int) { storage = [[Double]](repeating: [], count: count) }
  func set(_ i: Int, _ v: [Double]) { lock.lock(); storage[i] = v; lock.unlock() }
  var values: [[Double]] { lock.lock(); defer { lock.unlock() }; return storage }
}
