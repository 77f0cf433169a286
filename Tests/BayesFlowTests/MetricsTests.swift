import XCTest
import BayesFlow
import Tensors

final class MetricsTests: XCTestCase {
  private func gaussian(_ n: Int, dimension d: Int, mean: Double = 0, sd: Double = 1, rng: inout RandomStream) -> [Double] {
    (0..<(n * d)).map { _ in mean + sd * rng.normal() }
  }

  /// The kernel at d = 0 is Σ a^a; the MMD V-statistic equals a naive triple sum; MMD²(X, X)
  /// is exactly 0; MMD² of X and X + δ grows with δ.
  func testMMDDefinitionSelfAndMonotoneShift() {
    XCTAssertEqual(InverseMultiquadricKernel.benchmark(0), 1 + 1 + (0.5).squareRoot(), accuracy: 1e-15)
    XCTAssertEqual(InverseMultiquadricKernel.starter(0), pow(0.1, 0.1) + (0.5).squareRoot() + 4, accuracy: 1e-14)
    var rng = RandomStream(seed: 31)
    let x = gaussian(60, dimension: 3, rng: &rng), y = gaussian(45, dimension: 3, mean: 0.3, rng: &rng)
    for kernel in [InverseMultiquadricKernel.benchmark, .starter] {
      func naive(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<(a.count / 3) { for j in 0..<(b.count / 3) {
          var d2 = 0.0
          for k in 0..<3 { d2 += (a[3 * i + k] - b[3 * j + k]) * (a[3 * i + k] - b[3 * j + k]) }
          s += kernel(d2)
        } }
        return s / Double(a.count / 3 * b.count / 3)
      }
      let expected = naive(x, x) + naive(y, y) - 2 * naive(x, y)
      XCTAssertEqual(maximumMeanDiscrepancySquared(x, y, dimension: 3, kernel: kernel), expected, accuracy: 1e-12 * abs(expected))
      XCTAssertEqual(maximumMeanDiscrepancySquared(x, x, dimension: 3, kernel: kernel), 0)
    }
    let base = gaussian(500, dimension: 2, rng: &rng)
    var previous = 0.0
    for delta in [0.1, 0.25, 0.5, 1, 2, 4] {
      let shifted = base.map { $0 + delta }
      let mmd = maximumMeanDiscrepancySquared(base, shifted, dimension: 2)
      XCTAssertGreaterThan(mmd, previous, "shift \(delta)")
      previous = mmd
    }
    let nested = maximumMeanDiscrepancySquared([[0, 0], [1, 0]], [[0, 1]])
    XCTAssertEqual(nested, maximumMeanDiscrepancySquared([0, 0, 1, 0], [0, 1], dimension: 2))
  }

  /// Statistic: mean 5-fold held-out accuracy. Null distribution when both samples come from
  /// N(0, I₂): centred at 0.5 with binomial SE √(0.25/4000) ≈ 0.008 (plus training noise); we
  /// accept 0.5 ± 0.05. A shift of 3 sd along one axis has Bayes accuracy Φ(1.5) = 0.933, and
  /// N(0, I₁₀) vs N(0, 0.3²·I₁₀) is separated almost perfectly by the radius: both must exceed 0.9.
  func testC2STSameAndDifferentDistributions() {
    var rng = RandomStream(seed: 41)
    let n = 2000
    let same = classifierTwoSampleTest(gaussian(n, dimension: 2, rng: &rng), gaussian(n, dimension: 2, rng: &rng), dimension: 2)
    XCTAssertEqual(same.accuracy, 0.5, accuracy: 0.05, "\(same)")
    let a = gaussian(n, dimension: 2, rng: &rng)
    var b = gaussian(n, dimension: 2, rng: &rng)
    for i in 0..<n { b[2 * i] += 3 }
    let shifted = classifierTwoSampleTest(a, b, dimension: 2)
    XCTAssertGreaterThan(shifted.accuracy, 0.9, "\(shifted)")
    XCTAssertLessThan(shifted.accuracy, 0.933 + 4 * (0.25 / Double(2 * n)).squareRoot(), "cannot beat the Bayes classifier")
    let narrow = classifierTwoSampleTest(gaussian(n, dimension: 10, rng: &rng), gaussian(n, dimension: 10, sd: 0.3, rng: &rng), dimension: 10)
    XCTAssertGreaterThan(narrow.accuracy, 0.9, "\(narrow)")
  }

  /// Seeded: the same seed gives the same folds and weights, whether folds run in parallel or not.
  func testC2STIsReproducibleAcrossThreading() {
    var rng = RandomStream(seed: 43)
    let x = gaussian(400, dimension: 3, rng: &rng), y = gaussian(400, dimension: 3, mean: 0.5, rng: &rng)
    var options = C2STOptions()
    options.maxEpochs = 5
    let parallel = classifierTwoSampleTest(x, y, dimension: 3, options: options)
    options.parallelFolds = false
    let serial = classifierTwoSampleTest(x, y, dimension: 3, options: options)
    XCTAssertEqual(parallel.foldAccuracies, serial.foldAccuracies)
    XCTAssertEqual(parallel.epochs, serial.epochs)
  }

  /// Re-simulation error of g(x) = 2x at draws {1, 3} against y* = 4 in 1-D: mean(|2 − 4|, |6 − 4|) = 2;
  /// in 2-D it is the Euclidean (not squared) distance.
  func testResimulationError() {
    XCTAssertEqual(resimulationError(draws: [[1], [3]], observation: [4]) { $0.map { 2 * $0 } }, 2)
    XCTAssertEqual(resimulationError(draws: [[0, 0]], observation: [3, 4]) { $0 }, 5)
  }
}
