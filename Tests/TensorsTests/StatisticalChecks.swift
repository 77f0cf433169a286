import XCTest
import Tensors

// Goodness-of-fit checks shared by the distribution tests (STYLE.md §12): each names its
// statistic, its null distribution and its critical value, so a seed change passes almost
// always while a wrong mean, variance or shape fails.

/// Standardised errors of the sample mean and variance of `xs` against the claimed `mean` and
/// `variance`: z = (x̄ − μ)/√(σ²/n) and z = (s² − σ²)/√((μ̂₄ − s⁴)/n), with s² the unbiased
/// sample variance and μ̂₄ the sample fourth central moment (Var(s²) ≈ (μ₄ − σ⁴)/n).
func momentZScores(_ xs: [Double], mean: Double, variance: Double) -> (mean: Double, variance: Double) {
  let n = Double(xs.count)
  let m = xs.reduce(0, +) / n
  var s2 = 0.0, s4 = 0.0
  for x in xs {
    let d = (x - m) * (x - m)
    s2 += d
    s4 += d * d
  }
  let sampleVariance = s2 / (n - 1)
  let mu4 = s4 / n
  let zMean = (m - mean) / (variance / n).squareRoot()
  let zVariance = (sampleVariance - variance)
    / ((mu4 - sampleVariance * sampleVariance) / n).squareRoot()
  return (zMean, zVariance)
}

/// Asserts |z| < 5 for the sample mean and variance (two-sided P(false failure) ≈ 6·10⁻⁷ each).
func assertMoments(_ xs: [Double], mean: Double, variance: Double, _ label: String,
                   file: StaticString = #filePath, line: UInt = #line) {
  let z = momentZScores(xs, mean: mean, variance: variance)
  XCTAssertLessThan(abs(z.mean), 5, "\(label): sample mean is \(z.mean) SE from \(mean)",
                    file: file, line: line)
  XCTAssertLessThan(abs(z.variance), 5,
                    "\(label): sample variance is \(z.variance) SE from \(variance)",
                    file: file, line: line)
}

/// Asserts that the sample mean of `xs` is within 5 standard errors of `mean`, the standard
/// error estimated from the sample (for statistics whose variance has no simple closed form).
func assertMean(_ xs: [Double], _ mean: Double, _ label: String,
                file: StaticString = #filePath, line: UInt = #line) {
  let n = Double(xs.count)
  let m = xs.reduce(0, +) / n
  let s2 = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
  let z = (m - mean) / (s2 / n).squareRoot()
  XCTAssertLessThan(abs(z), 5, "\(label): sample mean \(m) is \(z) SE from \(mean)",
                    file: file, line: line)
}

/// The Kolmogorov–Smirnov statistic D = supₓ |Fₙ(x) − F(x)| of `xs` against `cdf`.
func ksStatistic(_ xs: [Double], _ cdf: (Double) -> Double) -> Double {
  let sorted = xs.sorted()
  let n = Double(sorted.count)
  var d = 0.0
  for (i, x) in sorted.enumerated() {
    let f = cdf(x)
    d = max(d, f - Double(i) / n, Double(i + 1) / n - f)
  }
  return d
}

/// The critical value of D at α = 0.001: K⁻¹(0.999)/√n = 1.94947/√n (Kolmogorov's asymptotic
/// distribution; the finite-n correction is below 0.1% at n = 10⁵).
func ksCritical(_ n: Int) -> Double { 1.94947 / Double(n).squareRoot() }

/// Asserts that the KS test does not reject `cdf` at α = 0.001.
func assertKS(_ xs: [Double], _ cdf: (Double) -> Double, _ label: String,
              file: StaticString = #filePath, line: UInt = #line) {
  let d = ksStatistic(xs, cdf)
  XCTAssertLessThan(d, ksCritical(xs.count),
                    "\(label): KS D = \(d), critical value \(ksCritical(xs.count)) at α = 0.001",
                    file: file, line: line)
}

/// Pearson's chi-square goodness-of-fit statistic of integer draws against `pmf` on
/// {0, 1, …}: cells are consecutive values, merged left to right until each expects ≥ 5 draws;
/// the right tail beyond the last cell (1 − Σ pmf) joins the last cell. Returns X² and its
/// degrees of freedom (cells − 1); under the null X² ~ χ²(df).
func chiSquare(_ draws: [Int], pmf: (Int) -> Double) -> (statistic: Double, df: Int) {
  let n = Double(draws.count)
  var observed = [Int](repeating: 0, count: (draws.max() ?? 0) + 1)
  for k in draws { observed[k] += 1 }
  func count(_ k: Int) -> Double { k < observed.count ? Double(observed[k]) : 0 }

  var cells: [(expected: Double, observed: Double)] = []
  var expected = 0.0, seen = 0.0, cumulative = 0.0
  var k = 0
  while true {
    let pk = pmf(k)
    cumulative += pk
    expected += n * pk
    seen += count(k)
    let rest = n * (1 - cumulative)
    if rest < 5 {
      // Close with the right tail: all remaining draws.
      let remaining = Double(draws.count) - cells.reduce(0) { $0 + $1.observed } - seen
      expected += max(rest, 0)
      seen += remaining
      if expected < 5, let last = cells.popLast() {
        expected += last.expected
        seen += last.observed
      }
      cells.append((expected, seen))
      break
    }
    if expected >= 5 {
      cells.append((expected, seen))
      expected = 0
      seen = 0
    }
    k += 1
  }
  let statistic = cells.reduce(0) { $0 + ($1.observed - $1.expected) * ($1.observed - $1.expected) / $1.expected }
  return (statistic, cells.count - 1)
}

/// The 0.999 quantile of χ²(df), by bisection on Q(df/2, x/2) = 0.001 (`regularizedGammaQ`,
/// itself checked against mpmath in `SpecialFunctionTests`).
func chiSquareCritical(df: Int) -> Double {
  var lo = 0.0, hi = 10.0 * Double(df) + 100
  for _ in 0..<200 {
    let mid = 0.5 * (lo + hi)
    if SpecialFunctions.regularizedGammaQ(Double(df) / 2, mid / 2) > 0.001 { lo = mid } else { hi = mid }
  }
  return 0.5 * (lo + hi)
}

/// Asserts that the chi-square test does not reject `pmf` at α = 0.001 (and that there are
/// enough cells for the test to mean something).
func assertChiSquare(_ draws: [Int], pmf: (Int) -> Double, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
  let (x2, df) = chiSquare(draws, pmf: pmf)
  XCTAssertGreaterThanOrEqual(df, 1, "\(label): too few cells", file: file, line: line)
  let critical = chiSquareCritical(df: df)
  XCTAssertLessThan(x2, critical,
                    "\(label): X² = \(x2) with \(df) df, critical value \(critical) at α = 0.001",
                    file: file, line: line)
}

/// Asserts |actual − expected| ≤ tolerance·|expected| (relative; absolute when expected = 0).
func assertRelative(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-10,
                    _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
  let scale = expected == 0 ? 1 : abs(expected)
  XCTAssertLessThanOrEqual(abs(actual - expected), tolerance * scale,
                           "\(label): \(actual) vs \(expected)", file: file, line: line)
}
