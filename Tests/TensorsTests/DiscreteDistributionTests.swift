import Foundation
import Tensors
import XCTest

/// Discrete distributions: with a fixed seed and 10⁶ draws, the sample mean and variance within
/// 5 standard errors of the closed forms and Pearson's chi-square goodness-of-fit test against
/// the exact mass function (cells pooled to ≥ 5 expected draws, α = 0.001, critical value the
/// 0.999 quantile of χ²(cells − 1)); log-masses against mpmath at 10⁻¹⁰ (relative).
/// 10⁶ draws cost little here and catch errors that 10⁵ miss (e.g. an alias table whose
/// probabilities are off by 0.004).
///
/// Reference literals come from mpmath (40 digits) through log-gamma, e.g. for the binomial:
///     python3 -c "import mpmath as mp; mp.mp.dps=40; n,k,p=10**6,900,mp.mpf('1e-3');
///                 print(mp.loggamma(n+1)-mp.loggamma(k+1)-mp.loggamma(n-k+1)+k*mp.log(p)+(n-k)*mp.log(1-p))"
/// (scipy.stats.binom.logpmf is off by 2·10⁻¹⁰ there), and CDFs by exact summation of the
/// mass function.
final class DiscreteDistributionTests: XCTestCase {
  let n = 1_000_000

  func checkFit<D: UnivariateDistribution>(_ d: D, seed: UInt64, _ label: String,
                                           file: StaticString = #filePath, line: UInt = #line)
  where D.Value == Int {
    var rng = RandomStream(seed: seed)
    let draws = d.sample(&rng, count: n)
    assertMoments(draws.map(Double.init), mean: d.mean, variance: d.variance, label,
                  file: file, line: line)
    assertChiSquare(draws, pmf: { exp(d.logDensity($0)) }, label, file: file, line: line)
  }

  /// n = 10, p = 0.3 (inversion); n = 1000, p = 0.4 and n = 10⁶, p = 10⁻³ (BTRS); p > ½ in
  /// both regimes (draws reflected as n − X).
  func testBinomial() throws {
    let cases: [(Int, Double, [(Int, Double)])] = [
      (10, 0.3, [(0, -3.5667494393873236), (3, -1.3211512777668886), (10, -12.03972804325936)]),
      (1000, 0.4, [(350, -8.924569188576776), (400, -3.659521883711072), (450, -8.821005892244195)]),
      (1_000_000, 1e-3, [(900, -9.500319050878288), (1000, -4.372399255942922),
                         (1100, -9.266199674312537)]),
    ]
    for (i, (trials, p, points)) in cases.enumerated() {
      let d = try Binomial(n: trials, p: p)
      checkFit(d, seed: 100 + UInt64(i), "Binomial(\(trials), \(p))")
      for (k, ref) in points {
        assertRelative(d.logDensity(k), ref, 1e-10, "Binomial(\(trials), \(p)).logDensity(\(k))")
      }
    }
    checkFit(try Binomial(n: 50, p: 0.9), seed: 103, "Binomial(50, 0.9)")
    checkFit(try Binomial(n: 200, p: 0.7), seed: 104, "Binomial(200, 0.7)")
    // P(X ≤ k) = I_{1−p}(n − k, k + 1).
    assertRelative(try Binomial(n: 10, p: 0.3).cdf(3), 0.6496107184, 1e-12)
    assertRelative(try Binomial(n: 1000, p: 0.4).cdf(400), 0.513729858287144, 1e-12)
    assertRelative(try Binomial(n: 1_000_000, p: 1e-3).cdf(1000), 0.5084093682207758, 1e-12)
    // Degenerate cases.
    var rng = RandomStream(seed: 105)
    XCTAssertEqual(try Binomial(n: 7, p: 0).sample(&rng), 0)
    XCTAssertEqual(try Binomial(n: 7, p: 1).sample(&rng), 7)
    XCTAssertEqual(try Binomial(n: 0, p: 0.5).sample(&rng), 0)
    XCTAssertEqual(try Binomial(n: 7, p: 1).logDensity(7), 0)
    XCTAssertEqual(try Binomial(n: 7, p: 0.5).logDensity(8), -.infinity)
  }

  /// Means 0.5 and 7 (inversion), 40 and 10⁴ (PTRS).
  func testPoisson() throws {
    let cases: [(Double, [(Int, Double)])] = [
      (0.5, [(0, -0.5), (1, -1.1931471805599454), (5, -8.753227645581772)]),
      (7, [(0, -7.0), (7, -1.9037903176782212), (20, -10.41741347964722)]),
      (40, [(20, -8.558027378474758), (40, -2.765461550199943), (70, -12.217481777801412)]),
      (1e4, [(9800, -7.527484157244768), (10000, -5.524117052526095), (10300, -9.99455929883577)]),
    ]
    for (i, (mean, points)) in cases.enumerated() {
      let d = try Poisson(mean: mean)
      checkFit(d, seed: 110 + UInt64(i), "Poisson(\(mean))")
      for (k, ref) in points {
        assertRelative(d.logDensity(k), ref, 1e-10, "Poisson(\(mean)).logDensity(\(k))")
      }
    }
    // P(X ≤ k) = Q(k + 1, λ).
    assertRelative(try Poisson(mean: 7).cdf(7), 0.5987138355230367, 1e-12)
    assertRelative(try Poisson(mean: 1e4).cdf(10000), 0.5026595812190077, 1e-12)
    var rng = RandomStream(seed: 114)
    XCTAssertEqual(try Poisson(mean: 0).sample(&rng), 0)
    XCTAssertEqual(try Poisson(mean: 0).logDensity(0), 0)
  }

  /// Mean 5 with dispersion 2, and mean 100 with dispersion 0.5 (heavy right tail).
  func testNegativeBinomial() throws {
    let cases: [(Double, Double, [(Int, Double)])] = [
      (5, 2, [(0, -2.505525936990736), (3, -2.128648285734484), (20, -6.190448231691572)]),
      (100, 0.5, [(0, -2.651652454029538), (10, -4.4376801657363805), (400, -8.215078774842478)]),
    ]
    for (i, (mean, r, points)) in cases.enumerated() {
      let d = try NegativeBinomial(mean: mean, dispersion: r)
      XCTAssertEqual(d.variance, mean + mean * mean / r)
      checkFit(d, seed: 120 + UInt64(i), "NegativeBinomial(\(mean), \(r))")
      for (k, ref) in points {
        assertRelative(d.logDensity(k), ref, 1e-10, "NegativeBinomial(\(mean), \(r)).logDensity(\(k))")
      }
    }
    // (r, p): failures before the r-th success; r = 2, p = 2/7 is mean 5.
    let byProbability = try NegativeBinomial(r: 2, p: 2.0 / 7)
    XCTAssertEqual(byProbability.mean, 5, accuracy: 1e-12)
    XCTAssertEqual(byProbability.dispersion, 2)
    // P(X ≤ 3) = I_{2/7}(2, 4).
    assertRelative(byProbability.cdf(3), 0.4421967037543881, 1e-12)
    var rng = RandomStream(seed: 122)
    XCTAssertEqual(try NegativeBinomial(mean: 0, dispersion: 3).sample(&rng), 0)
  }

  /// Unnormalised weights with a zero-probability category.
  func testCategorical() throws {
    let d = try Categorical(probabilities: [2, 0, 10, 3, 5])
    XCTAssertEqual(d.probabilities, [0.1, 0, 0.5, 0.15, 0.25])
    var rng = RandomStream(seed: 130)
    let draws = d.sample(&rng, count: n)
    XCTAssertFalse(draws.contains(1), "a zero-probability category was drawn")
    assertMoments(draws.map(Double.init), mean: d.mean, variance: d.variance, "Categorical")
    assertChiSquare(draws, pmf: { exp(d.logDensity($0)) }, "Categorical")
    assertRelative(d.mean, 0.5 * 2 + 0.15 * 3 + 0.25 * 4, 1e-12)
    assertRelative(d.logDensity(2), log(0.5), 1e-15)
    XCTAssertEqual(d.logDensity(1), -.infinity)
    XCTAssertEqual(d.logDensity(5), -.infinity)
    assertRelative(d.cdf(2), 0.6, 1e-15)
    XCTAssertEqual(d.cdf(4), 1)
  }

  /// The chi-square check must be able to fail: Poisson(7) draws against Poisson(7.1), and
  /// Binomial(1000, 0.4) draws against Binomial(1000, 0.405).
  func testChiSquareRejectsWrongDistributions() throws {
    var rng = RandomStream(seed: 140)
    let poissonDraws = try Poisson(mean: 7).sample(&rng, count: n)
    let poissonWrong = try Poisson(mean: 7.1)
    let (x2, df) = chiSquare(poissonDraws, pmf: { exp(poissonWrong.logDensity($0)) })
    XCTAssertGreaterThan(x2, chiSquareCritical(df: df))
    let binomialDraws = try Binomial(n: 1000, p: 0.4).sample(&rng, count: n)
    let binomialWrong = try Binomial(n: 1000, p: 0.405)
    let (y2, dfb) = chiSquare(binomialDraws, pmf: { exp(binomialWrong.logDensity($0)) })
    XCTAssertGreaterThan(y2, chiSquareCritical(df: dfb))
  }

  func testInvalidParametersThrow() {
    XCTAssertThrowsError(try Binomial(n: 10, p: 1.5)) { error in
      XCTAssertEqual("\(error)", "Binomial: p must be in [0, 1], got 1.5")
    }
    XCTAssertThrowsError(try Binomial(n: -1, p: 0.5)) { error in
      XCTAssertEqual("\(error)", "Binomial: n must be ≥ 0, got -1")
    }
    XCTAssertThrowsError(try Poisson(mean: -1))
    XCTAssertThrowsError(try Poisson(mean: .nan))
    XCTAssertThrowsError(try NegativeBinomial(mean: 5, dispersion: 0))
    XCTAssertThrowsError(try NegativeBinomial(r: 2, p: 0))
    XCTAssertThrowsError(try Categorical(probabilities: []))
    XCTAssertThrowsError(try Categorical(probabilities: [0.5, -0.1]))
    XCTAssertThrowsError(try Categorical(probabilities: [0, 0]))
  }
}
