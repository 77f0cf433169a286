import Foundation

/// Per data set and per parameter summaries of posterior draws against the true value,
/// computed from one sort of each marginal sample.
///
/// For data set m, parameter p, with sorted draws x₍₁₎ ≤ … ≤ x₍L₎ and true value θ*:
///
///     rank   r = #{l : xₗ < θ*}                         (0…L, by binary search)
///     mean   x̄ = Σ xₗ / L,   sd  s = √(Σ (xₗ − x̄)²/(L − 1))   (two passes)
///     median Q(0.5),   central interval at level q: [Q((1−q)/2), Q((1+q)/2)]
///
/// with Q the type-7 sample quantile (`sortedQuantile`). `covered` records, for each level,
/// whether θ* lies in the closed central interval.
///
/// Arrays are indexed [P, M] (`p·M + m`), so each parameter's values are contiguous. The work is
/// spread over data sets with `DispatchQueue.concurrentPerform`; every slot is written by one
/// worker, so the result does not depend on the number of threads.
public struct MarginalSummaries: Sendable {
  public let simulations: Int
  public let draws: Int
  public let parameters: Int
  /// The nominal levels of the central intervals (at most 64).
  public let levels: [Double]
  public let ranks: [Int]
  public let means: [Double]
  public let sds: [Double]
  public let medians: [Double]
  /// Bit k of entry p·M + m: the interval at `levels[k]` covers the truth.
  public let covered: [UInt64]

  /// Summaries of `draws` [M, L, P] against `truths` [M][P]; L must be at least 2.
  public init(truths: [[Double]], draws: PosteriorDraws, levels: [Double]) {
    let m = draws.simulations, l = draws.draws, p = draws.parameters
    precondition(truths.count == m, "MarginalSummaries: \(truths.count) truths for \(m) data sets")
    precondition(truths.allSatisfy { $0.count == p }, "MarginalSummaries: every truth needs \(p) parameters")
    precondition(l >= 2, "MarginalSummaries: at least 2 draws per data set")
    precondition(levels.count <= 64 && levels.allSatisfy { $0 > 0 && $0 < 1 }, "MarginalSummaries: up to 64 levels in (0, 1)")
    simulations = m
    self.draws = l
    parameters = p
    self.levels = levels

    let count = m * p
    let rankOut = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
    let meanOut = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
    let sdOut = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
    let medianOut = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
    let coveredOut = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count)
    defer {
      rankOut.deallocate(); meanOut.deallocate(); sdOut.deallocate(); medianOut.deallocate(); coveredOut.deallocate()
    }
    let flatTruths = truths.flatMap { $0 }
    let bounds = levels.map { ((1 - $0) / 2, (1 + $0) / 2) }
    let chunks = min(m, 64)
    draws.values.withUnsafeBufferPointer { all in
      let base = all.baseAddress!
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: l * p)
        defer { scratch.deallocate() }
        for set in (chunk * m / chunks)..<((chunk + 1) * m / chunks) {
          // Transpose the [L, P] block of this data set to [P, L].
          let block = base + set * l * p
          for d in 0..<l { for j in 0..<p { scratch[j * l + d] = block[d * p + j] } }
          for j in 0..<p {
            var row = UnsafeMutableBufferPointer(rebasing: scratch[(j * l)..<((j + 1) * l)])
            row.sort()
            let x = UnsafePointer(row.baseAddress!)
            let truth = flatTruths[set * p + j]
            var sum = 0.0
            for d in 0..<l { sum += x[d] }
            let mean = sum / Double(l)
            var ss = 0.0
            for d in 0..<l { ss += (x[d] - mean) * (x[d] - mean) }
            var lo = 0, hi = l
            while lo < hi {
              let mid = (lo + hi) >> 1
              if x[mid] < truth { lo = mid + 1 } else { hi = mid }
            }
            var bits: UInt64 = 0
            for (k, (a, b)) in bounds.enumerated()
            where sortedQuantile(x, count: l, a) <= truth && truth <= sortedQuantile(x, count: l, b) {
              bits |= 1 << UInt64(k)
            }
            let slot = j * m + set
            rankOut[slot] = lo
            meanOut[slot] = mean
            sdOut[slot] = (ss / Double(l - 1)).squareRoot()
            medianOut[slot] = sortedQuantile(x, count: l, 0.5)
            coveredOut[slot] = bits
          }
        }
      }
    }
    ranks = Array(rankOut)
    means = Array(meanOut)
    sds = Array(sdOut)
    medians = Array(medianOut)
    covered = Array(coveredOut)
  }

  /// The values of parameter p across data sets (a slice of an [P, M] array).
  @inline(__always) func column<T>(_ array: [T], _ p: Int) -> [T] {
    Array(array[(p * simulations)..<((p + 1) * simulations)])
  }

  /// The empirical coverage of parameter p at each level: the fraction of data sets whose
  /// central interval covers the truth.
  public func coverage(parameter p: Int) -> [Double] {
    var hits = [Int](repeating: 0, count: levels.count)
    for set in 0..<simulations {
      let bits = covered[p * simulations + set]
      for k in levels.indices where bits & (1 << UInt64(k)) != 0 { hits[k] += 1 }
    }
    return hits.map { Double($0) / Double(simulations) }
  }
}
