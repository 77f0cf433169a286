import ODE
import XCTest

/// Solutions of problems with closed forms, by both methods, at tolerances tight enough that
/// the error budget is set by the assertion, not by the solver.
final class ClosedFormTests: XCTestCase {
  let tight = ODEOptions(relativeTolerance: 1e-10, absoluteTolerance: .scalar(1e-14))

  /// y′ = −y from y(1) = 2: y(t) = 2·e^{−(t−1)}, to 1e-6 relative, also down to e^{−11}.
  /// Repeated output times and times equal to t₀ (which return y₀ exactly) are allowed.
  func testExponentialDecay() throws {
    let times = [1, 1, 1.5, 2, 3, 3, 6, 12]
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 1, method: method)
      let y = try solver.solve(from: 1, initial: [2], at: times, options: tight) { _, y, dy in
        dy[0] = -y[0]
      }
      XCTAssertEqual(y[0], 2, "\(method): y(t₀) = y₀")
      XCTAssertEqual(y[1], 2, "\(method): y(t₀) = y₀")
      for (k, t) in times.enumerated() {
        let exact = 2 * exp(-(t - 1))
        XCTAssertLessThan(abs(y[k] - exact) / exact, 1e-6, "\(method), t = \(t)")
      }
    }
  }

  /// y₁′ = y₂, y₂′ = −ω²y₁ from (1, 0): y = (cos ωt, −ω sin ωt), ω = 2, for t ∈ [0, 20]
  /// (about six periods), to 1e-6 absolute (the components pass through zero).
  func testHarmonicOscillator() throws {
    let ω = 2.0
    let times = (0...40).map { Double($0) / 2 }
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 2, method: method)
      let y = try solver.solve(from: 0, initial: [1, 0], at: times, options: tight) { _, y, dy in
        dy[0] = y[1]
        dy[1] = -ω * ω * y[0]
      }
      for (k, t) in times.enumerated() {
        XCTAssertEqual(y[2 * k], cos(ω * t), accuracy: 1e-6, "\(method), y₁(\(t))")
        XCTAssertEqual(y[2 * k + 1], -ω * sin(ω * t), accuracy: 1e-6, "\(method), y₂(\(t))")
      }
    }
  }

  /// Logistic growth y′ = r·y·(1 − y/K), y(0) = y₀: y(t) = K / (1 + (K/y₀ − 1)·e^{−rt}),
  /// r = 0.8, K = 1000, y₀ = 1, through the inflection (t ≈ 8.6) to saturation, to 1e-6 relative.
  func testLogisticGrowth() throws {
    let r = 0.8, K = 1000.0, y0 = 1.0
    let times = (0...30).map(Double.init)
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 1, method: method)
      let y = try solver.solve(from: 0, initial: [y0], at: times, options: tight) { _, y, dy in
        dy[0] = r * y[0] * (1 - y[0] / K)
      }
      for (k, t) in times.enumerated() {
        let exact = K / (1 + (K / y0 - 1) * exp(-r * t))
        XCTAssertLessThan(abs(y[k] - exact) / exact, 1e-6, "\(method), t = \(t)")
      }
    }
  }

  /// Per-component atol: y₁′ = −y₁ from 1 and y₂′ = −10·y₂ from 1e-9. A scalar atol of 1e-8
  /// treats y₂ as zero; atol = (1e-8, 1e-25) resolves it to 1e-6 relative, with more steps.
  func testPerComponentAbsoluteTolerance() throws {
    let times = [0.1, 0.5, 1, 2]
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 2, method: method)
      func solve(_ atol: ODEOptions.AbsoluteTolerance) throws -> (y: [Double], steps: Int) {
        let options = ODEOptions(relativeTolerance: 1e-10, absoluteTolerance: atol)
        let y = try solver.solve(from: 0, initial: [1, 1e-9], at: times,
                                 options: options) { _, y, dy in
          dy[0] = -y[0]
          dy[1] = -10 * y[1]
        }
        return (y, solver.statistics.steps)
      }
      let scalar = try solve(.scalar(1e-8))
      let vector = try solve(.perComponent([1e-8, 1e-25]))
      for (k, t) in times.enumerated() {
        let exact = 1e-9 * exp(-10 * t)
        XCTAssertLessThan(abs(vector.y[2 * k + 1] - exact) / exact, 1e-6, "\(method), t = \(t)")
      }
      XCTAssertGreaterThan(vector.steps, scalar.steps, "\(method): atol₂ must tighten control")
    }
  }
}
