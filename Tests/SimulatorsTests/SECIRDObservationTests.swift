import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// The observation model of `secird`: reporting delays, weekly modulation, Student-t noise
/// and clipping; and reproducibility by seed.
final class SECIRDObservationTests: XCTestCase {
  /// With f = 1 (no modulation) the reported means are the daily flows shifted by the rounded
  /// delay: mean[k, x] = new[k + ℓ − Lₓ, x], bit for bit.
  func testDelaysShiftTheSeriesExactly() throws {
    let model = try SECIRD()
    let base = SECIRDFixture.theta(["f_I": 1, "f_R": 1, "f_D": 1])
    let flows = try model.dailyFlows(base)
    for delays in [[0.0, 0.0, 0.0], [3.4, 7.5, 15.49], [1.0, 12.0, 8.6]] {
      let theta = SECIRDFixture.theta(["f_I": 1, "f_R": 1, "f_D": 1, "L_I": delays[0],
                                       "L_R": delays[1], "L_D": delays[2]])
      let mean = try model.expectedObservation(theta)
      XCTAssertEqual(mean.length, 81)
      XCTAssertEqual(mean.values.count, 243)
      for x in 0..<3 {
        let shift = 15 - Int(delays[x].rounded(.toNearestOrEven))
        for k in 0..<81 {
          XCTAssertEqual(mean.values[3 * k + x], flows[3 * (k + shift) + x], "k \(k) x \(x) L \(delays[x])")
        }
      }
    }
  }

  /// mean[k] / raw[k] = 1 − (1 − f)(1 − |sin(πk/7 − φ/2)|), values computed by hand (Python):
  /// f = 0.6, φ = 0.8 (confirmed) and f = 0.3, φ = −2 (deceased); f = 1 leaves recovered as is.
  func testWeeklyModulationAtHandComputedDays() throws {
    let model = try SECIRD()
    let theta = SECIRDFixture.theta(["f_I": 0.6, "phi_I": 0.8, "f_R": 1, "f_D": 0.3, "phi_D": -2])
    let raw = try model.expectedObservation(SECIRDFixture.theta(["f_I": 1, "f_R": 1, "f_D": 1]))
    let mean = try model.expectedObservation(theta)
    func ratio(_ k: Int, _ x: Int) -> Double { mean.values[3 * k + x] / raw.values[3 * k + x] }
    let confirmed: [(Int, Double)] = [(0, 0.7557673369234602), (3, 0.9245257354580428),
                                      (10, 0.9245257354580427), (11, 0.9938487220422353)]
    for (k, expected) in confirmed { XCTAssertEqual(ratio(k, 0), expected, accuracy: 1e-13, "day \(k)") }
    let deceased: [(Int, Double)] = [(0, 0.8890296893655276), (5, 0.3715562573669764),
                                     (80, 0.799800495910551)]
    for (k, expected) in deceased { XCTAssertEqual(ratio(k, 2), expected, accuracy: 1e-13, "day \(k)") }
    for k in 0..<81 { XCTAssertEqual(mean.values[3 * k + 1], raw.values[3 * k + 1]) }
    // φ = 0: days 0, 7, 14 … are scaled by f; φ = π: day 0 is unscaled.
    let zero = try model.expectedObservation(SECIRDFixture.theta(["f_I": 0.25, "phi_I": 0]))
    let rawZero = try model.expectedObservation(SECIRDFixture.theta(["f_I": 1]))
    for k in stride(from: 0, to: 81, by: 7) {
      XCTAssertEqual(zero.values[3 * k] / rawZero.values[3 * k], 0.25, accuracy: 1e-13)
    }
    let pi = try model.expectedObservation(SECIRDFixture.theta(["f_I": 0.25, "phi_I": Double.pi]))
    XCTAssertEqual(pi.values[0] / rawZero.values[0], 1, accuracy: 1e-13)
  }

  /// Noise: z = (obs − mean)/(σₓ√mean) ~ Student-t(4) for means large enough that clipping at
  /// 0 has probability < 10⁻⁵ (√mean/σ ≥ 30). Checked with standard-error tolerances (4 SE):
  /// E z = 0 (Var z = 2), E|z| = 1 (Var |z| = 1; the scale), the truncated second moment
  /// E[z²; |z| ≤ 3] (bounded, so its SE exists; the plain sample variance has none, t(4) having
  /// no fourth moment), and P(|z| ≤ 1) against the t(4) CDF.
  func testNoiseMomentsAndScale() throws {
    let model = try SECIRD()
    let sigma = [0.5, 0.5, 0.2]
    let theta = SECIRDFixture.theta(["sigma_I": sigma[0], "sigma_R": sigma[1], "sigma_D": sigma[2]])
    let mean = try model.expectedObservation(theta).values
    var z: [Double] = []
    var rng = RandomStream(seed: 31)
    for _ in 0..<200 {
      let obs = try model.simulate(theta, &rng).values
      for i in 0..<obs.count where mean[i].squareRoot() / sigma[i % 3] >= 30 {
        z.append((obs[i] - mean[i]) / (sigma[i % 3] * mean[i].squareRoot()))
      }
    }
    let n = Double(z.count)
    XCTAssertGreaterThan(z.count, 20_000)
    let t4 = try StudentT(df: 4)
    // E z = 0, Var z = ν/(ν − 2) = 2.
    let zMean = z.reduce(0, +) / n
    XCTAssertLessThan(abs(zMean), 4 * (2 / n).squareRoot(), "mean of z")
    // E|T₄| = 2√ν Γ((ν+1)/2) / ((ν − 1)√π Γ(ν/2)) = 1, Var|T₄| = 2 − 1 = 1.
    let absMean = z.reduce(0) { $0 + abs($1) } / n
    XCTAssertLessThan(abs(absMean - 1), 4 / n.squareRoot(), "mean of |z|")
    // E[T²; |T| ≤ 3] by Simpson's rule on the t(4) density, its SE from the sample.
    let c = 3.0, m = 3000
    var integral = 0.0
    for i in 0...m {
      let t = -c + 2 * c * Double(i) / Double(m)
      let w = i == 0 || i == m ? 1.0 : i % 2 == 1 ? 4.0 : 2.0
      integral += w * t * t * exp(t4.logDensity(t))
    }
    integral *= 2 * c / Double(m) / 3
    let truncated = z.map { abs($0) <= c ? $0 * $0 : 0 }
    let (tm, tv) = meanAndVariance(truncated)
    XCTAssertLessThan(abs(tm - integral), 4 * (tv / n).squareRoot(), "E[z²; |z| ≤ 3] = \(integral)")
    // P(|T| ≤ 1) = 2F(1) − 1.
    let p = 2 * t4.cdf(1) - 1
    let inside = Double(z.filter { abs($0) <= 1 }.count) / n
    XCTAssertLessThan(abs(inside - p), 4 * (p * (1 - p) / n).squareRoot(), "P(|z| ≤ 1) = \(p)")
  }

  /// Large noise on small counts: observations are clipped at 0, never negative.
  func testNegativesAreClipped() throws {
    let model = try SECIRD()
    let theta = SECIRDFixture.theta(["sigma_I": 30, "sigma_R": 30, "sigma_D": 30])
    var rng = RandomStream(seed: 5)
    var zeros = 0
    for _ in 0..<20 {
      let obs = try model.simulate(theta, &rng).values
      XCTAssertTrue(obs.allSatisfy { $0 >= 0 && $0.isFinite })
      zeros += obs.filter { $0 == 0 }.count
    }
    XCTAssertGreaterThan(zeros, 0)
  }

  /// The same (seed, stream) gives the same θ and observation; the engine's batches do not
  /// depend on the thread count (each thread has its own solver).
  func testReproducibleBySeed() throws {
    let model = try SECIRD()
    var a = RandomStream(seed: 17, stream: 3), b = RandomStream(seed: 17, stream: 3)
    let thetaA = model.samplePrior(&a), thetaB = model.samplePrior(&b)
    XCTAssertEqual(thetaA, thetaB)
    XCTAssertEqual(try model.simulate(thetaA, &a), try model.simulate(thetaB, &b))
    var c = RandomStream(seed: 17, stream: 4)
    XCTAssertNotEqual(model.samplePrior(&c), thetaA)

    let one = try SimulationEngine(simulator: model, seed: 8, threads: 1).simulate(0..<64)
    let two = try SimulationEngine(simulator: model, seed: 8, threads: 2).simulate(0..<64)
    XCTAssertEqual(one.failures, 0)
    XCTAssertEqual(one.parameters, two.parameters)
    XCTAssertEqual(one.observations, two.observations)
  }
}
