import XCTest
import Foundation
import BayesFlow
import Tensors

final class StandardizerTests: XCTestCase {
  func batch(_ thetas: [[Double]], _ ys: [[Float]], rows: Int = 1, lengths: [Int32]? = nil) -> SimulationBatch {
    var b = SimulationBatch(parameterCount: thetas[0].count, rows: rows, width: ys[0].count / rows)
    b.parameters = thetas.flatMap { $0 }
    b.observations = ys.flatMap { $0 }
    b.lengths = lengths ?? [Int32](repeating: Int32(rows), count: thetas.count)
    b.indices = Array(0..<thetas.count)
    return b
  }

  func testRoundTripAndStatistics() {
    var rng = RandomStream(seed: 1)
    let supports: [ParameterSupport] = [.real, .positive, .interval(lower: -2, upper: 3)]
    let thetas = (0..<5000).map { _ in [rng.normal(mean: 4, sd: 2), exp(rng.normal()), rng.uniform(-2, 3)] }
    let s = Standardizer(fitting: batch(thetas, thetas.map { _ in [Float(rng.normal(mean: 100, sd: 10))] }),
                         supports: supports, observationTransform: .none)
    XCTAssertEqual(s.parameterMean[0], 4, accuracy: 5 * 2 / 5000.0.squareRoot())
    XCTAssertEqual(s.parameterScale[1], 1, accuracy: 0.05)
    XCTAssertEqual(s.observationMean[0], 100, accuracy: 5 * 10 / 5000.0.squareRoot())
    let flat = thetas.prefix(10).flatMap { $0 }
    var u = [Float](repeating: 0, count: flat.count), back = [Double](repeating: 0, count: flat.count)
    flat.withUnsafeBufferPointer { t in u.withUnsafeMutableBufferPointer { s.standardizeParameters(t, into: $0) } }
    u.withUnsafeBufferPointer { ub in back.withUnsafeMutableBufferPointer { s.unstandardizeParameters(ub, into: $0) } }
    for (a, b) in zip(flat, back) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(a))) }
  }

  /// The density of θ obtained from a standard normal density on u, with the Jacobian of the
  /// maps, integrates to 1 over the original (bounded or positive) space.
  func testJacobianMakesDensitiesIntegrateToOne() {
    for support in [ParameterSupport.positive, .interval(lower: -2, upper: 3), .real] {
      let s = Standardizer(supports: [support], parameterMean: [0.3], parameterScale: [0.7],
                           observationTransform: .none, observationMean: [0], observationScale: [1])
      // Integrate p(θ) = φ(u(θ))·|du/dθ| with the midpoint rule on a fine grid.
      let (lo, hi): (Double, Double) = {
        switch support {
        case .positive: return (1e-9, 60)
        case let .interval(a, b): return (a, b)
        case .real: return (-10, 10)
        }
      }()
      let n = 400_000
      let h = (hi - lo) / Double(n)
      var total = 0.0
      for i in 0..<n {
        let theta = lo + (Double(i) + 0.5) * h
        let u = (Standardizer.toUnbounded(theta, support) - 0.3) / 0.7
        total += exp(-0.5 * u * u) / (2 * Double.pi).squareRoot() * exp(s.logJacobian([theta][...])) * h
      }
      XCTAssertEqual(total, 1, accuracy: 1e-3, "\(support)")
    }
  }

  func testObservationsPerChannelWithPaddingAndLog1p() {
    // Two series of 3 rows × 2 channels; the second has length 2 (its last row is padding).
    let ys: [[Float]] = [[1, 10, 2, 20, 3, 30], [4, 40, 5, 50, 999, 999]]
    let b = batch([[0], [1]], ys, rows: 3, lengths: [3, 2])
    let s = Standardizer(fitting: b, supports: [.real], observationTransform: .none)
    XCTAssertEqual(s.observationMean, [3, 30])  // over the 5 valid rows, padding excluded
    var y = b.observations
    y.withUnsafeMutableBufferPointer { yb in b.lengths.withUnsafeBufferPointer { s.standardizeObservations(yb, lengths: $0, rows: 3) } }
    XCTAssertEqual(y[10], 0)
    XCTAssertEqual(y[11], 0)
    XCTAssertEqual(Double(y[0]), (1 - 3) / s.observationScale[0], accuracy: 1e-6)
    let l = Standardizer(fitting: b, supports: [.real], observationTransform: .log1p)
    XCTAssertEqual(l.observationMean[0], [1, 2, 3, 4, 5].map { log1p(Double($0)) }.reduce(0, +) / 5, accuracy: 1e-9)
  }
}
