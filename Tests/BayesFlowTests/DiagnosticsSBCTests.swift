import XCTest
import BayesFlow
import Tensors

final class DiagnosticsSBCTests: XCTestCase {
  /// Statistic: "the rank ECDF lies inside the simultaneous 95% band" for one calibration run of
  /// M = 100 data sets × L = 99 exact posterior draws. Null distribution: under calibration each
  /// run is inside with probability ≈ 0.95 (≥ 0.95 − Monte Carlo error of γ), so the number of
  /// R = 400 independent runs inside is ~ Bin(400, 0.95): mean 380, SE 4.36. We accept
  /// 380 ± 3 SE. A pointwise band (γ = 0.05) would fail here: its simultaneous coverage for
  /// 99 points is far below 95%.
  func testExactPosteriorStaysInsideBandInAbout95PercentOfRuns() {
    let m = 100, l = 99, runs = 400
    let band = ECDFBand(sampleSize: m, draws: l)
    XCTAssertLessThan(band.gamma, 0.05 / 4, "simultaneous band needs a much smaller pointwise level")
    var rng = RandomStream(seed: 13)
    var inside = 0
    for _ in 0..<runs {
      let (truths, draws) = ConjugateNormalFixture().sample(simulations: m, draws: l, rng: &rng)
      let s = MarginalSummaries(truths: truths, draws: draws, levels: [0.5])
      if RankStatistics(ranks: s.ranks, band: band).insideBand { inside += 1 }
    }
    let se = (Double(runs) * 0.95 * 0.05).squareRoot()
    XCTAssertLessThanOrEqual(abs(Double(inside) - 0.95 * Double(runs)), 3 * se, "\(inside) of \(runs) runs inside")
  }

  /// Power: an over-confident posterior (sd × 0.5) and one biased by +1 posterior sd give rank
  /// distributions far from uniform (∪-shaped; skewed). With M = 100 data sets each is flagged
  /// in essentially every run; we require ≥ 47 of 50 runs (a power of 0.94 or less would pass
  /// this with probability < 0.5).
  func testOverconfidentAndBiasedPosteriorsAreFlagged() {
    let m = 100, l = 99, runs = 50
    let band = ECDFBand(sampleSize: m, draws: l)
    var rng = RandomStream(seed: 17)
    for (label, fixture) in [("over-confident", ConjugateNormalFixture(scale: 0.5)), ("biased", ConjugateNormalFixture(shift: 1))] {
      var flagged = 0, chiRejects = 0
      for _ in 0..<runs {
        let (truths, draws) = fixture.sample(simulations: m, draws: l, rng: &rng)
        let s = MarginalSummaries(truths: truths, draws: draws, levels: [0.5])
        let r = RankStatistics(ranks: s.ranks, band: band)
        if !r.insideBand { flagged += 1 }
        if r.chiSquarePValue < 0.01 { chiRejects += 1 }
      }
      XCTAssertGreaterThanOrEqual(flagged, 47, "\(label): flagged in \(flagged) of \(runs) runs")
      XCTAssertGreaterThanOrEqual(chiRejects, 40, "\(label): χ² rejected in \(chiRejects) of \(runs) runs")
    }
  }

  /// The band is built on exact binomial counts: ranks spread perfectly evenly give an ECDF
  /// equal to zᵢ at every point, which must lie inside, with zero deviation where zᵢ·N is whole.
  func testBandContainsTheUniformECDFAndIsReproducible() {
    let m = 200, l = 199
    let band = ECDFBand(sampleSize: m, draws: l)
    XCTAssertEqual(band.points.count, 199)
    let even = Array(0..<200)
    let r = RankStatistics(ranks: even, band: band)
    XCTAssertTrue(r.insideBand)
    XCTAssertEqual(r.maxECDFDeviation, 0, accuracy: 1e-12)
    XCTAssertEqual(r.chiSquare, 0, accuracy: 1e-12)
    XCTAssertEqual(r.chiSquarePValue, 1, accuracy: 1e-12)
    for i in band.points.indices {
      XCTAssertLessThanOrEqual(band.lower[i], Int((band.points[i] * Double(m)).rounded(.down)))
      XCTAssertGreaterThanOrEqual(band.upper[i], Int((band.points[i] * Double(m)).rounded(.up)))
    }
    let again = ECDFBand(sampleSize: m, draws: l)
    XCTAssertEqual(again.lower, band.lower)
    XCTAssertEqual(again.upper, band.upper)
    // All ranks at L (truth above every draw): the ECDF is 0 everywhere — far outside.
    XCTAssertFalse(RankStatistics(ranks: [Int](repeating: l, count: m), band: band).insideBand)
  }

  /// Fewer evaluation points than rank values: thresholds are rounded multiples of (L+1)/K.
  func testEvaluationPointsAreExactRankThresholds() {
    let band = ECDFBand(sampleSize: 50, draws: 999, simulations: 500)
    XCTAssertEqual(band.points.count, 49)
    XCTAssertEqual(band.thresholds.first, 20)
    XCTAssertEqual(band.counts([0, 19, 20, 999] + [Int](repeating: 500, count: 46))[0], 2)
  }

  /// χ² survival function against closed forms: df = 2 gives e^(−x/2); df = 1 at the 95%
  /// critical value 3.841458820694124 gives 0.05; Q(1, x) = e^(−x) through the series and the
  /// continued fraction branches.
  func testChiSquarePValuesAgainstClosedForms() {
    let band = ECDFBand(sampleSize: 10, draws: 1, simulations: 200)
    // L = 1: two rank values, two bins. Ranks 8 × 0 and 2 × 1: χ² = (8−5)²/5 + (2−5)²/5 = 3.6, df 1.
    let r = RankStatistics(ranks: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1], band: band)
    XCTAssertEqual(r.chiSquare, 3.6, accuracy: 1e-12)
    // P(χ²₁ ≥ 3.6) = erfc(√1.8).
    XCTAssertEqual(r.chiSquarePValue, erfc((1.8).squareRoot()), accuracy: 1e-12)
    // Histogram bands: Bin(10, 1/2) central 99%: [1, 9].
    let hb = r.histogramBand(level: 0.99)
    XCTAssertEqual(hb.lower, [1, 1])
    XCTAssertEqual(hb.upper, [9, 9])
  }
}
