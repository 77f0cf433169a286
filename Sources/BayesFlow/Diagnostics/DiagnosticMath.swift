import Foundation
import Tensors

/// Log-factorial tables and the χ² tail for the p-values of the diagnostics (the special
/// functions themselves are `Tensors.SpecialFunctions`).
enum DiagnosticMath {
  /// ln Γ(x) for x > 0 (the C library's `lgamma`).
  @inline(__always) static func logGamma(_ x: Double) -> Double { Foundation.lgamma(x) }

  /// ln k! for k = 0…n, as a table: `table[k] = ln Γ(k + 1)`.
  static func logFactorials(upTo n: Int) -> [Double] {
    (0...n).map { logGamma(Double($0) + 1) }
  }

  /// P(χ²ₖ > x) = Q(k/2, x/2), the regularized upper incomplete gamma function.
  static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Int) -> Double {
    Tensors.SpecialFunctions.regularizedGammaQ(Double(k) / 2, x / 2)
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
