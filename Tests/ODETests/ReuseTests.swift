import ODE
import XCTest

/// One solver serves many simulations: a solve depends only on its arguments.
final class ReuseTests: XCTestCase {
  /// Lotka–Volterra x′ = αx − βxy, y′ = δxy − γy from (30, 1) with α = 0.6, β = 0.025,
  /// γ = 0.8, δ = 0.025, at t = 0, 0.5, …, 20.
  static func lotkaVolterra(_ solver: ODESolver, α: Double = 0.6) throws -> [Double] {
    let times = (0...40).map { Double($0) / 2 }
    return try solver.solve(from: 0, initial: [30, 1], at: times,
                            options: ODEOptions(relativeTolerance: 1e-7)) { _, y, dy in
      dy[0] = α * y[0] - 0.025 * y[0] * y[1]
      dy[1] = 0.025 * y[0] * y[1] - 0.8 * y[1]
    }
  }

  /// Solve A; then a different problem, a different tolerance and a failed solve; then A
  /// again: bit-identical to the first A and to A on a fresh solver, for both methods.
  func testRepeatedSolveIsBitIdentical() throws {
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 2, method: method)
      let first = try Self.lotkaVolterra(solver)
      _ = try Self.lotkaVolterra(solver, α: 1.1)
      _ = try solver.solve(from: 5, initial: [1, 2], at: [6, 9],
                           options: ODEOptions(relativeTolerance: 1e-3,
                                               absoluteTolerance: .perComponent([1e-3, 1e-9]),
                                               maxStepSize: 0.1, initialStepSize: 1e-4,
                                               maxOrder: 2)) { _, y, dy in
        dy[0] = -y[1]
        dy[1] = y[0]
      }
      XCTAssertThrowsError(try Self.lotkaVolterra(solver, α: 1e4))
      let again = try Self.lotkaVolterra(solver)
      let fresh = try Self.lotkaVolterra(ODESolver(dimension: 2, method: method))
      XCTAssertEqual(again, first, "\(method): same solver")
      XCTAssertEqual(fresh, first, "\(method): fresh solver")
    }
  }

  /// Solvers on separate threads do not interfere: each thread's results equal a serial run.
  func testSolversOnSeparateThreads() throws {
    let serial = try Self.lotkaVolterra(ODESolver(dimension: 2, method: .adams))
    // Each thread writes only its own element.
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: 4)
    results.initialize(repeating: [])
    defer { results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 4) { i in
      let solver = ODESolver(dimension: 2, method: .adams)
      var last: [Double] = []
      for _ in 0..<50 { last = (try? ReuseTests.lotkaVolterra(solver)) ?? [] }
      results[i] = last
    }
    for i in 0..<4 { XCTAssertEqual(results[i], serial, "thread \(i)") }
  }
}
