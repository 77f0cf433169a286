import ODE
import XCTest

/// The SIR epidemic of the SBI benchmark (N = 10⁶, (S, I, R)(0) = (N − 1, 1, 0), days 0…160):
///
///     S′ = −β·S·I/N,   I′ = β·S·I/N − γ·I,   R′ = γ·I,   β = 0.4, γ = 0.125,
///
/// against classical fourth-order Runge–Kutta with h = 10⁻³ days (global error ~h⁴, far below
/// the assertion), to 1e-5 relative (floor: one person).
final class SIRTests: XCTestCase {
  static let N = 1e6, β = 0.4, γ = 0.125

  static func rhs(_ t: Double, _ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) {
    let infections = β * y[0] * y[1] / N
    dy[0] = -infections
    dy[1] = infections - γ * y[1]
    dy[2] = γ * y[1]
  }

  /// RK4 with step h = 1/`stepsPerDay` from day 0, state recorded at the end of each day.
  func rungeKutta(days: Int, stepsPerDay: Int) -> [Double] {
    var y = [Self.N - 1, 1, 0]
    var output = y
    var k1 = [0.0, 0, 0], k2 = k1, k3 = k1, k4 = k1, stage = k1
    let h = 1 / Double(stepsPerDay)
    for step in 0..<(days * stepsPerDay) {
      let t = Double(step) * h
      Self.rhs(t, y, &k1)
      for i in 0..<3 { stage[i] = y[i] + h / 2 * k1[i] }
      Self.rhs(t + h / 2, stage, &k2)
      for i in 0..<3 { stage[i] = y[i] + h / 2 * k2[i] }
      Self.rhs(t + h / 2, stage, &k3)
      for i in 0..<3 { stage[i] = y[i] + h * k3[i] }
      Self.rhs(t + h, stage, &k4)
      for i in 0..<3 { y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
      if (step + 1) % stepsPerDay == 0 { output += y }
    }
    return output
  }

  func testMatchesFineStepRungeKutta() throws {
    let days = (0...160).map(Double.init)
    let reference = rungeKutta(days: 160, stepsPerDay: 1000)
    let options = ODEOptions(relativeTolerance: 1e-9, absoluteTolerance: .scalar(1e-9))
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 3, method: method)
      let y = try solver.solve(from: 0, initial: [Self.N - 1, 1, 0], at: days, options: options,
                               rhs: Self.rhs)
      for (j, value) in y.enumerated() {
        XCTAssertLessThan(abs(value - reference[j]) / max(abs(reference[j]), 1), 1e-5,
                          "\(method): day \(j / 3), compartment \(j % 3)")
      }
    }
  }
}
