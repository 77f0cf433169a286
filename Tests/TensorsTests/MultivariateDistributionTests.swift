import Foundation
import Tensors
import XCTest

/// MultivariateNormal and Cholesky: sample mean and covariance of 10⁵ draws within 5 standard
/// errors (for Gaussian draws Var(sᵢⱼ) ≈ (ΣᵢᵢΣⱼⱼ + Σᵢⱼ²)/n), log-density against mpmath and
/// against an explicit 3×3 inverse, factor and error cases.
final class MultivariateDistributionTests: XCTestCase {
  let mean = [1.0, -2, 0.5]
  let covariance: [[Double]] = [[2, 0.6, -0.4], [0.6, 1, 0.3], [-0.4, 0.3, 0.5]]

  func testSampleMomentsMatch() throws {
    let d = try MultivariateNormal(mean: mean, covariance: covariance)
    var rng = RandomStream(seed: 200)
    let n = 100_000
    let xs = d.sample(&rng, count: n)
    let nd = Double(n)
    var m = [0.0, 0, 0]
    for x in xs { for i in 0..<3 { m[i] += x[i] / nd } }
    for i in 0..<3 {
      let z = (m[i] - mean[i]) / (covariance[i][i] / nd).squareRoot()
      XCTAssertLessThan(abs(z), 5, "mean[\(i)] is \(z) SE off")
    }
    for i in 0..<3 {
      for j in 0...i {
        let s = xs.reduce(0) { $0 + ($1[i] - m[i]) * ($1[j] - m[j]) } / (nd - 1)
        let se = ((covariance[i][i] * covariance[j][j] + covariance[i][j] * covariance[i][j]) / nd).squareRoot()
        let z = (s - covariance[i][j]) / se
        XCTAssertLessThan(abs(z), 5, "covariance[\(i)][\(j)] = \(s) is \(z) SE off")
      }
    }
    // A variance 5% off must be detected: 0.1 against SE √(2·Σ₀₀²/n) ≈ 0.009, ≈ 11 SE.
    let s00 = xs.reduce(0) { $0 + ($1[0] - m[0]) * ($1[0] - m[0]) } / (nd - 1)
    XCTAssertGreaterThan(abs(s00 - 1.05 * covariance[0][0]) / ((2 * 4 / nd).squareRoot()), 5)
  }

  /// mpmath: −½(3 log 2π + log det Σ + dᵀΣ⁻¹d) with mp.inverse and mp.det.
  func testLogDensity() throws {
    let d = try MultivariateNormal(mean: mean, covariance: covariance)
    let points: [([Double], Double)] = [
      ([1, -2, 0.5], -2.2114935401045517),
      ([0.3, -1.2, 1.4], -3.0997375877235993),
      ([4, 0, -1], -10.425779254390266),
    ]
    for (x, ref) in points {
      assertRelative(d.logDensity(x), ref, 1e-12, "logDensity(\(x))")
      assertRelative(d.logDensity(x), explicitLogDensity(x), 1e-12, "closed form at \(x)")
    }
  }

  /// The Gaussian log-density with Σ⁻¹ = adj(Σ)/det Σ by cofactors.
  func explicitLogDensity(_ x: [Double]) -> Double {
    let s = covariance
    func cofactor(_ i: Int, _ j: Int) -> Double {
      let r = [0, 1, 2].filter { $0 != i }, c = [0, 1, 2].filter { $0 != j }
      let minor = s[r[0]][c[0]] * s[r[1]][c[1]] - s[r[0]][c[1]] * s[r[1]][c[0]]
      return (i + j) % 2 == 0 ? minor : -minor
    }
    let det = (0..<3).reduce(0) { $0 + s[0][$1] * cofactor(0, $1) }
    let diff = (0..<3).map { x[$0] - mean[$0] }
    var q = 0.0
    for i in 0..<3 { for j in 0..<3 { q += diff[i] * cofactor(j, i) / det * diff[j] } }
    return -0.5 * (3 * log(2 * Double.pi) + log(det) + q)
  }

  func testSampleIntoBufferMatchesSample() throws {
    let d = try MultivariateNormal(mean: mean, covariance: covariance)
    var a = RandomStream(seed: 201), b = RandomStream(seed: 201)
    var buffer = [Double](repeating: 0, count: 3)
    buffer.withUnsafeMutableBufferPointer { d.sample(&a, into: $0) }
    XCTAssertEqual(buffer, d.sample(&b))
  }

  func testCholeskyFactor() throws {
    let c = try Cholesky(covariance)
    // mpmath.cholesky.
    let expected = [1.4142135623730951, 0, 0,
                    0.4242640687119285, 0.9055385138137417, 0,
                    -0.28284271247461906, 0.46381240951435547, 0.45263456427949447]
    for (value, ref) in zip(c.lower, expected) { XCTAssertEqual(value, ref, accuracy: 1e-15) }
    assertRelative(c.logDeterminant, log(0.336), 1e-14)
    // L Lᵀ reproduces the matrix.
    for i in 0..<3 {
      for j in 0..<3 {
        let v = (0..<3).reduce(0) { $0 + c.lower[i * 3 + $1] * c.lower[j * 3 + $1] }
        XCTAssertEqual(v, covariance[i][j], accuracy: 1e-15)
      }
    }
  }

  func testInvalidCovariancesThrow() {
    XCTAssertThrowsError(try Cholesky([[1, 2], [2, 1]])) { error in
      XCTAssertEqual(error as? DistributionError, .notPositiveDefinite(column: 1, pivot: -3))
    }
    XCTAssertThrowsError(try MultivariateNormal(mean: [0, 0], covariance: [[1, 0.5], [0.4, 1]]))
    XCTAssertThrowsError(try MultivariateNormal(mean: [0, 0], covariance: [[1, 0], [0, 1], [0, 0]]))
    XCTAssertThrowsError(try MultivariateNormal(mean: [0, 0, 0], covariance: [[1, 0], [0, 1]]))
    XCTAssertThrowsError(try MultivariateNormal(mean: [0, .nan], covariance: [[1, 0], [0, 1]]))
    XCTAssertThrowsError(try MultivariateNormal(mean: [0, 0], covariance: [[0, 0], [0, 1]]))
  }
}
