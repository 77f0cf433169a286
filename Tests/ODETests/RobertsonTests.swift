import ODE
import XCTest

/// Robertson's stiff chemical kinetics (the SUNDIALS example cvRoberts_dns):
///
///     y₁′ = −0.04·y₁ + 10⁴·y₂·y₃
///     y₂′ =  0.04·y₁ − 10⁴·y₂·y₃ − 3·10⁷·y₂²
///     y₃′ =  3·10⁷·y₂²,                 y(0) = (1, 0, 0).
///
/// Reference values: scipy 1.17 `solve_ivp` Radau, rtol 1e-13, atol (1e-20, 1e-24, 1e-20),
/// analytic Jacobian; LSODA and BDF at rtol 1e-12 agree to 1e-9 relative. (The values printed
/// by cvRoberts_dns are its own rtol = 1e-4 solution; in SUNDIALS 6.4.1 they differ from these
/// by up to 5e-4 relative, e.g. y₃(0.4) = 1.480205e-02, so they are not used as references.)
final class RobertsonTests: XCTestCase {
  static let times = [0.4, 4, 40, 400, 4e3, 4e4, 4e5]
  static let reference: [[Double]] = [
    [9.8517211386e-01, 3.3863953790e-05, 1.4794022185e-02],
    [9.0551867858e-01, 2.2404756876e-05, 9.4458916659e-02],
    [7.1582706872e-01, 9.1855347646e-06, 2.8416374575e-01],
    [4.5051866847e-01, 3.2229014417e-06, 5.4947810863e-01],
    [1.8320225778e-01, 8.9423712528e-07, 8.1679684799e-01],
    [3.8983377085e-02, 1.6217683159e-07, 9.6101646074e-01],
    [4.9382745210e-03, 1.9849940880e-08, 9.9506170563e-01],
  ]

  static func rhs(_ t: Double, _ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) {
    dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
    dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1]
    dy[2] = 3e7 * y[1] * y[1]
  }

  /// ∂f/∂y, column-major: J[i + 3j] = ∂fᵢ/∂yⱼ.
  static func jacobian(_ t: Double, _ y: UnsafePointer<Double>, _ J: UnsafeMutablePointer<Double>) {
    J[0] = -0.04; J[1] = 0.04; J[2] = 0
    J[3] = 1e4 * y[2]; J[4] = -1e4 * y[2] - 6e7 * y[1]; J[5] = 6e7 * y[1]
    J[6] = 1e4 * y[1]; J[7] = -1e4 * y[1]; J[8] = 0
  }

  /// Largest relative error of all components at all reference times.
  func maxRelativeError(_ y: [Double]) -> Double {
    var worst = 0.0
    for (k, row) in Self.reference.enumerated() {
      for i in 0..<3 { worst = max(worst, abs(y[3 * k + i] - row[i]) / row[i]) }
    }
    return worst
  }

  /// BDF with difference-quotient and with analytic Jacobians, rtol 1e-8, per-component atol
  /// scaled to each species: every component within 1e-6 relative of the reference, t ≤ 4·10⁵.
  func testBDFMatchesReference() throws {
    let solver = ODESolver(dimension: 3, method: .bdf)
    let options = ODEOptions(relativeTolerance: 1e-8,
                             absoluteTolerance: .perComponent([1e-14, 1e-20, 1e-14]),
                             maxSteps: 5_000)
    let difference = try solver.solve(from: 0, initial: [1, 0, 0], at: Self.times,
                                      options: options, rhs: Self.rhs)
    let differenceStatistics = solver.statistics
    let analytic = try solver.solve(from: 0, initial: [1, 0, 0], at: Self.times,
                                    options: options, jacobian: Self.jacobian, rhs: Self.rhs)
    let analyticStatistics = solver.statistics

    XCTAssertLessThan(maxRelativeError(difference), 1e-6)
    XCTAssertLessThan(maxRelativeError(analytic), 1e-6)
    XCTAssertGreaterThan(differenceStatistics.jacobianRHSEvaluations, 0)
    XCTAssertEqual(analyticStatistics.jacobianRHSEvaluations, 0)
    XCTAssertGreaterThan(analyticStatistics.jacobianEvaluations, 0)
    XCTAssertGreaterThanOrEqual(analyticStatistics.rhsEvaluations, analyticStatistics.steps)
  }

  /// The settings of cvRoberts_dns (rtol 1e-4, atol (1e-8, 1e-14, 1e-6), analytic Jacobian):
  /// within 1e-3 relative of the reference, in few steps (the example needs 542 to 4·10¹⁰;
  /// an explicit method would need ~10⁵ here). The largest of the printed values' own errors is
  /// 5e-4.
  func testCVRobertsSettings() throws {
    let solver = ODESolver(dimension: 3, method: .bdf)
    let options = ODEOptions(relativeTolerance: 1e-4,
                             absoluteTolerance: .perComponent([1e-8, 1e-14, 1e-6]))
    let y = try solver.solve(from: 0, initial: [1, 0, 0], at: Self.times, options: options,
                             jacobian: Self.jacobian, rhs: Self.rhs)
    XCTAssertLessThan(maxRelativeError(y), 1e-3)
    XCTAssertLessThan(solver.statistics.steps, 1_000)
  }
}
