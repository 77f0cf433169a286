import Foundation

/// Special functions for the p-values of the diagnostics.
enum SpecialFunctions {
  /// ln Γ(x) for x > 0 (the C library's `lgamma`).
  @inline(__always) static func logGamma(_ x: Double) -> Double { Foundation.lgamma(x) }

  /// ln k! for k = 0…n, as a table: `table[k] = ln Γ(k + 1)`.
  static func logFactorials(upTo n: Int) -> [Double] {
    (0...n).map { logGamma(Double($0) + 1) }
  }

  /// The regularised upper incomplete gamma function
  ///
  ///     Q(a, x) = Γ(a, x)/Γ(a) = 1/Γ(a) ∫ₓ^∞ t^(a−1) e^(−t) dt,   a > 0, x ≥ 0.
  ///
  /// For x < a + 1 by the series of P = 1 − Q, γ(a, x) = e^(−x) x^a Σₙ xⁿ/(a(a+1)…(a+n));
  /// otherwise by the Lentz continued fraction of Γ(a, x) (Numerical Recipes §6.2), so that
  /// the small tail probabilities that matter for p-values never come from 1 − P (cancellation).
  /// Relative accuracy about 1e-14.
  static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
    precondition(a > 0, "regularizedGammaQ needs a > 0")
    if x <= 0 { return 1 }
    let logPrefactor = -x + a * Foundation.log(x) - logGamma(a)
    if x < a + 1 {
      var term = 1 / a, sum = term, ap = a
      for _ in 0..<10_000 {
        ap += 1
        term *= x / ap
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
      }
      return max(0, 1 - sum * Foundation.exp(logPrefactor))
    }
    let tiny = 1e-300
    var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
    for i in 1..<10_000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return min(1, Foundation.exp(logPrefactor) * h)
  }

  /// P(χ²_k ≥ x), the survival function of the chi-square distribution with k degrees of
  /// freedom: Q(k/2, x/2).
  static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Int) -> Double {
    regularizedGammaQ(Double(k) / 2, x / 2)
  }
}

/// The distribution function of X ~ Binomial(n, p) tabulated at every count c = 0…n, with
/// both tails summed from their own ends so that neither loses precision to 1 − (…):
///
///     cdf[c] = P(X ≤ c) = Σ_{k≤c} C(n,k) pᵏ (1−p)ⁿ⁻ᵏ,    sf[c] = P(X ≥ c) = Σ_{k≥c} …
///
/// The probabilities are evaluated in log space (ln C(n,k) from a table of ln k!).
struct BinomialTable {
  let n: Int
  let cdf: [Double]
  let sf: [Double]

  init(n: Int, p: Double, logFactorials lf: [Double]) {
    precondition(lf.count > n, "BinomialTable: ln k! table too short")
    self.n = n
    var pmf = [Double](repeating: 0, count: n + 1)
    if p <= 0 {
      pmf[0] = 1
    } else if p >= 1 {
      pmf[n] = 1
    } else {
      let lp = Foundation.log(p), lq = Foundation.log1p(-p)
      for k in 0...n {
        pmf[k] = Foundation.exp(lf[n] - lf[k] - lf[n - k] + Double(k) * lp + Double(n - k) * lq)
      }
    }
    var lower = [Double](repeating: 0, count: n + 1), upper = lower
    var s = 0.0
    for k in 0...n { s += pmf[k]; lower[k] = min(s, 1) }
    s = 0
    for k in stride(from: n, through: 0, by: -1) { s += pmf[k]; upper[k] = min(s, 1) }
    cdf = lower
    sf = upper
  }

  /// The two-sided tail probability of observing c: min(1, 2·min(P(X ≤ c), P(X ≥ c))).
  @inline(__always) func twoSided(_ c: Int) -> Double { min(1, 2 * min(cdf[c], sf[c])) }

  /// The q-quantile: the smallest c with P(X ≤ c) ≥ q.
  func quantile(_ q: Double) -> Int {
    var lo = 0, hi = n
    while lo < hi {
      let mid = (lo + hi) / 2
      if cdf[mid] >= q { hi = mid } else { lo = mid + 1 }
    }
    return lo
  }
}

/// The q-quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan 1996 type 7, the default of R and NumPy):
///
///     h = (n − 1)·q,   Q(q) = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)    (0-based order statistics)
@inline(__always)
func sortedQuantile(_ x: UnsafePointer<Double>, count n: Int, _ q: Double) -> Double {
  let h = Double(n - 1) * q
  let lo = min(max(Int(h), 0), n - 1)
  let hi = min(lo + 1, n - 1)
  return x[lo] + (h - Double(lo)) * (x[hi] - x[lo])
}

/// `sortedQuantile` over an array that is already sorted ascending.
func sortedQuantile(_ x: [Double], _ q: Double) -> Double {
  precondition(!x.isEmpty, "quantile of no values")
  return x.withUnsafeBufferPointer { sortedQuantile($0.baseAddress!, count: $0.count, q) }
}
