import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

/// Statistical tests of trained flows (fixed seeds; tolerances from standard errors plus a
/// stated model-error allowance).
final class CouplingFlowTrainingTests: XCTestCase {
  /// The two-moons model of `testTwoMoonsSplineFlowNearsTheLongReferenceRun`.
  static let moonsConfiguration = CouplingFlowConfiguration(depth: 4, transform: .spline, subnet: .init(widths: [32, 32]))

  /// The held-out set: 10 000 points (its own seed).
  static func moonsTestSet() -> [Double] {
    var rng = RandomStream(seed: 1000)
    return twoMoons(10_000, rng: &rng)
  }

  static func trainMoons(steps: Int, learningRate: Double) -> CouplingFlow<Float> {
    var rng = RandomStream(seed: 1)
    let flow = CouplingFlow<Float>(dimension: 2, configuration: moonsConfiguration, rng: &rng)
    train(flow, steps: steps, batch: 256, learningRate: learningRate, seed: 2) { rng, n in (twoMoons(n, rng: &rng), nil) }
    return flow
  }

  /// A short run of the spline flow on two moons comes within 0.05 nats of the long reference
  /// run (`testTwoMoonsReferenceRun`) in mean held-out log-likelihood; and with these trained
  /// weights, inverse(forward(x)) = x to 1e-4 in Float on the held-out set.
  ///
  /// Reference, recorded 2026-11-29 on this repository's CI machine type with
  /// `OPENBLAS_NUM_THREADS=1 BAYESFLOW_REFERENCE_RUNS=1 swift test -c release --skip-build
  /// --filter CouplingFlowTrainingTests/testTwoMoonsReferenceRun` (40 000 steps, 610 s on a
  /// shared core): mean held-out log-likelihood −1.01020; the exact mean log-density of the
  /// held-out set is −1.00807 (so the reference is 0.002 nats from the truth). The short run
  /// gives −1.0363 (−1.0356 … −1.0389 with the seeds 1, 11, 21, 31), 0.026 nats below the reference.
  func testTwoMoonsSplineFlowNearsTheLongReferenceRun() {
    let reference = -1.01020
    let test = Self.moonsTestSet()
    let flow = Self.trainMoons(steps: 1500, learningRate: 2e-3)
    let ll = meanLogProb(flow, test)
    print("two moons: mean held-out log-likelihood \(ll) after 1500 steps (reference \(reference))")
    XCTAssertGreaterThan(ll, reference - 0.05)
    let g = Graph<Float>()
    let x = g.constant(test.prefix(2000).map { Float($0) }, shape: Shape(1000, 2))
    let back = flow.inverse(flow.forward(x, condition: nil).z, condition: nil).x.scalars
    XCTAssertLessThan(zip(x.scalars, back).map { abs($0 - $1) }.max()!, 1e-4)
  }

  /// The long reference run (not part of the suite; run it with
  /// `BAYESFLOW_REFERENCE_RUNS=1 swift test -c release --skip-build --filter CouplingFlowTrainingTests/testTwoMoonsReferenceRun`):
  /// the same model and data stream, 40 000 steps at learning rate 10⁻³.
  func testTwoMoonsReferenceRun() throws {
    try XCTSkipUnless(ProcessInfo.processInfo.environment["BAYESFLOW_REFERENCE_RUNS"] == "1", "long reference run")
    let test = Self.moonsTestSet()
    var exact = 0.0
    for i in 0..<10_000 { exact += twoMoonsLogDensity(test[2 * i], test[2 * i + 1]) }
    print("two moons: exact mean log-density of the held-out set \(exact / 10_000)")
    let start = Date()
    let flow = Self.trainMoons(steps: 40_000, learningRate: 1e-3)
    print("two moons reference: mean held-out log-likelihood \(meanLogProb(flow, test)) after 40000 steps,",
          "\(Date().timeIntervalSince(start)) s")
  }

  /// The density of a trained flow integrates to 1: midpoint rule on a 0.01 grid over
  /// [−4, 5] × [−3, 3.5] (the two-moons data lie in [−1.4, 2.4] × [−0.9, 1.4]). The flow is a
  /// bijection with an exact log-determinant, so the integral is 1 up to the quadrature error
  /// (h²/24·∫|∇²p| ≈ 10⁻⁴ for features of width 0.1) and the mass outside the grid.
  func testTrainedDensityIntegratesToOne() {
    for transform in CouplingFlowConfiguration.TransformKind.allCases {
      var rng = RandomStream(seed: 3)
      let flow = CouplingFlow<Float>(dimension: 2, configuration: CouplingFlowConfiguration(depth: 3, transform: transform,
                                                                                          subnet: .init(widths: [32, 32])), rng: &rng)
      train(flow, steps: 400, batch: 256, learningRate: 2e-3, seed: 4) { rng, n in (twoMoons(n, rng: &rng), nil) }
      let h = 0.01, nx = 900, ny = 650
      var grid = [Double](repeating: 0, count: 2 * nx * ny)
      for i in 0..<nx {
        for j in 0..<ny {
          grid[2 * (i * ny + j)] = -4 + (Double(i) + 0.5) * h
          grid[2 * (i * ny + j) + 1] = -3 + (Double(j) + 0.5) * h
        }
      }
      let mass = densitySum(flow, grid) * h * h
      print("∫ p of the \(transform) flow: \(mass)")
      XCTAssertEqual(mass, 1, accuracy: 0.01, "\(transform): ∫ p = \(mass)")
    }
  }

  /// Σ exp(log p) over the rows of `points`.
  func densitySum(_ flow: CouplingFlow<Float>, _ points: [Double]) -> Double {
    let graph = Graph<Float>(), chunk = 16_384, n = points.count / 2
    var total = 0.0
    for start in stride(from: 0, to: n, by: chunk) {
      let rows = min(chunk, n - start)
      graph.reset()
      let t = graph.constant(points[(2 * start)..<(2 * (start + rows))].map { Float($0) }, shape: Shape(rows, 2))
      for v in flow.logProb(t, condition: nil).scalars { total += Foundation.exp(Double(v)) }
    }
    return total
  }

  /// θ | c ~ 𝒩(Ac, Σ) with θ ∈ ℝ³, c ~ 𝒩(0, I₂): after training an affine flow, 20 000 draws for
  /// each of three conditions have the right mean and covariance.
  ///
  /// Tolerances: 4 standard errors of the sample statistic (mean: √(Σᵢᵢ/n); covariance:
  /// √((ΣᵢᵢΣⱼⱼ + Σᵢⱼ²)/n), the normal-theory SE), plus a model-error allowance of 0.1
  /// posterior sd for means and 0.1·√(ΣᵢᵢΣⱼⱼ) for covariances (a short run of a small flow is
  /// not exact; the held-out KL bound below measures how far it is).
  func testConditionalGaussianMeanAndCovariance() {
    let a: [[Double]] = [[1, -0.5], [0.5, 1], [-1, 0.25]]
    let l: [[Double]] = [[0.5, 0, 0], [0.3, 0.4, 0], [-0.2, 0.1, 0.3]]  // Σ = LLᵀ
    var sigma = [[Double]](repeating: [0, 0, 0], count: 3)
    for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { sigma[i][j] += l[i][k] * l[j][k] } } }
    func draw(_ rng: inout RandomStream, _ n: Int) -> (theta: [Double], condition: [Double]?) {
      var theta = [Double](repeating: 0, count: 3 * n), c = [Double](repeating: 0, count: 2 * n)
      for r in 0..<n {
        c[2 * r] = rng.normal()
        c[2 * r + 1] = rng.normal()
        let e = (rng.normal(), rng.normal(), rng.normal())
        for i in 0..<3 {
          theta[3 * r + i] = a[i][0] * c[2 * r] + a[i][1] * c[2 * r + 1] + l[i][0] * e.0 + l[i][1] * e.1 + l[i][2] * e.2
        }
      }
      return (theta, c)
    }
    var rng = RandomStream(seed: 5)
    let flow = CouplingFlow<Float>(dimension: 3, conditionDimension: 2,
                                   configuration: CouplingFlowConfiguration(depth: 4, subnet: .init(widths: [32, 32])), rng: &rng)
    train(flow, steps: 1500, batch: 256, learningRate: 2e-3, seed: 6, data: draw)

    // Held-out KL(p ‖ q) = E[log p(θ|c) − log q(θ|c)], with E[log p] = −½ log det(2πeΣ).
    var heldOut = RandomStream(seed: 7)
    let (theta, c) = draw(&heldOut, 20_000)
    let det = sigma[0][0] * (sigma[1][1] * sigma[2][2] - sigma[1][2] * sigma[2][1])
      - sigma[0][1] * (sigma[1][0] * sigma[2][2] - sigma[1][2] * sigma[2][0])
      + sigma[0][2] * (sigma[1][0] * sigma[2][1] - sigma[1][1] * sigma[2][0])
    let entropy = 0.5 * Foundation.log(det * Foundation.pow(2 * Double.pi * M_E, 3))
    let kl = -entropy - meanLogProb(flow, theta, conditions: c!)
    print("conditional Gaussian: held-out KL ≈ \(kl) nats")
    XCTAssertLessThan(kl, 0.05, "held-out KL estimate")

    let conditions: [Double] = [0, 0, 1, -1, -1.5, 0.5], n = 20_000
    var sampler = RandomStream(seed: 8)
    let samples = flow.sample(count: n, conditions: conditions.map { Float($0) }, rng: &sampler)
    for m in 0..<3 {
      let rows = (0..<n).map { r in (0..<3).map { Double(samples[(m * n + r) * 3 + $0]) } }
      let mean = (0..<3).map { i in rows.reduce(0) { $0 + $1[i] } / Double(n) }
      for i in 0..<3 {
        let truth = a[i][0] * conditions[2 * m] + a[i][1] * conditions[2 * m + 1], sd = sigma[i][i].squareRoot()
        XCTAssertEqual(mean[i], truth, accuracy: 4 * sd / Double(n).squareRoot() + 0.1 * sd, "condition \(m) mean[\(i)]")
        for j in 0...i {
          let cov = rows.reduce(0) { $0 + ($1[i] - mean[i]) * ($1[j] - mean[j]) } / Double(n - 1)
          let se = ((sigma[i][i] * sigma[j][j] + sigma[i][j] * sigma[i][j]) / Double(n)).squareRoot()
          XCTAssertEqual(cov, sigma[i][j], accuracy: 4 * se + 0.1 * (sigma[i][i] * sigma[j][j]).squareRoot(),
                         "condition \(m) cov[\(i)][\(j)]")
        }
      }
    }
  }

  /// D = 1 learns through its special coupling paths: (a) conditional, the affine parameters
  /// come from c alone: θ | c ~ 𝒩(2c, 0.5²); (b) unconditional without ActNorm or permutation,
  /// so only the learned-constant spline can fit: θ = e^{0.5z} (log-normal). Held-out KL
  /// estimates E[log p − log q] (exact entropies: ½ log(2πe·0.25) and ½ + log(0.5·√(2π)))
  /// stay below 0.05 nats (their standard errors are < 0.01 with 20 000 points).
  func testDimensionOneFlowsLearn() {
    var rng = RandomStream(seed: 9)
    let conditional = CouplingFlow<Float>(dimension: 1, conditionDimension: 1,
                                          configuration: CouplingFlowConfiguration(depth: 2, subnet: .init(widths: [16])), rng: &rng)
    func gaussian(_ rng: inout RandomStream, _ n: Int) -> (theta: [Double], condition: [Double]?) {
      let c = (0..<n).map { _ in rng.normal() }
      return (c.map { 2 * $0 + 0.5 * rng.normal() }, c)
    }
    train(conditional, steps: 600, batch: 256, learningRate: 3e-3, seed: 10, data: gaussian)
    var heldOut = RandomStream(seed: 11)
    let (theta, c) = gaussian(&heldOut, 20_000)
    let klGaussian = -0.5 * Foundation.log(2 * Double.pi * M_E * 0.25) - meanLogProb(conditional, theta, conditions: c!)
    XCTAssertLessThan(klGaussian, 0.05, "conditional D = 1")

    let plain = CouplingFlow<Float>(dimension: 1, configuration: CouplingFlowConfiguration(depth: 2, transform: .spline, permutation: .none,
                                                                                           actnorm: false), rng: &rng)
    func logNormal(_ rng: inout RandomStream, _ n: Int) -> (theta: [Double], condition: [Double]?) {
      ((0..<n).map { _ in Foundation.exp(0.5 * rng.normal()) }, nil)
    }
    train(plain, steps: 800, batch: 256, learningRate: 1e-2, seed: 12, data: logNormal)
    let sample = logNormal(&heldOut, 20_000).theta
    let klLogNormal = -(0.5 + Foundation.log(0.5 * (2 * Double.pi).squareRoot())) - meanLogProb(plain, sample)
    print("D = 1: held-out KL \(klGaussian) (conditional affine), \(klLogNormal) (unconditional spline)")
    XCTAssertLessThan(klLogNormal, 0.05, "unconditional D = 1")
  }
}
