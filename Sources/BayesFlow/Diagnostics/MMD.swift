import Foundation

/// A sum of generalised inverse multiquadric kernels of the squared distance d² = ‖x − y‖²:
///
///     k(d²) = Σⱼ Cⱼ^{aⱼ} · ((Cⱼ + d²)/aⱼ)^{−aⱼ}
///
/// Each term is positive definite, equals aⱼ^{aⱼ} at d = 0 and decays like d^{−2aⱼ}; summing
/// scales makes the MMD sensitive to differences at several length scales. The (C, a) pairs are
/// those of the inverse-kinematics benchmark (Kruse et al. 2021, arXiv:2101.10763;
/// `multi_mmd` of its starter code, and the later evaluation files and vislearn/HINT).
public struct InverseMultiquadricKernel: Sendable {
  /// The (C, a) pairs.
  public let terms: [(scale: Double, exponent: Double)]

  public init(terms: [(scale: Double, exponent: Double)]) {
    precondition(!terms.isEmpty && terms.allSatisfy { $0.scale > 0 && $0.exponent > 0 }, "kernel terms need C > 0, a > 0")
    self.terms = terms
  }

  /// [(0.2, 0.1), (0.2, 0.5), (0.2, 2)]: the benchmark starter `metrics.py`.
  public static let starter = InverseMultiquadricKernel(terms: [(0.2, 0.1), (0.2, 0.5), (0.2, 2)])
  /// [(0.5, 1), (0.2, 1), (0.2, 0.5)]: the later evaluation and HINT (the default).
  public static let benchmark = InverseMultiquadricKernel(terms: [(0.5, 1), (0.2, 1), (0.2, 0.5)])

  /// k(d²) for one squared distance.
  public func callAsFunction(_ d2: Double) -> Double {
    terms.reduce(0) { $0 + Foundation.pow($1.scale, $1.exponent) * Foundation.pow(($1.scale + d2) / $1.exponent, -$1.exponent) }
  }
}

/// The squared maximum mean discrepancy between samples X = {xᵢ}ᵢ₌₁ⁿ and Y = {yⱼ}ⱼ₌₁ᵐ in ℝᴰ,
/// as the biased V-statistic (all pairs, diagonals included; Gretton et al. 2012, JMLR 13, eq. 5):
///
///     MMD²ᵥ = 1/n² Σᵢ Σᵢ′ k(xᵢ, xᵢ′) + 1/m² Σⱼ Σⱼ′ k(yⱼ, yⱼ′) − 2/(nm) Σᵢ Σⱼ k(xᵢ, yⱼ)
///
/// Samples are flat row-major [n, D] and [m, D]. Cost O((n + m)²·D): the three double sums are
/// computed by one routine (row i of the left sample against all of the right, squared
/// distances into a buffer, then one vectorisable loop per kernel term with fast paths for
/// a = ½, 1, 2), so MMD²(X, X) is exactly 0. Rows are split into 64 fixed blocks run by
/// `DispatchQueue.concurrentPerform`, and block sums are added in block order: the result
/// does not depend on the number of threads.
public func maximumMeanDiscrepancySquared(_ x: [Double], _ y: [Double], dimension d: Int,
                                          kernel: InverseMultiquadricKernel = .benchmark) -> Double {
  precondition(d > 0 && x.count % d == 0 && y.count % d == 0 && !x.isEmpty && !y.isEmpty, "MMD: samples must be non-empty [n, \(d)]")
  let n = x.count / d, m = y.count / d
  let kxx = kernelSum(x, x, dimension: d, kernel: kernel) / Double(n * n)
  let kyy = kernelSum(y, y, dimension: d, kernel: kernel) / Double(m * m)
  let kxy = kernelSum(x, y, dimension: d, kernel: kernel) / Double(n * m)
  return kxx + kyy - 2 * kxy
}

/// MMD² of samples given as arrays of points ([n][D], [m][D]); see the flat version.
public func maximumMeanDiscrepancySquared(_ x: [[Double]], _ y: [[Double]],
                                          kernel: InverseMultiquadricKernel = .benchmark) -> Double {
  let d = x.first?.count ?? 0
  precondition(x.allSatisfy { $0.count == d } && y.allSatisfy { $0.count == d }, "MMD: points of different dimensions")
  return maximumMeanDiscrepancySquared(x.flatMap { $0 }, y.flatMap { $0 }, dimension: d, kernel: kernel)
}

/// Σᵢ Σⱼ k(‖aᵢ − bⱼ‖²) over a [n, D] and b [m, D].
private func kernelSum(_ a: [Double], _ b: [Double], dimension d: Int, kernel: InverseMultiquadricKernel) -> Double {
  let n = a.count / d, m = b.count / d
  // b transposed to [D, m] so the inner loop over j is contiguous.
  var bt = [Double](repeating: 0, count: m * d)
  for j in 0..<m { for k in 0..<d { bt[k * m + j] = b[j * d + k] } }
  // Term j: weight Cʲ^{aʲ}·aʲ^{aʲ} times (Cʲ + d²)^{−aʲ}.
  let terms = kernel.terms.map { (c: $0.scale, a: $0.exponent, w: Foundation.pow($0.scale, $0.exponent) * Foundation.pow($0.exponent, $0.exponent)) }
  let blocks = min(64, n)
  var partial = [Double](repeating: 0, count: blocks)
  a.withUnsafeBufferPointer { ap in
    bt.withUnsafeBufferPointer { bp in
      partial.withUnsafeMutableBufferPointer { out in
        let outBase = out.baseAddress!
        DispatchQueue.concurrentPerform(iterations: blocks) { block in
          let d2 = UnsafeMutablePointer<Double>.allocate(capacity: m)
          defer { d2.deallocate() }
          var blockSum = 0.0
          for i in (block * n / blocks)..<((block + 1) * n / blocks) {
            d2.update(repeating: 0, count: m)
            for k in 0..<d {
              let xi = ap[i * d + k], col = bp.baseAddress! + k * m
              for j in 0..<m { let t = xi - col[j]; d2[j] += t * t }
            }
            for term in terms {
              switch term.a {
              case 1: blockSum += term.w * sum(d2, m, term.c) { 1 / $0 } scalar: { 1 / $0 }
              case 0.5: blockSum += term.w * sum(d2, m, term.c) { 1 / $0.squareRoot() } scalar: { 1 / $0.squareRoot() }
              case 2: blockSum += term.w * sum(d2, m, term.c) { 1 / ($0 * $0) } scalar: { 1 / ($0 * $0) }
              default:
                let e = -term.a
                var s = 0.0
                for j in 0..<m { s += Foundation.exp(e * Foundation.log(term.c + d2[j])) }
                blockSum += term.w * s
              }
            }
          }
          outBase[block] = blockSum
        }
      }
    }
  }
  return partial.reduce(0, +)
}

/// Σⱼ f(c + d2[j]) over m values, in four interleaved SIMD lanes (a fixed order, so the sum is
/// reproducible; strict floating-point reductions would not vectorise otherwise).
@inline(__always)
private func sum(_ d2: UnsafeMutablePointer<Double>, _ m: Int, _ c: Double,
                 _ f: (SIMD4<Double>) -> SIMD4<Double>, scalar g: (Double) -> Double) -> Double {
  var acc = SIMD4<Double>(repeating: 0)
  let cv = SIMD4<Double>(repeating: c)
  var j = 0
  while j + 4 <= m {
    acc += f(SIMD4(d2[j], d2[j + 1], d2[j + 2], d2[j + 3]) + cv)
    j += 4
  }
  var s = acc.sum()
  while j < m { s += g(c + d2[j]); j += 1 }
  return s
}
