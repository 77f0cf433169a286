import XCTest
import BayesFlow
import Tensors

final class DiagnosticsCalibrationTests: XCTestCase {
  /// Coverage of the exact conjugate posterior. With L draws, the type-7 central interval at
  /// level q spans the order statistics at (L−1)q apart, and E[F(x₍ₖ₎)] = k/(L+1), so it covers
  /// a fresh posterior draw (the truth) with probability q(L−1)/(L+1). Statistic: empirical
  /// coverage over M = 4000 data sets; null distribution Bin(M, q(L−1)/(L+1))/M; tolerance 4 SE
  /// per level (19 levels: P(any false failure) ≈ 19·6·10⁻⁵).
  func testCoverageOfExactPosteriorMatchesNominal() {
    var rng = RandomStream(seed: 5)
    let m = 4000, l = 200
    let (truths, draws) = ConjugateNormalFixture().sample(simulations: m, draws: l, rng: &rng)
    let d = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: ["theta"], priorVariances: [1])
    let c = d.parameters[0].coverage
    XCTAssertEqual(c.levels.count, 19)
    for (k, q) in c.levels.enumerated() {
      let expected = q * Double(l - 1) / Double(l + 1)
      let se = (expected * (1 - expected) / Double(m)).squareRoot()
      XCTAssertLessThan(abs(c.empirical[k] - expected), 4 * se, "level \(q): \(c.empirical[k])")
    }
    XCTAssertLessThan(c.calibrationError, 0.02)
    // max |F̂ − z| is a Kolmogorov–Smirnov statistic over the evaluation points; its 99.9% point
    // for M uniform values is about 1.95/√M (and smaller on a grid of points).
    XCTAssertLessThan(d.parameters[0].ranks.maxECDFDeviation, 1.95 / Double(m).squareRoot())
  }

  /// Over-confident posterior (sd × 0.5): the interval at level q has nominal half-width
  /// z₍₁₊q₎/₂·s/2, so it covers with probability 2Φ(z₍₁₊q₎/₂/2) − 1; at q = 0.95 that is
  /// 2Φ(0.98) − 1 = 0.673. Calibration error is then large.
  func testCoverageOfOverconfidentPosteriorIsLow() {
    var rng = RandomStream(seed: 6)
    let m = 4000
    let (truths, draws) = ConjugateNormalFixture(scale: 0.5).sample(simulations: m, draws: 400, rng: &rng)
    let d = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: ["theta"])
    let c = d.parameters[0].coverage
    let expected = 2 * 0.5 * erfc(-0.979982 / (2.0).squareRoot()) - 1
    XCTAssertEqual(c.empirical[18], expected, accuracy: 0.03)
    XCTAssertGreaterThan(c.calibrationError, 0.15)
    XCTAssertFalse(d.parameters[0].isCalibrated)
  }

  /// Recovery has known answers: a perfect estimator has R² = 1, ρ = 1, RMSE 0; the constant
  /// estimator θ̂ = 0 (the prior mean) has R² = −M·θ̄*²/SStot ≈ 0 (SE of θ̄* is 1/√M); pure
  /// noise ε ~ N(0, 1) independent of θ* has ρ ≈ 0 (SE 1/√M) and R² ≈ 1 − 2 = −1. NRMSE is
  /// RMSE over the range of the truths.
  func testRecoveryKnownAnswers() {
    var rng = RandomStream(seed: 7)
    let m = 10_000
    let truths = (0..<m).map { _ in rng.normal() }
    let perfect = Recovery(estimates: truths, truths: truths)
    XCTAssertEqual(perfect.r2, 1)
    XCTAssertEqual(perfect.correlation, 1, accuracy: 1e-12)
    XCTAssertEqual(perfect.nrmse, 0)
    let constant = Recovery(estimates: [Double](repeating: 0, count: m), truths: truths)
    XCTAssertLessThan(abs(constant.r2), 16 / Double(m) + 1e-12)
    let noise = Recovery(estimates: (0..<m).map { _ in rng.normal() }, truths: truths)
    XCTAssertLessThan(abs(noise.correlation), 4 / Double(m).squareRoot())
    XCTAssertEqual(noise.r2, -1, accuracy: 0.1)
    let range = truths.max()! - truths.min()!
    XCTAssertEqual(noise.nrmse, noise.rmse / range, accuracy: 1e-15)
    XCTAssertEqual(Recovery(estimates: [1, 2, 4], truths: [1, 2, 3]).nrmse, (1.0 / 3).squareRoot() / 2, accuracy: 1e-15)
  }

  /// The exact conjugate posterior has known recovery and contraction: the posterior mean y/2
  /// errs by θ/2 − ε/2 (variance ½), so R² → ½ and ρ → 1/√2; posterior variance ½ against prior
  /// variance 1 gives contraction ½; z-scores have mean 0 and sd ≈ 1 (sd of a sample sd: 1/√(2M)).
  func testExactPosteriorRecoveryAndContraction() {
    var rng = RandomStream(seed: 8)
    let m = 4000, l = 400
    let (truths, draws) = ConjugateNormalFixture().sample(simulations: m, draws: l, rng: &rng)
    let p = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: ["theta"], priorVariances: [1]).parameters[0]
    // R² of the mean: SE ≈ 0.016 (SSres/M and SStot/M have SE 0.011 and 0.022).
    XCTAssertEqual(p.meanRecovery.r2, 0.5, accuracy: 0.065)
    XCTAssertEqual(p.meanRecovery.correlation, (0.5).squareRoot(), accuracy: 0.032)  // SE (1 − ρ²)/√M
    XCTAssertEqual(p.medianRecovery.r2, 0.5, accuracy: 0.07)
    XCTAssertEqual(p.contraction.meanContraction, 0.5, accuracy: 0.01)
    XCTAssertEqual(p.contraction.meanZ, 0, accuracy: 4 / Double(m).squareRoot())
    XCTAssertEqual(p.contraction.sdZ, 1, accuracy: 4 / (2.0 * Double(m)).squareRoot() + 1.0 / Double(l))
    // Over-confident: sd halved gives contraction 1 − ¼·½ = 0.875 and z-scores of sd ≈ 2.
    let (t2, d2) = ConjugateNormalFixture(scale: 0.5).sample(simulations: m, draws: l, rng: &rng)
    let q = CalibrationDiagnostics(truths: t2, draws: d2, parameterNames: ["theta"], priorVariances: [1]).parameters[0]
    XCTAssertEqual(q.contraction.meanContraction, 0.875, accuracy: 0.01)
    XCTAssertEqual(q.contraction.sdZ, 2, accuracy: 0.1)
    // The prior variance defaults to the sample variance of the truths.
    let r = PosteriorContraction(means: [0, 0, 0], sds: [1, 1, 1], truths: [1, 2, 3])
    XCTAssertEqual(r.priorVariance, 1)
    XCTAssertEqual(r.contractions, [0, 0, 0])
    XCTAssertEqual(r.zScores, [-1, -2, -3])
  }

  /// Marginal summaries of a hand-made case: ranks count draws strictly below the truth,
  /// medians and intervals are type-7 quantiles, sd uses L − 1.
  func testMarginalSummariesOfASmallCase() {
    // M = 2, L = 5, P = 2.
    let draws = PosteriorDraws([
      [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]],
      [[5, 0], [4, 0], [3, 0], [2, 0], [1, 1]],
    ])
    let s = MarginalSummaries(truths: [[2.5, 60], [0.5, 0]], draws: draws, levels: [0.5, 0.9])
    XCTAssertEqual(s.ranks, [2, 0, 5, 0])
    XCTAssertEqual(s.medians, [3, 3, 30, 0])
    XCTAssertEqual(s.means, [3, 3, 30, 0.2])
    XCTAssertEqual(s.sds[0], (2.5).squareRoot(), accuracy: 1e-15)
    // Level 0.5: [Q(.25), Q(.75)] = [2, 4] covers 2.5; level 0.9: [1.2, 4.8] covers 2.5.
    // Data set 2: [2, 4] and [1.2, 4.8] miss 0.5. Parameter 2, set 1: 60 is outside [20, 40], [12, 48];
    // set 2: draws (0, 0, 0, 0, 1): [0, 0] and [0, 0.8] both cover 0.
    XCTAssertEqual(s.coverage(parameter: 0), [0.5, 0.5])
    XCTAssertEqual(s.coverage(parameter: 1), [0.5, 0.5])
  }

  /// Posterior predictive quantiles: exact type-7 values for a small case, and normal quantiles
  /// within 4 SE for a large one (SE of a sample q-quantile: √(q(1−q)/L)/φ(z_q)).
  func testPredictiveQuantiles() {
    let small = PredictiveQuantiles(simulations: [[[1, 5]], [[2, 4]], [[3, 3]], [[4, 2]], [[5, 1]]], levels: [0.25, 0.5, 0.9])
    XCTAssertEqual(small.series(0, channel: 0), [2])
    XCTAssertEqual(small.quantile(1, time: 0, channel: 1), 3)
    XCTAssertEqual(small.quantile(2, time: 0, channel: 0), 4.6, accuracy: 1e-12)
    var rng = RandomStream(seed: 9)
    let l = 20_000
    let sims = (0..<l).map { _ in (0..<3).map { t in [Double(t) + rng.normal(), -Double(t)] } }
    let q = PredictiveQuantiles(simulations: sims)
    let z = [-1.959964, -0.674490, 0, 0.674490, 1.959964]
    for t in 0..<3 {
      for (k, level) in q.levels.enumerated() {
        let density = exp(-z[k] * z[k] / 2) / (2 * Double.pi).squareRoot()
        let se = (level * (1 - level) / Double(l)).squareRoot() / density
        XCTAssertEqual(q.quantile(k, time: t, channel: 0), Double(t) + z[k], accuracy: 4 * se)
        XCTAssertEqual(q.quantile(k, time: t, channel: 1), -Double(t))
      }
    }
  }
}
