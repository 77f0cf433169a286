import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// The closed-form sbibm tasks: simulator moments at fixed θ, constants, exact posteriors.
final class BenchmarkTaskTests: XCTestCase {
  // MARK: gaussian_linear_uniform

  func testGaussianLinearUniformSimulatorMoments() throws {
    let task = GaussianLinearUniform()
    let theta = [0.3, -0.5, 0.9, -0.99, 0, 0.1, 0.2, -0.3, 0.7, -0.8]
    var rng = RandomStream(seed: 21)
    let xs = try (0..<100_000).map { _ in try task.simulate(theta, &rng).values }
    Moments.check(xs, mean: theta, variance: [Double](repeating: 0.1, count: 10), "x | θ")
  }

  /// Each posterior coordinate is N(xᵢ, 0.1) truncated to [−1, 1]; its mean and variance
  /// are computed here by Simpson quadrature, independently of `TruncatedNormal`.
  func testGaussianLinearUniformPosteriorSampler() throws {
    let task = GaussianLinearUniform()
    let x = [0.9, -1.2, 0, 1.5, -0.4, 2.5, 0.05, -0.95, 0.6, -3]
    var rng = RandomStream(seed: 22)
    let draws = task.samplePosterior(x, count: 100_000, &rng)
    XCTAssertTrue(draws.allSatisfy { $0.allSatisfy { abs($0) <= 1 } })
    let sd = 0.1.squareRoot()
    var means: [Double] = [], variances: [Double] = []
    for xi in x {
      let n = 20_000, h = 2 / Double(n)
      var m0 = 0.0, m1 = 0.0, m2 = 0.0
      for k in 0...n {
        let t = -1 + Double(k) * h
        let w = (k == 0 || k == n) ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
        let p = w * standardNormalPDF((t - xi) / sd)
        m0 += p; m1 += p * t; m2 += p * t * t
      }
      means.append(m1 / m0)
      variances.append(m2 / m0 - (m1 / m0) * (m1 / m0))
    }
    Moments.check(draws, mean: means, variance: variances, "θ | x")
    // The closed-form log density agrees with the quadrature normaliser at one point.
    let theta = [0.5, -0.9, 0, 0.99, -0.4, 0.9, 0, -0.9, 0.6, -0.99]
    var expected = 0.0
    for (t, xi) in zip(theta, x) {
      let mass = standardNormalMass((-1 - xi) / sd, (1 - xi) / sd)
      expected += log(standardNormalPDF((t - xi) / sd) / sd / mass)
    }
    XCTAssertEqual(task.posteriorLogDensity(theta, x), expected, accuracy: 1e-9)
    XCTAssertEqual(task.posteriorLogDensity([1.5] + theta.dropFirst(), x), -.infinity)
  }

  // MARK: gaussian_mixture

  /// One component per simulation for both coordinates: Var = ½·1 + ½·0.01 per coordinate,
  /// and E[d₁²d₂²] = ½·1 + ½·10⁻⁴ (it would be 0.505² ≈ 0.255 with independent components).
  func testGaussianMixtureSimulatorMoments() throws {
    let task = GaussianMixture()
    let theta = [3.0, -7.5]
    var rng = RandomStream(seed: 23)
    let xs = try (0..<100_000).map { _ in try task.simulate(theta, &rng).values }
    Moments.check(xs, mean: theta, variance: [0.505, 0.505], "x | θ")
    let products = xs.map { ($0[0] - theta[0]) * ($0[0] - theta[0]) * ($0[1] - theta[1]) * ($0[1] - theta[1]) }
    Moments.checkMean(products, 0.5 + 0.5e-4, "E[d₁²d₂²]")
  }

  func testGaussianMixturePosteriorSampler() throws {
    let task = GaussianMixture()
    var rng = RandomStream(seed: 24)
    // Inside the box: equal weights. Only the wide component leaves the square of half-width
    // 0.5 around x (the narrow one with probability 1 − (2Φ(5) − 1)² ≈ 10⁻⁶).
    let n = 100_000
    let inner = task.samplePosterior([1, -2], count: n, &rng)
    let outside = inner.filter { max(abs($0[0] - 1), abs($0[1] + 2)) > 0.5 }.count
    let leave = { (s: Double) -> Double in 1 - pow(2 * standardNormalCDF(0.5 / s) - 1, 2) }
    Moments.checkFraction(outside, of: n, 0.5 * leave(1) + 0.5 * leave(0.1), "P(‖θ − x‖∞ > 0.5)")
    Moments.check(inner, mean: [1, -2], variance: [0.505, 0.505], "θ | x inside")
    // Near the edge x₁ = 9.5: the wide component keeps mass Z₁ = Φ(0.5) (in θ₁; ≈ 1 in θ₂),
    // the narrow one Z₂ = Φ(5), so the weights become Zᵢ/(Z₁ + Z₂), and each component's θ₁
    // is a truncated normal with mean 9.5 − sᵢ φ(0.5/sᵢ)/Zᵢ.
    let edge = task.samplePosterior([9.5, 0], count: n, &rng)
    XCTAssertTrue(edge.allSatisfy { abs($0[0]) <= 10 && abs($0[1]) <= 10 })
    let z1 = standardNormalCDF(0.5), z2 = standardNormalCDF(5)
    let w1 = z1 / (z1 + z2)
    let mean = w1 * (9.5 - standardNormalPDF(0.5) / z1) + (1 - w1) * (9.5 - 0.1 * standardNormalPDF(5) / z2)
    Moments.checkMean(edge.map { $0[0] }, mean, "E[θ₁ | x at the edge]")
    let wide = edge.filter { abs($0[1]) > 0.5 }.count
    Moments.checkFraction(wide, of: n, w1 * 2 * (1 - standardNormalCDF(0.5)), "P(|θ₂| > 0.5) at the edge")
  }

  // MARK: slcp

  func testSLCPSimulatorMoments() throws {
    let task = SLCP()
    let theta = [0.5, -1, 1.2, -0.8, 0.7]
    let s1 = 1.44, s2 = 0.64, rho = tanh(0.7)
    var rng = RandomStream(seed: 25)
    var points: [[Double]] = []
    for _ in 0..<50_000 {
      let y = try task.simulate(theta, &rng)
      XCTAssertEqual(y.length, 4)
      for k in 0..<4 { points.append([y.values[2 * k], y.values[2 * k + 1]]) }
    }
    Moments.check(points, mean: [0.5, -1], variance: [s1 * s1 + 1e-6, s2 * s2 + 1e-6], "v | θ")
    Moments.checkMean(points.map { ($0[0] - 0.5) * ($0[1] + 1) }, rho * s1 * s2, "Cov(vₐ, v_b)")
    // The four points of one simulation are independent.
    var rng2 = RandomStream(seed: 26)
    let pairs = try (0..<50_000).map { _ in try task.simulate(theta, &rng2).values }
    Moments.checkMean(pairs.map { ($0[0] - 0.5) * ($0[2] - 0.5) }, 0, "Cov(v₁ₐ, v₂ₐ)")
  }

  // MARK: slcp_distractors

  func testDistractorConstantsMatchNumpy() throws {
    let c = try SLCPDistractors().constants
    XCTAssertEqual(Array(c.permutation.prefix(20)),
                   [87, 47, 39, 9, 25, 21, 26, 94, 41, 30, 34, 44, 12, 27, 89, 20, 6, 13, 51, 40])
    XCTAssertEqual(Set(c.permutation), Set(0..<100))
    // Printed by scripts/benchmarks/export_sbibm_constants.py (legacy numpy, seed 42).
    XCTAssertEqual(c.loc.count, 20)
    XCTAssertEqual(Array(c.loc[0].prefix(3)), [7.45071229516849, -2.0739645175677697, 9.715328071510388])
    XCTAssertEqual(c.loc[19][91], -3.1217528590880956)
    XCTAssertEqual(c.scaleTril(0, 0, 0), 3.423324718497607)
    XCTAssertEqual(c.scaleTril(0, 1, 0), -1.39593137034016)
    XCTAssertEqual(c.scaleTril(0, 1, 1), 0.5214230706694578)
    XCTAssertEqual(c.scaleTril(0, 0, 1), 0)
    XCTAssertEqual(c.scaleTril(19, 91, 91), 2.196350891048934)
    XCTAssertEqual(c.scaleTril(19, 91, 0), 0.07580650836815866)
    XCTAssertEqual((0..<20).reduce(0) { $0 + c.loc[$1][0] } / 20, 5.522555508290806, accuracy: 1e-12)
  }

  /// Un-permuting x gives the SLCP values (first 8, bit-identical to `SLCP` with the same
  /// stream) followed by the noise.
  func testDistractorsContainSLCPValues() throws {
    let task = try SLCPDistractors()
    let inverse = task.constants.inversePermutation
    for (i, p) in task.constants.permutation.enumerated() { XCTAssertEqual(inverse[p], i) }
    for s in 0..<20 as Range<UInt64> {
      var rng = RandomStream(seed: 27, stream: s)
      let theta = task.samplePrior(&rng)
      var a = rng, b = rng
      let x = try task.simulate(theta, &a).values
      let slcp = try SLCP().simulate(theta, &b).values
      XCTAssertEqual((0..<8).map { x[inverse[$0]] }, slcp)
    }
  }

  /// The noise's marginals: coordinate i is a uniform mixture of Student-t(2) with location
  /// loc_k[i] and scale σ_k,i = √(Σⱼ L_k[i, j]²), whose CDF is ½ + t/(2√(2 + t²)). Checked as
  /// P(noise_i ≤ c) at several c, binomial SE. (This replaces a sample-mean check: a t(2)
  /// has infinite variance, so the sample mean has no standard error. The thresholds include
  /// the mixture's mean, mean_k loc_k[i].)
  func testDistractorNoiseMarginals() throws {
    let task = try SLCPDistractors()
    let c = task.constants
    let inverse = task.constants.inversePermutation
    var rng = RandomStream(seed: 28)
    let n = 40_000
    let theta = [0.0, 0, 1, 1, 0]
    let noise = try (0..<n).map { _ in
      let x = try task.simulate(theta, &rng).values
      return (0..<92).map { x[inverse[8 + $0]] }
    }
    for i in [0, 1, 45, 91] {
      let locs = (0..<20).map { c.loc[$0][i] }
      let scales = (0..<20).map { k in (0...i).reduce(0) { $0 + c.scaleTril(k, i, $1) * c.scaleTril(k, i, $1) }.squareRoot() }
      let mixtureMean = locs.reduce(0, +) / 20
      for threshold in [mixtureMean, -20, -5, 0, 5, 20] {
        let p = (0..<20).reduce(0.0) { acc, k in
          let t = (threshold - locs[k]) / scales[k]
          return acc + (0.5 + t / (2 * (2 + t * t).squareRoot())) / 20
        }
        let k = noise.filter { $0[i] <= threshold }.count
        Moments.checkFraction(k, of: n, p, "P(noise[\(i)] ≤ \(threshold))")
      }
    }
  }

  // MARK: bernoulli_glm

  func testGLMDesignMatrix() throws {
    let c = try BernoulliGLM().constants
    let i = c.stimulus
    XCTAssertEqual(i.count, 100)
    XCTAssertEqual(i[0], 0.49671414, accuracy: 5e-9)
    XCTAssertEqual(i[1], -0.1382643, accuracy: 5e-8)
    XCTAssertEqual(i[2], 0.64768857, accuracy: 5e-9)
    XCTAssertTrue(i.allSatisfy { Double(Float($0)) == $0 }, "stimulus values are float32")
    let x = c.designMatrix
    XCTAssertEqual(x.count, 100)
    XCTAssertEqual(x[0], [1, i[0], 0, 0, 0, 0, 0, 0, 0, 0])
    XCTAssertEqual(x[1], [1, i[1], i[0], 0, 0, 0, 0, 0, 0, 0])
    XCTAssertEqual(x[2], [1, i[2], i[1], i[0], 0, 0, 0, 0, 0, 0])
    XCTAssertEqual(x[8], [1] + (0...8).map { i[8 - $0] })
    XCTAssertEqual(x[99], [1] + (0...8).map { i[99 - $0] })
  }

  /// B by hand (B[1:, 1:] = FᵀF, F = D² + diag(√(i/9)), D² = 1, −2, 1 on the diagonal and
  /// the two sub-diagonals): column 0 of F is (1, −2, 1, 0…), column 1 is (0, 4/3, −2, 1, 0…),
  /// column 2 is (0, 0, 1 + √2/3, −2, 1, 0…), F₈₈ = 1 + √(8/9). So B₁₁ = 6,
  /// B₁₂ = −8/3 − 2, B₁₃ = 1 + √2/3, B₉₉ = (1 + √(8/9))². The prior sds (√diag B⁻¹) match
  /// the spec's (3 decimals).
  func testGLMPriorPrecision() throws {
    let c = try BernoulliGLM().constants
    let b = c.priorPrecision
    XCTAssertEqual(b[0][0], 0.5)
    for j in 1..<10 { XCTAssertEqual(b[0][j], 0); XCTAssertEqual(b[j][0], 0) }
    XCTAssertEqual(b[1][1], 6, accuracy: 1e-12)
    XCTAssertEqual(b[1][2], -8.0 / 3 - 2, accuracy: 1e-12)
    XCTAssertEqual(b[1][3], 1 + 2.0.squareRoot() / 3, accuracy: 1e-12)
    XCTAssertEqual(b[9][9], pow(1 + (8.0 / 9).squareRoot(), 2), accuracy: 1e-12)
    for i in 0..<10 { for j in 0..<10 { XCTAssertEqual(b[i][j], b[j][i]) } }
    let sds = [1.414, 1.000, 1.677, 1.830, 1.552, 1.216, 1.100, 1.069, 0.981, 0.880]
    for k in 0..<10 {
      XCTAssertEqual(c.prior.covariance[k][k].squareRoot(), sds[k], accuracy: 0.0005 + 1e-9, "prior sd of θ\(k + 1)")
    }
    // B·B⁻¹ = I.
    for i in 0..<10 {
      for j in 0..<10 {
        let e = (0..<10).reduce(0) { $0 + b[i][$1] * c.prior.covariance[$1][j] }
        XCTAssertEqual(e, i == j ? 1 : 0, accuracy: 1e-10)
      }
    }
    // The prior log density is −½θᵀBθ + ½ log det B − 5 log 2π.
    let task = try BernoulliGLM()
    let theta = [0.3, -1, 0.5, 1.2, 0, -0.4, 0.8, 0.1, -0.2, 0.6]
    let q = (0..<10).reduce(0.0) { s, i in s + (0..<10).reduce(0.0) { $0 + theta[i] * b[i][$1] * theta[$1] } }
    let logDetB = try Cholesky(b).logDeterminant
    XCTAssertEqual(try XCTUnwrap(task.priorLogDensity(theta)), -0.5 * q + 0.5 * logDetB - 5 * log(2 * Double.pi), accuracy: 1e-10)
  }

  /// With the same stream, the summary task's x is Xᵀy of the raw task's y.
  func testGLMSummaryIsXTransposeY() throws {
    let summary = try BernoulliGLM(raw: false), raw = try BernoulliGLM(raw: true)
    let x = summary.constants.designMatrix
    for s in 0..<50 as Range<UInt64> {
      var rng = RandomStream(seed: 29, stream: s)
      let theta = summary.samplePrior(&rng)
      var a = rng, b = rng
      let stats = try summary.simulate(theta, &a).values
      let y = try raw.simulate(theta, &b).values
      XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 1 })
      let xty = (0..<10).map { j in (0..<100).reduce(0.0) { $0 + x[$1][j] * y[$1] } }
      for j in 0..<10 { XCTAssertEqual(stats[j], xty[j], accuracy: 1e-12) }
    }
  }

  /// Given θ: E[yₜ] = σ(ψₜ) and Var[x_j] = Σₜ X[t, j]² pₜ(1 − pₜ) (independent spikes).
  func testGLMSimulatorMoments() throws {
    let task = try BernoulliGLM()
    let x = task.constants.designMatrix
    let theta = [-0.5, 1, 0.5, -0.3, 0.2, 0, 0.1, -0.1, 0.3, 0.4]
    var p = [Double](repeating: 0, count: 100)
    var mean = [Double](repeating: 0, count: 10), variance = [Double](repeating: 0, count: 10)
    for t in 0..<100 {
      var psi = 0.0
      for j in 0..<10 { psi += x[t][j] * theta[j] }
      p[t] = 1 / (1 + exp(-psi))
      for j in 0..<10 {
        mean[j] += x[t][j] * p[t]
        variance[j] += x[t][j] * x[t][j] * p[t] * (1 - p[t])
      }
    }
    var rng = RandomStream(seed: 30)
    let draws = try (0..<50_000).map { _ in try task.simulate(theta, &rng).values }
    Moments.check(draws, mean: mean, variance: variance, "x | θ")
  }
}
