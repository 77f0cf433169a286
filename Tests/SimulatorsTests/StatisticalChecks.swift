import Foundation
import XCTest

/// Moment checks with tolerances from standard errors (STYLE §12).
///
/// For n i.i.d. draws of a coordinate with true mean μ and variance σ²: the sample mean has
/// SE σ/√n; the sample variance has SE √((m₄ − s⁴)/n), with m₄ and s² the sample's own
/// fourth central moment and variance (plug-in). A check fails beyond `sigmas` SE; at 5 SE a
/// false failure has probability ≈ 6·10⁻⁷ per check.
enum Moments {
  struct Summary {
    var mean: Double
    var variance: Double
    var varianceSE: Double
    var count: Int
  }

  static func summary(_ values: [Double]) -> Summary {
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    var m2 = 0.0, m4 = 0.0
    for v in values {
      let d = (v - mean) * (v - mean)
      m2 += d
      m4 += d * d
    }
    m2 /= n
    m4 /= n
    return Summary(mean: mean, variance: m2 * n / (n - 1), varianceSE: max(m4 - m2 * m2, 0).squareRoot() / n.squareRoot(),
                   count: values.count)
  }

  /// Asserts the mean and variance of column i of `draws` for every i.
  static func check(_ draws: [[Double]], mean: [Double], variance: [Double], sigmas: Double = 5,
                    _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    precondition(mean.count == variance.count)
    for i in 0..<mean.count {
      check(draws.map { $0[i] }, mean: mean[i], variance: variance[i], sigmas: sigmas, "\(label)[\(i)]",
            file: file, line: line)
    }
  }

  /// Asserts the mean and variance of `values`.
  static func check(_ values: [Double], mean: Double, variance: Double, sigmas: Double = 5,
                    _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let s = summary(values)
    let meanSE = (variance / Double(values.count)).squareRoot()
    XCTAssertLessThan(abs(s.mean - mean), sigmas * meanSE,
                      "\(label): mean \(s.mean), expected \(mean) (SE \(meanSE))", file: file, line: line)
    XCTAssertLessThan(abs(s.variance - variance), sigmas * s.varianceSE,
                      "\(label): variance \(s.variance), expected \(variance) (SE \(s.varianceSE))", file: file, line: line)
  }

  /// Asserts that the mean of `values` is `mean`, with the SE from the sample's own variance.
  static func checkMean(_ values: [Double], _ mean: Double, sigmas: Double = 5,
                        _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let s = summary(values)
    let se = (s.variance / Double(values.count)).squareRoot()
    XCTAssertLessThan(abs(s.mean - mean), sigmas * se,
                      "\(label): mean \(s.mean), expected \(mean) (SE \(se))", file: file, line: line)
  }

  /// Asserts that a fraction k/n estimates probability p (binomial SE √(p(1−p)/n)).
  static func checkFraction(_ k: Int, of n: Int, _ p: Double, sigmas: Double = 5,
                            _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let se = max(p * (1 - p), 1e-12).squareRoot() / Double(n).squareRoot()
    XCTAssertLessThan(abs(Double(k) / Double(n) - p), sigmas * se,
                      "\(label): fraction \(Double(k) / Double(n)), expected \(p) (SE \(se))", file: file, line: line)
  }
}

/// Φ(z), the standard normal CDF.
func standardNormalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

/// Φ(b) − Φ(a) for a < b, from the tail on the side away from 0 so it keeps its relative
/// accuracy far in a tail.
func standardNormalMass(_ a: Double, _ b: Double) -> Double {
  let r = 1 / 2.0.squareRoot()
  if a > 0 { return 0.5 * (erfc(a * r) - erfc(b * r)) }
  if b < 0 { return 0.5 * (erfc(-b * r) - erfc(-a * r)) }
  return 1 - 0.5 * (erfc(-a * r) + erfc(b * r))
}

/// φ(z), the standard normal density.
func standardNormalPDF(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }

/// Classic fourth-order Runge–Kutta with a fixed step h from t = 0, returning the state at each
/// of `times` (nondecreasing, each a multiple of h up to rounding).
func rungeKutta4(_ y0: [Double], times: [Double], step h: Double,
                 _ f: ([Double]) -> [Double]) -> [[Double]] {
  var y = y0, t = 0.0, out: [[Double]] = []
  for target in times {
    let steps = Int(((target - t) / h).rounded())
    for _ in 0..<steps {
      let k1 = f(y)
      let k2 = f(zip(y, k1).map { $0 + 0.5 * h * $1 })
      let k3 = f(zip(y, k2).map { $0 + 0.5 * h * $1 })
      let k4 = f(zip(y, k3).map { $0 + h * $1 })
      for i in 0..<y.count { y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
    }
    t += Double(steps) * h
    out.append(y)
  }
  return out
}
