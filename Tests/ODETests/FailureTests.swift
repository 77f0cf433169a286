import ODE
import XCTest

/// Failed solves throw `ODEError` with the time reached and leave the solver usable.
final class FailureTests: XCTestCase {
  struct Overflow: Error {}

  /// y′ = −y from 1, solved on [0, 1]; the solver must give e^{−1} after any failure.
  func assertStillSolves(_ solver: ODESolver, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(solver.dimension, 1)
    let options = ODEOptions(relativeTolerance: 1e-10, absoluteTolerance: .scalar(1e-14))
    let y = try? solver.solve(from: 0, initial: [1], at: [1], options: options) { _, y, dy in
      dy[0] = -y[0]
    }
    XCTAssertEqual(y?[0] ?? .nan, exp(-1), accuracy: 1e-9, "solver unusable", file: file, line: line)
  }

  /// Robertson with Adams (stiff) and with BDF, both under a budget of 50 steps to t = 4·10⁵.
  func testTooFewStepsIsTooMuchWork() {
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 3, method: method)
      let options = ODEOptions(relativeTolerance: 1e-6, maxSteps: 50)
      XCTAssertThrowsError(try solver.solve(from: 0, initial: [1, 0, 0], at: [4e5],
                                            options: options, rhs: RobertsonTests.rhs)) { error in
        guard case let .tooMuchWork(t, maxSteps)? = error as? ODEError else {
          return XCTFail("\(method): expected tooMuchWork, got \(error)")
        }
        XCTAssertEqual(maxSteps, 50)
        XCTAssertGreaterThan(t, 0)
        XCTAssertLessThan(t, 4e5)
        XCTAssertEqual((error as? ODEError)?.flag, "CV_TOO_MUCH_WORK")
        XCTAssertTrue("\(error)".contains("CV_TOO_MUCH_WORK"), "\(error)")
      }
      XCTAssertEqual(solver.statistics.steps, 50)
    }
  }

  /// An RHS that throws once y > 2 (y′ = y from 1, so at t ≈ ln 2) fails the solve with
  /// `rhsFailure` carrying the thrown error, at a time before the failure, after few steps;
  /// one that throws at once fails at t₀.
  func testThrowingRHSIsRHSFailure() {
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 1, method: method)
      XCTAssertThrowsError(try solver.solve(from: 0, initial: [1], at: [1, 2]) { _, y, dy in
        if y[0] > 2 { throw Overflow() }
        dy[0] = y[0]
      }) { error in
        guard case let .rhsFailure(t, flag, underlying)? = error as? ODEError else {
          return XCTFail("\(method): expected rhsFailure, got \(error)")
        }
        XCTAssertTrue(underlying is Overflow)
        XCTAssertEqual(flag, method == .bdf ? "CV_RHSFUNC_FAIL" : "CV_CONV_FAILURE")
        XCTAssertGreaterThan(t, 0.5, "\(method)")
        XCTAssertLessThanOrEqual(t, log(2), "\(method)")
      }
      XCTAssertLessThan(solver.statistics.steps, 200, "\(method)")
      XCTAssertThrowsError(try solver.solve(from: 3, initial: [1], at: [4]) { _, _, _ in
        throw Overflow()
      }) { error in
        guard case let .rhsFailure(t, flag, _)? = error as? ODEError else {
          return XCTFail("\(method): expected rhsFailure, got \(error)")
        }
        XCTAssertEqual(t, 3)
        XCTAssertEqual(flag, "CV_RHSFUNC_FAIL")
      }
      assertStillSolves(solver)
    }
  }

  /// A throwing Jacobian fails a BDF solve with `jacobianFailure`.
  func testThrowingJacobianIsJacobianFailure() {
    let solver = ODESolver(dimension: 3, method: .bdf)
    XCTAssertThrowsError(try solver.solve(from: 0, initial: [1, 0, 0], at: [40],
                                          jacobian: { _, _, _ in throw Overflow() },
                                          rhs: RobertsonTests.rhs)) { error in
      guard case let .jacobianFailure(t, _, underlying)? = error as? ODEError else {
        return XCTFail("expected jacobianFailure, got \(error)")
      }
      XCTAssertTrue(underlying is Overflow)
      XCTAssertLessThan(t, 40)
    }
  }

  /// y′ = y² from 1 blows up at t = 1 (y = 1/(1 − t)): integrating to t = 2 fails before t = 1.
  func testBlowUpFails() {
    for method in [ODEMethod.bdf, .adams] {
      let solver = ODESolver(dimension: 1, method: method)
      XCTAssertThrowsError(try solver.solve(from: 0, initial: [1], at: [0.5, 2]) { _, y, dy in
        dy[0] = y[0] * y[0]
      }) { error in
        guard let error = error as? ODEError, let t = error.t else {
          return XCTFail("\(method): expected an ODEError with a time, got \(error)")
        }
        XCTAssertGreaterThan(t, 0.5, "\(method): \(error)")
        XCTAssertLessThan(t, 1, "\(method): \(error)")
      }
      assertStillSolves(solver)
    }
  }

  /// Arguments that cannot describe a solve throw `illegalInput` before integrating.
  func testIllegalInput() {
    let bdf = ODESolver(dimension: 1, method: .bdf)
    let adams = ODESolver(dimension: 1, method: .adams)
    func decay(_ t: Double, _ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) {
      dy[0] = -y[0]
    }
    let cases: [(String, () throws -> Void)] = [
      ("times before t₀", { _ = try bdf.solve(from: 1, initial: [1], at: [0.5, 2], rhs: decay) }),
      ("decreasing times", { _ = try bdf.solve(from: 0, initial: [1], at: [2, 1], rhs: decay) }),
      ("NaN time", { _ = try bdf.solve(from: 0, initial: [1], at: [.nan], rhs: decay) }),
      ("y₀ count", { _ = try bdf.solve(from: 0, initial: [1, 2], at: [1], rhs: decay) }),
      ("y₀ infinite", { _ = try bdf.solve(from: 0, initial: [.infinity], at: [1], rhs: decay) }),
      ("output size", {
        var output = [Double](repeating: 0, count: 3)
        try output.withUnsafeMutableBufferPointer {
          try bdf.solve(from: 0, initial: [1], at: [1, 2], into: $0, rhs: decay)
        }
      }),
      ("negative rtol", {
        _ = try bdf.solve(from: 0, initial: [1], at: [1],
                          options: ODEOptions(relativeTolerance: -1), rhs: decay)
      }),
      ("atol count", {
        _ = try bdf.solve(from: 0, initial: [1], at: [1],
                          options: ODEOptions(absoluteTolerance: .perComponent([1, 1])),
                          rhs: decay)
      }),
      ("maxSteps 0", {
        _ = try bdf.solve(from: 0, initial: [1], at: [1], options: ODEOptions(maxSteps: 0),
                          rhs: decay)
      }),
      ("BDF order 6", {
        _ = try bdf.solve(from: 0, initial: [1], at: [1], options: ODEOptions(maxOrder: 6),
                          rhs: decay)
      }),
      ("Jacobian with Adams", {
        _ = try adams.solve(from: 0, initial: [1], at: [1], jacobian: { _, _, J in J[0] = -1 },
                            rhs: decay)
      }),
      ("zero tolerances at y = 0", {
        _ = try bdf.solve(from: 0, initial: [0], at: [1],
                          options: ODEOptions(absoluteTolerance: .scalar(0)), rhs: decay)
      }),
    ]
    for (name, solve) in cases {
      XCTAssertThrowsError(try solve(), name) { error in
        guard case .illegalInput? = error as? ODEError else {
          return XCTFail("\(name): expected illegalInput, got \(error)")
        }
      }
    }
    assertStillSolves(bdf)
    assertStillSolves(adams)
  }
}
