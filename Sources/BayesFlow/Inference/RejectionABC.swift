import Dispatch
import Foundation
import Tensors

/// How the components of the (summarised) observation are weighted in the ABC distance.
public enum ABCScaling: String, Sendable, CaseIterable {
  /// Divide component j by s_j, the standard deviation of component j over a pilot
  /// prior-predictive sample (components of very different magnitude then count alike).
  case standardized
  /// Plain Euclidean distance.
  case raw
}

/// User-chosen summary statistics s(y) for rejection ABC: `dimension` numbers per observation.
/// The distance is then taken between s(y) and s(y*) (scaled as `ABCScaling` says).
public struct ABCSummaryStatistics: Sendable {
  public let dimension: Int
  /// s(y); must return `dimension` values (other sizes or non-finite values reject the draw).
  public let compute: @Sendable (Observation) -> [Double]

  public init(dimension: Int, _ compute: @escaping @Sendable (Observation) -> [Double]) {
    precondition(dimension >= 1, "ABCSummaryStatistics: dimension must be ≥ 1")
    self.dimension = dimension
    self.compute = compute
  }
}

/// Why a rejection-ABC run cannot start or finish.
public struct RejectionABCError: Error, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The outcome of rejection ABC for one observation: the K kept draws, nearest first.
public struct RejectionABCResult: Sendable {
  /// K, the number of kept draws.
  public let keep: Int
  /// P, the number of parameters.
  public let parameterCount: Int
  /// θ of the kept draws, row-major [K, P], in increasing distance (ties by simulation index).
  public let parameters: [Double]
  /// ‖s(y) − s(y*)‖ of each kept draw (scaled), ascending [K].
  public let distances: [Double]
  /// The simulation index (random stream) of each kept draw [K].
  public let indices: [Int]
  /// Distance of the (K+1)-th nearest draw: the tolerance reported by the kinematics benchmark
  /// ("the distance of the next one"); nil when every successful simulation was kept.
  public let nextDistance: Double?
  /// N, the simulations run (the budget).
  public let budget: Int
  /// Simulations that failed (threw, or gave ill-shaped or non-finite values); never kept.
  public let failures: Int
  /// The per-component scale of the distance (1 for `raw`).
  public let scale: [Double]
  /// Wall time of the run that produced this result, pilot included (shared by all observations
  /// of one run).
  public let seconds: Double
  /// CPU time of the process during the run (all threads): on a shared machine the wall time
  /// depends on the load, this much less.
  public let cpuSeconds: Double

  /// ε_K, the distance of the K-th kept draw: every kept draw lies within it.
  public var tolerance: Double { distances.last ?? .nan }
  /// K / N.
  public var acceptanceRate: Double { Double(keep) / Double(budget) }
  /// Simulations per second of the run.
  public var simulationsPerSecond: Double { Double(budget) / max(seconds, 1e-12) }
  /// The kept draws as rows [K][P].
  public var draws: [[Double]] { (0..<keep).map { Array(parameters[($0 * parameterCount)..<(($0 + 1) * parameterCount)]) } }
}

/// Rejection ABC with a quantile tolerance (Pritchard et al. 1999; Beaumont et al. 2002): of N
/// prior-predictive simulations (θᵢ, yᵢ), keep the K whose observations are nearest to y*,
///
///     dᵢ = ‖(s(yᵢ) − s(y*)) ⊘ σ‖₂,    kept: the K smallest (dᵢ, i),    ε_K = d₍K₎,
///
/// where s is the identity or user summary statistics and σ the per-component standard
/// deviation of a pilot prior-predictive sample (`.standardized`) or 1 (`.raw`). The kept θ are
/// draws from p(θ | d(y, y*) ≤ ε), which tends to p(θ | y*) as ε → 0; K/N is the acceptance
/// rate. This is the ground truth of the inverse-kinematics benchmark (Kruse et al. 2021,
/// arXiv:2101.10763, "quantile ABC": N = 10⁸, K = 4000).
///
/// Reproducible: simulation i draws θ and y from `RandomStream(seed: seed, stream: i)`, exactly
/// as `SimulationEngine` does (i ∈ 0..<N), and pilot simulation j from stream 2⁶² + j. Chunks
/// of indices are handed out to `threads` workers, each keeping its K + 1 nearest draws per
/// observation in a bounded max-heap; the heaps are merged by (distance, index). As ties are
/// broken by index, the result is the same for every thread count and chunk size. Memory is
/// O(threads · M · K · P) for M observations whatever N; nothing is allocated per simulation
/// beyond what the simulator's `samplePrior` and `simulate` return.
///
/// Several observations share one pass over the simulations (as in the benchmark, which draws
/// the 10⁸ simulations once): each simulation is compared with every observation.
public struct RejectionABC: Sendable {
  public let simulator: any Simulator
  public let seed: UInt64
  public var scaling: ABCScaling
  /// Summary statistics; nil uses the observation's values (fixed-shape observations only).
  public var summaries: ABCSummaryStatistics?
  /// Simulations of the pilot sample that estimates the scale σ.
  public var pilotSimulations = 10_000
  public var threads = SimulationEngine.defaultThreads
  /// Simulation indices per work item.
  public var chunkSize = 16_384
  /// Largest tolerated fraction of failed simulations.
  public var maxFailureFraction = 0.2

  /// The pilot sample uses streams pilotStreamOffset + j, disjoint from the run's 0..<N.
  public static let pilotStreamOffset = 1 << 62

  public init(simulator: any Simulator, seed: UInt64, scaling: ABCScaling = .standardized,
              summaries: ABCSummaryStatistics? = nil) {
    self.simulator = simulator
    self.seed = seed
    self.scaling = scaling
    self.summaries = summaries
  }

  /// The number of components of s(y).
  public var dimension: Int { summaries?.dimension ?? simulator.observationShape.count }

  /// The per-component scale σ of the distance: the standard deviation of s(y) over
  /// `pilotSimulations` prior-predictive simulations (1 where it is 0), or all ones for `.raw`.
  public func scale() throws -> [Double] {
    try checkShape()
    let d = dimension
    guard scaling == .standardized else { return [Double](repeating: 1, count: d) }
    let m = pilotSimulations
    precondition(m >= 2, "RejectionABC: pilotSimulations must be ≥ 2")
    let values = UnsafeMutablePointer<Double>.allocate(capacity: m * d)
    let valid = UnsafeMutablePointer<Bool>.allocate(capacity: m)
    valid.initialize(repeating: false, count: m)
    values.initialize(repeating: 0, count: m * d)
    defer { values.deallocate(); valid.deallocate() }
    let offset = RejectionABC.pilotStreamOffset
    // Small chunks: the pilot is short, but its simulations may be expensive (ODE models).
    let workers = max(1, min(threads, m / 256))
    forEachChunk(offset..<(offset + m), chunk: max(64, m / (8 * workers)), workers: workers) { _, range in
      for i in range {
        guard let (_, s) = simulate(i) else { continue }
        (values + (i - offset) * d).update(from: s, count: d)
        valid[i - offset] = true
      }
    } afterChunk: { _ in }
    // Two-pass mean and variance in index order (deterministic).
    var n = 0
    var mean = [Double](repeating: 0, count: d)
    for j in 0..<m where valid[j] {
      n += 1
      for c in 0..<d { mean[c] += values[j * d + c] }
    }
    guard n >= 2 else {
      throw RejectionABCError("simulator \(simulator.name): only \(n) of \(m) pilot simulations succeeded; cannot estimate the distance scale")
    }
    for c in 0..<d { mean[c] /= Double(n) }
    var variance = [Double](repeating: 0, count: d)
    for j in 0..<m where valid[j] {
      for c in 0..<d { let t = values[j * d + c] - mean[c]; variance[c] += t * t }
    }
    return variance.map { v in
      let sd = (v / Double(n - 1)).squareRoot()
      return sd > 0 && sd.isFinite ? sd : 1
    }
  }

  /// Rejection ABC for one observation; see `run(_:budget:keep:scale:progress:)`.
  public func run(_ observation: Observation, budget: Int, keep: Int, scale: [Double]? = nil,
                  progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> RejectionABCResult {
    try run([observation], budget: budget, keep: keep, scale: scale, progress: progress)[0]
  }

  /// Rejection ABC for M observations in one pass over simulations 0..<`budget`: the `keep`
  /// nearest draws of each. `scale` defaults to `scale()` (a pilot run). `progress(done, total)`
  /// is called after every chunk, on a worker thread, one call at a time.
  public func run(_ observations: [Observation], budget: Int, keep: Int, scale: [Double]? = nil,
                  progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [RejectionABCResult] {
    precondition(budget >= 1 && keep >= 1 && keep <= budget, "RejectionABC: need 1 ≤ keep ≤ budget")
    precondition(!observations.isEmpty, "RejectionABC: no observations")
    try checkShape()
    let d = dimension, p = simulator.parameters.count, m = observations.count
    let started = Date(), startedCPU = processCPUSeconds()
    let sigma = try scale ?? self.scale()
    precondition(sigma.count == d, "RejectionABC: scale has \(sigma.count) components, expected \(d)")

    // s(y*) of each observation, [M, D], and 1/σ.
    var observed = [Double](repeating: 0, count: m * d)
    for (k, y) in observations.enumerated() {
      let s = summaries?.compute(y) ?? y.values
      guard s.count == d, s.allSatisfy(\.isFinite) else {
        throw RejectionABCError("observation \(k): \(summaries == nil ? "" : "summary statistics: ")\(s.count) values, expected \(d) finite values")
      }
      for c in 0..<d { observed[k * d + c] = s[c] }
    }
    let inverseScale = sigma.map { 1 / $0 }

    let capacity = min(keep + 1, budget)
    let workers = max(1, min(threads, (budget + chunkSize - 1) / chunkSize))
    let heaps = (0..<workers).map { _ in (0..<m).map { _ in NearestDrawHeap(capacity: capacity, parameterCount: p) } }
    let failures = UnsafeMutablePointer<Int>.allocate(capacity: workers)
    failures.initialize(repeating: 0, count: workers)
    defer { failures.deallocate() }
    var done = 0
    observed.withUnsafeBufferPointer { ob in
      inverseScale.withUnsafeBufferPointer { ib in
        let o = ob.baseAddress!, w = ib.baseAddress!
        forEachChunk(0..<budget, chunk: chunkSize, workers: workers) { worker, range in
          let mine = heaps[worker]
          var failed = 0
          for i in range {
            guard let (theta, s) = simulate(i) else { failed += 1; continue }
            s.withUnsafeBufferPointer { sb in
              theta.withUnsafeBufferPointer { tb in
                let y = sb.baseAddress!, t = tb.baseAddress!
                for k in 0..<m {
                  let yk = o + k * d
                  var d2 = 0.0
                  for c in 0..<d { let u = (y[c] - yk[c]) * w[c]; d2 += u * u }
                  mine[k].offer(d2, index: i, parameters: t)
                }
              }
            }
          }
          failures[worker] += failed
        } afterChunk: { n in
          done += n
          progress?(done, budget)
        }
      }
    }

    let failed = (0..<workers).reduce(0) { $0 + failures[$1] }
    if Double(failed) > maxFailureFraction * Double(budget) {
      throw SimulationError(message: "simulator \(simulator.name): \(failed) of \(budget) simulations failed "
        + "(\(String(format: "%.1f", 100 * Double(failed) / Double(budget)))% > the allowed \(String(format: "%.0f", 100 * maxFailureFraction))%)")
    }
    guard budget - failed >= keep else {
      throw RejectionABCError("simulator \(simulator.name): only \(budget - failed) of \(budget) simulations succeeded; cannot keep \(keep)")
    }
    let seconds = Date().timeIntervalSince(started), cpuSeconds = processCPUSeconds() - startedCPU
    return (0..<m).map { k in
      var all = heaps.flatMap { $0[k].sorted() }
      all.sort(by: NearestDraw.precedes)
      let kept = all.prefix(keep)
      return RejectionABCResult(
        keep: keep, parameterCount: p, parameters: kept.flatMap(\.parameters),
        distances: kept.map { $0.key.squareRoot() }, indices: kept.map(\.index),
        nextDistance: all.count > keep ? all[keep].key.squareRoot() : nil,
        budget: budget, failures: failed, scale: sigma, seconds: seconds, cpuSeconds: cpuSeconds)
    }
  }

  /// Simulation i: (θ, s(y)), or nil when it failed or gave ill-shaped or non-finite values.
  @inline(__always)
  func simulate(_ i: Int) -> (theta: [Double], summary: [Double])? {
    var rng = RandomStream(seed: seed, stream: UInt64(i))
    let theta = simulator.samplePrior(&rng)
    guard theta.count == simulator.parameters.count, let y = try? simulator.simulate(theta, &rng) else { return nil }
    let s = summaries?.compute(y) ?? y.values
    guard s.count == dimension else { return nil }
    for v in s where !v.isFinite { return nil }
    for v in theta where !v.isFinite { return nil }
    return (theta, s)
  }

  /// Variable-length series have no fixed vector to compare without summary statistics.
  func checkShape() throws {
    if summaries == nil && simulator.observationShape.isVariableLength {
      throw RejectionABCError("simulator \(simulator.name): observations of variable length (\(simulator.observationShape)) "
        + "need summary statistics for rejection ABC")
    }
  }

  /// Runs `body(worker, indices)` over `range` in chunks of `size` handed out in increasing
  /// order to `workers` threads; `afterChunk(count)` runs after each chunk under a lock.
  func forEachChunk(_ range: Range<Int>, chunk size: Int, workers: Int, _ body: (Int, Range<Int>) -> Void,
                    afterChunk: (Int) -> Void) {
    let lock = NSLock()
    var next = range.lowerBound
    DispatchQueue.concurrentPerform(iterations: max(1, workers)) { worker in
      while true {
        lock.lock()
        let lo = next
        next = min(range.upperBound, next + size)
        lock.unlock()
        guard lo < range.upperBound else { return }
        let chunk = lo..<min(range.upperBound, lo + size)
        body(worker, chunk)
        lock.lock()
        afterChunk(chunk.count)
        lock.unlock()
      }
    }
  }
}

/// CPU time used by the process so far, all threads (CLOCK_PROCESS_CPUTIME_ID).
public func processCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
}
