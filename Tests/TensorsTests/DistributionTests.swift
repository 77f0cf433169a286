import Foundation
import Tensors
import XCTest

/// Continuous univariate distributions: for each, with a fixed seed and 10⁵ draws, the sample
/// mean and variance within 5 standard errors of the closed forms and a Kolmogorov–Smirnov
/// test against the exact CDF at α = 0.001 (see StatisticalChecks.swift); log-densities and
/// CDFs against mpmath at 10⁻¹⁰ (relative).
///
/// Reference literals come from mpmath (40 digits; 90 for the truncated normal, whose
/// normaliser cancels in left tails), e.g. for Gamma(0.3, scale 2):
///     python3 -c "import mpmath as mp; mp.mp.dps=40; a=mp.mpf('0.3'); x=mp.mpf(7);
///                 print((a-1)*mp.log(x/2) - x/2 - mp.loggamma(a) - mp.log(2))"
/// (the formula of each log-density as in the type's documentation, at the listed points).
final class DistributionTests: XCTestCase {
  let n = 100_000

  func testUniform() throws {
    let d = try Uniform(lower: -1, upper: 3)
    var rng = RandomStream(seed: 1)
    let xs = d.sample(&rng, count: n)
    XCTAssertTrue(xs.allSatisfy { $0 >= -1 && $0 < 3 })
    assertMoments(xs, mean: d.mean, variance: d.variance, "Uniform")
    assertKS(xs, d.cdf, "Uniform")
    assertRelative(d.logDensity(0.5), -log(4))
    XCTAssertEqual(d.logDensity(3.5), -.infinity)
    XCTAssertEqual(d.mean, 1)
    XCTAssertEqual(d.variance, 16.0 / 12)
  }

  func testNormal() throws {
    let d = try Normal(mean: 1.5, sd: 2)
    var rng = RandomStream(seed: 2)
    let xs = d.sample(&rng, count: n)
    assertMoments(xs, mean: 1.5, variance: 4, "Normal")
    assertKS(xs, d.cdf, "Normal")
    for (x, ref) in [(-3.0, -4.143335713764618), (0, -1.893335713764618),
                     (1.5, -1.612085713764618), (7, -5.393335713764618)] {
      assertRelative(d.logDensity(x), ref, 1e-10, "Normal.logDensity(\(x))")
    }
    // Φ(−1) at x = −0.5 (scipy.stats.norm.cdf(-1)).
    assertRelative(d.cdf(-0.5), 0.15865525393145707, 1e-12, "Normal.cdf")
  }

  func testLogNormal() throws {
    let d = try LogNormal(mu: 0.3, sigma: 0.5)
    var rng = RandomStream(seed: 3)
    let xs = d.sample(&rng, count: n)
    assertMoments(xs, mean: d.mean, variance: d.variance, "LogNormal")
    assertKS(xs, d.cdf, "LogNormal")
    assertRelative(d.mean, exp(0.3 + 0.125))
    assertRelative(d.variance, (exp(0.25) - 1) * exp(0.6 + 0.25))
    for (x, ref) in [(0.2, -5.908259723092017), (1, -0.40579135264472743),
                     (3, -2.5999668165362695)] {
      assertRelative(d.logDensity(x), ref, 1e-10, "LogNormal.logDensity(\(x))")
    }
    assertRelative(d.cdf(1), 0.2742531177500736, 1e-12, "LogNormal.cdf(1)")
    XCTAssertEqual(d.logDensity(0), -.infinity)
  }

  func testExponential() throws {
    let d = try Exponential(rate: 2)
    let byScale = try Exponential(scale: 0.5)
    XCTAssertEqual(byScale.rate, 2)
    var rng = RandomStream(seed: 4)
    let xs = d.sample(&rng, count: n)
    assertMoments(xs, mean: 0.5, variance: 0.25, "Exponential")
    assertKS(xs, d.cdf, "Exponential")
    for (x, ref) in [(0.0, 0.6931471805599453), (0.5, -0.3068528194400547),
                     (3, -5.306852819440055)] {
      assertRelative(d.logDensity(x), ref, 1e-10, "Exponential.logDensity(\(x))")
    }
    XCTAssertEqual(d.logDensity(-1), -.infinity)
  }

  /// Gamma(α, scale 2) for α = 0.3 (boosted sampler), 1, 2 and 50; variance αθ², and
  /// fourth central moment large for α = 0.3 (excess kurtosis 6/α = 20), which the
  /// sample-based standard error covers.
  func testGamma() throws {
    let references: [(Double, [(Double, Double)])] = [
      (0.3, [(0.01, 1.9148769812056048), (1, -1.8037421489860592), (7, -6.165879253324778),
             (100, -54.527361279177725)]),
      (1, [(0.01, -0.6981471805599453), (1, -1.1931471805599454), (7, -4.193147180559945),
           (100, -50.69314718055995)]),
      (2, [(0.01, -5.996464547107982), (1, -1.8862943611198906), (7, -2.9403842120645773),
           (100, -46.7811241751318)]),
      (50, [(0.01, -404.8814420877586), (1, -179.72310297434214), (7, -87.3735056706318),
            (100, -3.5697638609256743)]),
    ]
    for (seed, (shape, points)) in references.enumerated() {
      let d = try Gamma(shape: shape, scale: 2)
      var rng = RandomStream(seed: 10 + UInt64(seed))
      let xs = d.sample(&rng, count: n)
      XCTAssertTrue(xs.allSatisfy { $0 > 0 && $0.isFinite }, "Gamma(\(shape)) support")
      assertMoments(xs, mean: 2 * shape, variance: 4 * shape, "Gamma(\(shape))")
      assertKS(xs, d.cdf, "Gamma(\(shape))")
      for (x, ref) in points {
        assertRelative(d.logDensity(x), ref, 1e-10, "Gamma(\(shape)).logDensity(\(x))")
      }
    }
    // CDF: P(α, x/2) (mpmath.gammainc regularized).
    let small = try Gamma(shape: 0.3, scale: 2)
    assertRelative(small.cdf(0.01), 0.2270753717704627, 1e-12)
    assertRelative(small.cdf(1), 0.8138118046743926, 1e-12)
    assertRelative(small.cdf(7), 0.9963954160554082, 1e-12)
    assertRelative(try Gamma(shape: 50, scale: 2).cdf(100), 0.5188083154720433, 1e-12)
    // The rate initialiser is the scale initialiser with scale 1/rate.
    XCTAssertEqual(try Gamma(shape: 2, rate: 0.25).scale, 4)
    XCTAssertEqual(small.logDensity(0), .infinity)
    XCTAssertEqual(try Gamma(shape: 1, scale: 2).logDensity(0), -log(2))
  }

  /// A very small shape: the log-space boosting keeps draws positive and the CDF fit exact.
  func testGammaTinyShape() throws {
    let d = try Gamma(shape: 0.05, scale: 1)
    var rng = RandomStream(seed: 14)
    let xs = d.sample(&rng, count: n)
    XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0.isFinite })
    assertKS(xs, d.cdf, "Gamma(0.05)")
  }

  func testChiSquared() throws {
    let d = try ChiSquared(df: 3)
    var rng = RandomStream(seed: 15)
    let xs = d.sample(&rng, count: n)
    assertMoments(xs, mean: 3, variance: 6, "ChiSquared(3)")
    assertKS(xs, d.cdf, "ChiSquared(3)")
    for (x, ref) in [(0.5, -1.5155121234846454), (3, -1.869632388870618),
                     (12, -5.676485208310672)] {
      assertRelative(d.logDensity(x), ref, 1e-10, "ChiSquared.logDensity(\(x))")
    }
    assertRelative(d.cdf(3), 0.608374823728911, 1e-12)
  }

  func testBeta() throws {
    let cases: [(Double, Double, [(Double, Double)])] = [
      (0.5, 0.5, [(0.01, 1.1628803750713963), (0.3, -0.364406011717066), (0.9, 0.05924291847653592)]),
      (2, 5, [(0.01, -1.2441741477399417), (0.3, 0.7705248015812899), (0.9, -5.9145035059718545)]),
      (4.9395, 2.1169, [(0.01, -14.609240272959774), (0.3, -1.5973682126721072),
                        (0.9, 0.5572278530560315)]),
    ]
    for (i, (a, b, points)) in cases.enumerated() {
      let d = try Beta(a: a, b: b)
      var rng = RandomStream(seed: 20 + UInt64(i))
      let xs = d.sample(&rng, count: n)
      XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 <= 1 }, "Beta(\(a), \(b)) support")
      assertMoments(xs, mean: a / (a + b), variance: a * b / ((a + b) * (a + b) * (a + b + 1)),
                    "Beta(\(a), \(b))")
      assertKS(xs, d.cdf, "Beta(\(a), \(b))")
      for (x, ref) in points {
        assertRelative(d.logDensity(x), ref, 1e-10, "Beta(\(a), \(b)).logDensity(\(x))")
      }
    }
    // I_x(a, b) (mpmath.betainc regularized); Beta(2, 5) in closed form 1 − (1−x)⁶ − 6x(1−x)⁵.
    assertRelative(try Beta(a: 0.5, b: 0.5).cdf(0.3), 0.36901011956554536, 1e-12)
    assertRelative(try Beta(a: 4.9395, b: 2.1169).cdf(0.9), 0.9049891193012443, 1e-12)
    assertRelative(try Beta(a: 2, b: 5).cdf(0.3), 1 - pow(0.7, 6) - 6 * 0.3 * pow(0.7, 5), 1e-12)
  }

  /// Small shapes, where the gamma draws underflow and the log-space path is needed.
  func testBetaSmallShapes() throws {
    let d = try Beta(a: 0.1, b: 0.2)
    var rng = RandomStream(seed: 23)
    let xs = d.sample(&rng, count: n)
    XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 <= 1 })
    assertMoments(xs, mean: d.mean, variance: d.variance, "Beta(0.1, 0.2)")
    assertKS(xs, d.cdf, "Beta(0.1, 0.2)")
  }

  /// t(4): its fourth moment is infinite, so the variance has no usable standard error;
  /// instead E|X − μ| = s (for ν = 4: 2s√ν Γ(5/2)/(√π (ν−1) Γ(2)) = s) is checked, whose
  /// variance E[(X−μ)²] − s² = s² is finite. t(10) checks the variance sν/(ν−2).
  func testStudentT() throws {
    let d = try StudentT(df: 4, loc: 1, scale: 2)
    var rng = RandomStream(seed: 30)
    let xs = d.sample(&rng, count: n)
    let z = momentZScores(xs, mean: 1, variance: d.variance)
    XCTAssertLessThan(abs(z.mean), 5, "t(4) mean")
    assertMean(xs.map { abs($0 - 1) }, 2, "t(4) E|X − μ|")
    assertKS(xs, d.cdf, "t(4)")
    XCTAssertEqual(d.variance, 8)
    for (x, ref) in [(-10.0, -7.042456942542531), (0, -1.8255379881127587),
                     (1, -1.6739764335716716), (5, -3.4068443849715346)] {
      assertRelative(d.logDensity(x), ref, 1e-10, "t(4).logDensity(\(x))")
    }
    for (x, ref) in [(-10.0, 0.0026640642123234577), (0, 0.32166498159093165), (1, 0.5),
                     (5, 0.9419417382415922)] {
      assertRelative(d.cdf(x), ref, 1e-12, "t(4).cdf(\(x))")
    }

    let t10 = try StudentT(df: 10)
    let ys = t10.sample(&rng, count: n)
    assertMoments(ys, mean: 0, variance: 1.25, "t(10)")
    assertKS(ys, t10.cdf, "t(10)")
  }

  /// κ = 0.01, 1, 50: with μ = 0 the linear mean is 0 and E[X²] = ∫ x² p(x) dx (Simpson,
  /// 20 000 panels, independent of the sampler); E[cos(X − μ)] = I₁(κ)/I₀(κ); KS against the
  /// Fourier-series CDF, with μ = 0 and with μ = 2.8 (mass wrapping across ±π).
  func testVonMises() throws {
    let resultantLengths = [0.004999937501041649, 0.4463899658965345, 0.9899489673784978]
    for (i, kappa) in [0.01, 1, 50].enumerated() {
      let d = try VonMises(mu: 0, kappa: kappa)
      var rng = RandomStream(seed: 40 + UInt64(i))
      let xs = d.sample(&rng, count: n)
      XCTAssertTrue(xs.allSatisfy { $0 > -Double.pi && $0 <= Double.pi }, "VonMises(\(kappa)) support")
      let panels = 20_000
      let h = 2 * Double.pi / Double(panels)
      var secondMoment = 0.0
      for j in 0...panels {
        let x = -Double.pi + Double(j) * h
        let weight: Double = j == 0 || j == panels ? 1 : j % 2 == 1 ? 4 : 2
        secondMoment += weight * x * x * exp(d.logDensity(x))
      }
      secondMoment *= h / 3
      assertMoments(xs, mean: 0, variance: secondMoment, "VonMises(κ = \(kappa))")
      assertRelative(d.meanResultantLength, resultantLengths[i], 1e-12, "A₁(\(kappa))")
      assertMean(xs.map { cos($0) }, resultantLengths[i], "VonMises(κ = \(kappa)) E cos X")
      assertKS(xs, d.cdf, "VonMises(κ = \(kappa))")

      let shifted = try VonMises(mu: 2.8, kappa: kappa)
      let ys = shifted.sample(&rng, count: n)
      XCTAssertTrue(ys.allSatisfy { $0 > -Double.pi && $0 <= Double.pi })
      assertKS(ys, shifted.cdf, "VonMises(μ = 2.8, κ = \(kappa))")
    }
  }

  /// log-density and CDF with μ = 0.5 against mpmath (CDF by quadrature of the density).
  func testVonMisesReferenceValues() throws {
    let cases: [(Double, [Double], [Double])] = [
      (0.01, [-1.8472666331260053, -1.8291262406341935, -1.8279020662530971, -1.8371946942364201],
             [0.022330799440151865, 0.49847395577933573, 0.5788161234629332, 0.8191363594181525]),
      (1, [-3.0102481122073206, -1.1962088630261514, -1.0737914249165241, -2.0030542232488213],
          [0.007176197705398617, 0.3600338629292205, 0.5241103375342135, 0.9051342890477916]),
      (50, [-95.78828693282097, -5.086324473762514, 1.0345474317188499, -45.42859248489601],
           [2.0328589337413995e-42, 0.00024177224012052702, 0.5, 1.0]),
    ]
    for (kappa, logDensities, cdfs) in cases {
      let d = try VonMises(mu: 0.5, kappa: kappa)
      for (j, x) in [-3.0, 0, 0.5, 2].enumerated() {
        assertRelative(d.logDensity(x), logDensities[j], 1e-10, "VonMises(\(kappa)).logDensity(\(x))")
        // Absolute 10⁻¹² for the CDF (its far-left tail at κ = 50 is 2·10⁻⁴² ≈ 0).
        XCTAssertEqual(d.cdf(x), cdfs[j], accuracy: 1e-12, "VonMises(\(kappa)).cdf(\(x))")
      }
    }
    XCTAssertEqual(try VonMises(mu: 0.5, kappa: 1).logDensity(4), -.infinity)
    // μ is reduced to (−π, π].
    XCTAssertEqual(try VonMises(mu: 3 * Double.pi, kappa: 1).mu, Double.pi, accuracy: 1e-12)
  }

  /// κ = 0: uniform on the circle.
  func testVonMisesZeroConcentration() throws {
    let d = try VonMises(mu: 1, kappa: 0)
    var rng = RandomStream(seed: 45)
    let xs = d.sample(&rng, count: n)
    assertMoments(xs, mean: 0, variance: Double.pi * Double.pi / 3, "VonMises(κ = 0)")
    assertKS(xs, { ($0 + Double.pi) / (2 * Double.pi) }, "VonMises(κ = 0)")
    assertRelative(d.logDensity(0.3), -log(2 * Double.pi))
  }

  /// Each of Robert's four proposals (normal, uniform, exponential, uniform in the tail) and a
  /// mirrored interval: moments against the closed forms (also against mpmath quadrature),
  /// KS, log-density and CDF against mpmath.
  func testTruncatedNormal() throws {
    struct Case {
      let mean, sd, lower, upper: Double
      let momentRefs: (Double, Double)?
      let logDensityRefs: [(Double, Double)]
      let cdfRef: (Double, Double)?
    }
    let cases = [
      // Standardised [−0.75, 1.25]: uniform proposal.
      Case(mean: 0.5, sd: 2, lower: -1, upper: 3, momentRefs: (0.8549027639677393, 1.1533678400475529),
           logDensityRefs: [(-1, -1.4894536628942887), (0, -1.2394536628942887), (2.5, -1.7082036628942887)],
           cdfRef: (0, 0.2615850508539647)),
      // The benchmark posterior's coordinate: N(x, 0.1) on [−1, 1]; normal proposal.
      Case(mean: 0, sd: 0.1.squareRoot(), lower: -1, upper: 1, momentRefs: nil,
           logDensityRefs: [(-0.9, -3.816079357927365), (0.2, 0.033920642072634906)], cdfRef: nil),
      // Far tail [8σ, ∞): exponential proposal.
      Case(mean: 0, sd: 1, lower: 8, upper: .infinity, momentRefs: (8.121368112236112, 0.014324883443340911),
           logDensityRefs: [(8, 2.094498626709877), (8.1, 1.28949862670988), (9, -6.4055013732901225)],
           cdfRef: (8.1, 0.5582741025938908)),
      // Mirrored far tail (−∞, −10σ] around μ = 1.
      Case(mean: 1, sd: 0.5, lower: -.infinity, upper: -4, momentRefs: (-4.049046616981256, 0.0023613444564140654),
           logDensityRefs: [(-4.05, 2.0004937978677466), (-4.2, -1.0745062021322604)],
           cdfRef: (-4.2, 0.016268896206440633)),
      // Narrow far-tail interval [8, 8.1]: uniform proposal in the tail.
      Case(mean: 0, sd: 1, lower: 8, upper: 8.1, momentRefs: nil, logDensityRefs: [], cdfRef: nil),
    ]
    for (i, c) in cases.enumerated() {
      let d = try TruncatedNormal(mean: c.mean, sd: c.sd, lower: c.lower, upper: c.upper)
      let label = "TruncatedNormal(\(c.mean), \(c.sd), [\(c.lower), \(c.upper)])"
      var rng = RandomStream(seed: 50 + UInt64(i))
      let xs = d.sample(&rng, count: n)
      XCTAssertTrue(xs.allSatisfy { $0 >= c.lower && $0 <= c.upper }, "\(label) support")
      assertMoments(xs, mean: d.mean, variance: d.variance, label)
      assertKS(xs, d.cdf, label)
      if let refs = c.momentRefs {
        assertRelative(d.mean, refs.0, 1e-12, "\(label).mean")
        // The closed-form variance cancels in far tails (documented: 3·10⁻¹¹ at α = 8).
        assertRelative(d.variance, refs.1, 1e-10, "\(label).variance")
      }
      for (x, ref) in c.logDensityRefs {
        assertRelative(d.logDensity(x), ref, 1e-10, "\(label).logDensity(\(x))")
      }
      if let ref = c.cdfRef { assertRelative(d.cdf(ref.0), ref.1, 1e-10, "\(label).cdf(\(ref.0))") }
    }
  }

  /// The checks above must be able to fail: draws from one distribution are tested against a
  /// slightly different one, and the statistics must reject.
  func testChecksRejectWrongDistributions() throws {
    var rng = RandomStream(seed: 60)
    let xs = try Normal(mean: 0, sd: 1).sample(&rng, count: n)
    // Variance 4% off: about 9 standard errors (SE of s² is √(2/n) = 0.0045).
    XCTAssertGreaterThan(abs(momentZScores(xs, mean: 0, variance: 1.04).variance), 5)
    // Mean 0.02 off: about 6 standard errors.
    XCTAssertGreaterThan(abs(momentZScores(xs, mean: 0.02, variance: 1).mean), 5)
    // sd 5% off: D ≈ 0.012, twice the critical value.
    let wide = try Normal(mean: 0, sd: 1.05)
    XCTAssertGreaterThan(ksStatistic(xs, wide.cdf), ksCritical(n))
    // A Gamma(2) sample is not Gamma(2.05).
    let gammaDraws = try Gamma(shape: 2, scale: 1).sample(&rng, count: n)
    XCTAssertGreaterThan(ksStatistic(gammaDraws, try Gamma(shape: 2.05, scale: 1).cdf), ksCritical(n))
  }

  func testInvalidParametersThrow() {
    XCTAssertThrowsError(try Gamma(shape: -1, scale: 1)) { error in
      XCTAssertEqual("\(error)", "Gamma: shape must be finite and > 0, got -1.0")
    }
    XCTAssertThrowsError(try Normal(mean: 0, sd: -1)) { error in
      XCTAssertEqual("\(error)", "Normal: sd must be finite and > 0, got -1.0")
    }
    XCTAssertThrowsError(try Normal(mean: .nan, sd: 1))
    XCTAssertThrowsError(try Uniform(lower: 1, upper: 1))
    XCTAssertThrowsError(try LogNormal(mu: 0, sigma: 0))
    XCTAssertThrowsError(try Exponential(rate: 0))
    XCTAssertThrowsError(try Exponential(scale: .infinity))
    XCTAssertThrowsError(try Beta(a: 0, b: 1))
    XCTAssertThrowsError(try Beta(a: 1, b: .nan))
    XCTAssertThrowsError(try StudentT(df: 0))
    XCTAssertThrowsError(try StudentT(df: 3, loc: 0, scale: -2))
    XCTAssertThrowsError(try VonMises(mu: 0, kappa: -0.1))
    XCTAssertThrowsError(try ChiSquared(df: 0))
    XCTAssertThrowsError(try TruncatedNormal(mean: 0, sd: 1, lower: 2, upper: 1))
    // Φ(60) − Φ(50) underflows in linear space but not in log space: accepted.
    XCTAssertNoThrow(try TruncatedNormal(mean: 0, sd: 1, lower: 50, upper: 60))
    // Beyond any representable mass.
    XCTAssertThrowsError(try TruncatedNormal(mean: 0, sd: 1, lower: 1e160, upper: .infinity))
  }
}
