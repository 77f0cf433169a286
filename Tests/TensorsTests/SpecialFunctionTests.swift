import Tensors
import XCTest

/// Special functions against mpmath (40 digits); each group lists its mpmath call. Where
/// scipy disagrees with mpmath beyond 10⁻¹² the mpmath value is used (noted).
final class SpecialFunctionTests: XCTestCase {
  /// mp.gammainc(a, 0, x, regularized=True) and mp.gammainc(a, x, mp.inf, regularized=True).
  func testRegularizedIncompleteGamma() {
    let lower: [(Double, Double, Double)] = [
      (0.3, 0.1, 0.5459128495917965), (1, 2, 0.8646647167633873), (2.5, 1.5, 0.3000141641213725),
      (50, 45, 0.24680203440017026), (50, 60, 0.9155933189063081), (1e4, 9950, 0.3094178848611826),
    ]
    for (a, x, ref) in lower {
      assertRelative(SpecialFunctions.regularizedGammaP(a, x), ref, 1e-12, "P(\(a), \(x))")
      assertRelative(SpecialFunctions.regularizedGammaQ(a, x), 1 - ref, 1e-13, "Q(\(a), \(x))")
    }
    let upper: [(Double, Double, Double)] = [
      (0.5, 3, 0.01430587843542964), (7, 20, 0.0002551224958563007), (1e4, 10200, 0.023287322133598805),
    ]
    for (a, x, ref) in upper {
      assertRelative(SpecialFunctions.regularizedGammaQ(a, x), ref, 1e-13, "Q(\(a), \(x))")
    }
    XCTAssertEqual(SpecialFunctions.regularizedGammaP(2, 0), 0)
    XCTAssertEqual(SpecialFunctions.regularizedGammaQ(2, .infinity), 0)
    XCTAssertTrue(SpecialFunctions.regularizedGammaP(-1, 1).isNaN)
  }

  /// mp.betainc(a, b, 0, x, regularized=True).
  func testRegularizedIncompleteBeta() {
    let cases: [(Double, Double, Double, Double)] = [
      (0.5, 0.5, 0.2, 0.2951672353008666), (2, 5, 0.3, 0.5798249999999999),
      (4.9395, 2.1169, 0.8, 0.6900702401684652), (0.1, 0.2, 0.9, 0.7804880320024467),
      (100, 50, 0.65, 0.3270416771496075), (1000, 10, 0.99, 0.4460422708455085),
    ]
    for (a, b, x, ref) in cases {
      assertRelative(SpecialFunctions.regularizedBeta(x, a, b), ref, 1e-12, "I_\(x)(\(a), \(b))")
    }
    XCTAssertEqual(SpecialFunctions.regularizedBeta(0, 2, 3), 0)
    XCTAssertEqual(SpecialFunctions.regularizedBeta(1, 2, 3), 1)
  }

  /// mp.log(mp.beta(a, b)); scipy.special.betaln(1e6, 1e3) is off by 10⁻¹⁰ (relative).
  func testLogBeta() {
    let cases: [(Double, Double, Double)] = [
      (0.5, 0.5, 1.1447298858494002), (2, 5, -3.4011973816621555), (15, 30, -28.869010999450204),
      (3, 200, -15.216742791448372), (1e6, 1e3, -7910.78946842146),
    ]
    for (a, b, ref) in cases {
      assertRelative(SpecialFunctions.logBeta(a, b), ref, 1e-13, "log B(\(a), \(b))")
    }
  }

  /// mp.loggamma(x+1) − (x+½)·mp.log(x) + x − mp.log(2π)/2, on both sides of the switch at 10.
  func testStirlingError() {
    let cases: [(Double, Double)] = [
      (0.3, 0.23606490074821557), (1, 0.08106146679532726), (7, 0.01189670994589177),
      (9.5, 0.008768700134139386), (10, 0.00833056343336287), (15.5, 0.005375599032926835),
      (100, 0.0008333305556349147), (1e6, 8.333333333333056e-08),
    ]
    for (x, ref) in cases {
      assertRelative(SpecialFunctions.stirlingError(x), ref, 1e-12, "δ(\(x))")
    }
  }

  /// mp.log(mp.besseli(0, x)) across the switch from series to asymptotic expansion at 25,
  /// and mp.besseli(1, x)/mp.besseli(0, x).
  func testBessel() {
    let logI0: [(Double, Double)] = [
      (0.01, 2.499984375173609e-05), (1, 0.23591435850717865), (10, 7.942972083118695),
      (24.9, 22.378752955946688), (25.1, 22.574711224613928), (50, 47.1275755018718),
      (700, 695.8056999984434),
    ]
    for (x, ref) in logI0 {
      assertRelative(SpecialFunctions.logBesselI0(x), ref, 1e-13, "log I₀(\(x))")
    }
    let ratios: [(Double, Double)] = [
      (0.01, 0.004999937501041649), (1, 0.4463899658965345), (50, 0.9899489673784978),
      (1e4, 0.999949998749875),
    ]
    for (x, ref) in ratios {
      assertRelative(SpecialFunctions.besselI1OverI0(x), ref, 1e-13, "I₁/I₀(\(x))")
    }
    XCTAssertEqual(SpecialFunctions.logBesselI0(0), 0)
  }

  /// log(1 − Φ(z)) = mp.log(mp.erfc(z/√2)/2) across the switch at 30;
  /// log(Φ(hi) − Φ(lo)) = mp.log((mp.erfc(lo/√2) − mp.erfc(hi/√2))/2), at mp.dps = 100 since
  /// the difference cancels in mpmath too for left-tail intervals.
  func testNormalTails() {
    let tails: [(Double, Double)] = [
      (-5, -2.866516129637636e-07), (0, -0.6931471805599453), (3, -6.607726221510349),
      (10, -53.23128515051247), (29.9, -451.32291245852866), (30.1, -457.32956441638225),
      (40, -804.6084420137538), (100, -5005.524208694205),
    ]
    for (z, ref) in tails {
      assertRelative(SpecialFunctions.logStandardNormalTail(z), ref, 1e-13, "log Q(\(z))")
    }
    let masses: [(Double, Double, Double)] = [
      (-1, 2, -0.2001662943244626), (0.1, 0.5, -1.8862814413695757), (-0.5, -0.1, -1.8862814413695757),
      (8, 9, -35.01361859343715), (10, .infinity, -53.23128515051247),
      (-.infinity, -12, -75.4106730015688), (35, 36, -616.9751012619225),
      (-3, 3, -0.002703447085475963), (0.5, 3, -1.180296510632677),
    ]
    for (lo, hi, ref) in masses {
      assertRelative(SpecialFunctions.logStandardNormalMass(lo, hi), ref, 1e-12, "log mass [\(lo), \(hi)]")
    }
    // scipy.stats.norm.cdf.
    for (z, ref) in [(-10.0, 7.61985302416047e-24), (-1, 0.15865525393145707),
                     (0.5, 0.6914624612740131), (3, 0.9986501019683699)] {
      assertRelative(SpecialFunctions.standardNormalCDF(z), ref, 1e-13, "Φ(\(z))")
    }
  }
}
