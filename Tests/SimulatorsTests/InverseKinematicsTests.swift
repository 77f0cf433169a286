import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// The kinematics forward model at hand-computed points, and its noise option.
final class InverseKinematicsTests: XCTestCase {
  func testForwardAtHandComputedPoints() {
    let task = InverseKinematics()
    let s3 = 3.0.squareRoot()
    let cases: [(x: [Double], y: [Double])] = [
      ([0, 0, 0, 0], [2, 0]),                                   // arm stretched horizontally
      ([0.3, 0, 0, 0], [2, 0.3]),                               // rail height shifts y_v only
      ([0, .pi / 2, 0, 0], [0, 2]),                             // arm straight up
      ([0, 0, .pi / 2, 0], [0.5, 1.5]),                         // elbow bent up
      ([0, 0, 0, .pi], [0, 0]),                                 // last segment folded back
      ([-0.2, -.pi / 2, 0, 0], [0, -2.2]),                      // straight down
      ([0.1, .pi / 6, .pi / 6, .pi / 6], [0.5 * s3 / 2 + 0.25, 0.1 + 0.25 + 0.5 * s3 / 2 + 1]),
      // y* = (1.5, 0): cumulative angles (a, −a, 0) with cos a = ½ and x₁ = 0 ...
      ([0, .pi / 3, -2 * .pi / 3, .pi / 3], [1.5, 0]),
      ([0, -.pi / 3, 2 * .pi / 3, -.pi / 3], [1.5, 0]),
      // ... or a straight first two segments and the last at 60°, lowered by √3/2.
      ([-s3 / 2, 0, 0, .pi / 3], [1.5, 0]),
      ([s3 / 2, 0, 0, -.pi / 3], [1.5, 0]),
    ]
    for (x, y) in cases {
      let g = task.forward(x)
      XCTAssertEqual(g[0], y[0], accuracy: 1e-14, "y_h at x = \(x)")
      XCTAssertEqual(g[1], y[1], accuracy: 1e-14, "y_v at x = \(x)")
      let e = InverseKinematics.endPoint(x[0], x[1], x[2], x[3])
      XCTAssertEqual([e.horizontal, e.vertical], g)
    }
  }

  func testNoiseFreeSimulationIsTheForwardModel() throws {
    let task = InverseKinematics()
    var rng = RandomStream(seed: 41)
    for _ in 0..<100 {
      let x = task.samplePrior(&rng)
      XCTAssertEqual(try task.simulate(x, &rng).values, task.forward(x))
    }
  }

  func testObservationNoise() throws {
    let task = InverseKinematics(noise: 0.05)
    let x = [0.1, 0.3, -0.2, 0.5]
    let g = task.forward(x)
    var rng = RandomStream(seed: 42)
    let ys = try (0..<100_000).map { _ in try task.simulate(x, &rng).values }
    Moments.check(ys, mean: g, variance: [0.0025, 0.0025], "y | x")
  }

  func testPriorLogDensity() throws {
    let task = InverseKinematics()
    let x = [0.1, -0.2, 0.3, 0.4]
    let sd = [0.25, 0.5, 0.5, 0.5]
    let expected = zip(x, sd).reduce(0.0) { $0 + log(standardNormalPDF($1.0 / $1.1) / $1.1) }
    XCTAssertEqual(try XCTUnwrap(task.priorLogDensity(x)), expected, accuracy: 1e-12)
  }
}
