import Dispatch
import Foundation
import Networks
import Tensors

/// Per-parameter summary of posterior draws.
public struct ParameterSummary: Sendable, Equatable {
  public var name: String
  public var mean: Double
  public var sd: Double
  public var median: Double
  public var q025: Double
  public var q975: Double
  /// The shortest interval holding 95% of the draws (highest-density interval of a unimodal
  /// marginal).
  public var hdiLower: Double
  public var hdiUpper: Double

  /// Summaries of `draws` [N][P'] column by column.
  public static func summarize(_ draws: [[Double]], names: [String]) -> [ParameterSummary] {
    names.enumerated().map { j, name in
      var column = draws.map { $0[j] }.filter { !$0.isNaN }
      column.sort()
      let n = column.count
      guard n > 0 else { return ParameterSummary(name: name, mean: .nan, sd: .nan, median: .nan, q025: .nan, q975: .nan, hdiLower: .nan, hdiUpper: .nan) }
      let mean = column.reduce(0, +) / Double(n)
      let sd = n > 1 ? (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot() : 0
      let k = max(1, Int((0.95 * Double(n)).rounded(.up)))
      var best = (column[0], column[min(k, n) - 1])
      if k < n {
        for i in 0...(n - k) where column[i + k - 1] - column[i] < best.1 - best.0 { best = (column[i], column[i + k - 1]) }
      }
      return ParameterSummary(name: name, mean: mean, sd: sd, median: quantile(column, 0.5), q025: quantile(column, 0.025),
                              q975: quantile(column, 0.975), hdiLower: best.0, hdiUpper: best.1)
    }
  }

  /// The q-quantile of sorted values (linear interpolation between order statistics).
  public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let h = q * Double(sorted.count - 1)
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
  }
}

/// Posterior queries of a trained model: draws, densities and summaries for any observation.
///
///     let posterior = try Posterior(checkpoint: "runs/two_moons/checkpoint.h5", registry: BuiltinSimulators.registry)
///     var rng = RandomStream(seed: 1)
///     let draws = try posterior.sample([y], count: 10_000, seed: 1)   // [1][10000][P]
///
/// Draws are made in the network's standardized space, mapped back through the standardizer
/// (so they respect each parameter's support) and redrawn when outside the prior's support
/// (`Simulator.inPriorSupport`, e.g. a truncated prior). Draw i of observation k comes from
/// random stream (seed, k, ⌊i/4096⌋): results do not depend on the thread count or on which
/// other observations are queried together.
public final class Posterior {
  public let approximator: Approximator
  public let simulator: any Simulator
  public let config: RunConfig
  public let checkpointPath: String
  public let history: TrainingHistory
  public var threads: Int = SimulationEngine.defaultThreads
  /// Draws per random stream and work item.
  public static let chunk = 4096
  /// Rows per network evaluation: small enough that a graph's memory stays in cache.
  static let rowsPerEvaluation = 512
  /// One inference graph per worker, kept between queries so their memory is allocated once.
  /// (A `Posterior` answers one query at a time.)
  private var graphs: [Graph<Float>] = []

  func graphs(_ n: Int) -> [Graph<Float>] {
    while graphs.count < n { graphs.append(Graph<Float>()) }
    return graphs
  }

  public var parameterNames: [String] { simulator.parameterNames }
  public var observationShape: ObservationShape { approximator.observationShape }

  public init(checkpoint path: String, registry: SimulatorRegistry) throws {
    let c = try Checkpoint.read(path)
    let config: RunConfig
    do { config = try RunConfig(c.config) } catch { throw InputError(path, "stored config: \(error)") }
    let sim: any Simulator
    do { sim = try registry.make(name: config.simulatorName, options: config.simulatorOptions) } catch {
      throw InputError(path, "cannot rebuild simulator \(config.simulatorName): \(error)")
    }
    guard sim.parameterNames == c.parameterNames else {
      throw InputError(path, "simulator \(sim.name) now has parameters \(sim.parameterNames), the checkpoint \(c.parameterNames)")
    }
    var rng = RandomStream(seed: config.training.seed, stream: StreamTag.initialization)
    let a = try Approximator(shape: sim.observationShape, parameterCount: c.parameterNames.count, standardizer: c.standardizer,
                             summary: config.summaryNetwork, flow: config.inferenceNetwork, rng: &rng)
    do { try a.loadParameters(c.weights) } catch { throw InputError(path, "\(error)") }
    approximator = a
    simulator = sim
    self.config = config
    checkpointPath = path
    history = c.history
  }

  /// `count` posterior draws for each observation: [K][count][P] in the original space.
  public func sample(_ observations: [Observation], count: Int, seed: UInt64) throws -> [[[Double]]] {
    let flat = try sampleFlat(observations, count: count, seed: seed)
    let p = parameterNames.count
    return (0..<observations.count).map { k in (0..<count).map { i in Array(flat[((k * count + i) * p)..<((k * count + i + 1) * p)]) } }
  }

  /// `count` draws for each observation as one row-major array [K, count, P].
  public func sampleFlat(_ observations: [Observation], count: Int, seed: UInt64) throws -> [Double] {
    precondition(count >= 1)
    let p = parameterNames.count
    let (y, lengths) = approximator.standardize(observations: observations)
    let c = approximator.summaries(y: y, lengths: lengths)
    let sd = approximator.summary.summaryDim
    let k = observations.count
    let chunksPer = (count + Posterior.chunk - 1) / Posterior.chunk
    let items = k * chunksPer
    var out = [Double](repeating: .nan, count: k * count * p)
    let flow = approximator.flow
    let standardizer = approximator.standardizer
    let sim = simulator
    var rejectedEverywhere = false
    let workerGraphs = graphs(max(1, min(threads, items)))
    out.withUnsafeMutableBufferPointer { outBuf in
      let base = outBuf.baseAddress!
      let workers = min(threads, items)
      let failed = UnsafeMutablePointer<Bool>.allocate(capacity: max(workers, 1))
      failed.initialize(repeating: false, count: max(workers, 1))
      defer { failed.deallocate() }
      DispatchQueue.concurrentPerform(iterations: max(workers, 1)) { w in
        let graph = workerGraphs[w]
        var item = w
        var theta = [Double](repeating: 0, count: p)
        var values = [Double](repeating: 0, count: Posterior.chunk * p)
        while item < items {
          let obs = item / chunksPer, chunk = item % chunksPer
          let start = chunk * Posterior.chunk, n = min(Posterior.chunk, count - start)
          var rng = RandomStream(seed: seed, stream: UInt64(obs) << 24 | UInt64(chunk))
          var filled = 0, attempts = 0
          while filled < n {
            let want = min(n - filled, Posterior.rowsPerEvaluation)
            graph.reset()
            var cond: Tensor<Float>? = nil
            if sd > 0 {
              cond = c.withUnsafeBufferPointer { graph.constant(UnsafeBufferPointer(rebasing: $0[(obs * sd)..<((obs + 1) * sd)]), shape: Shape(1, sd)) }
            }
            let u = flow.sample(count: want, condition: cond, in: graph, rng: &rng)
            values.withUnsafeMutableBufferPointer { vb in
              standardizer.unstandardizeParameters(UnsafeBufferPointer(start: u.pointer, count: want * p),
                                                   into: UnsafeMutableBufferPointer(rebasing: vb[0..<(want * p)]))
            }
            for r in 0..<want {
              for j in 0..<p { theta[j] = values[r * p + j] }
              guard theta.allSatisfy(\.isFinite), sim.inPriorSupport(theta) else { continue }
              let dst = base + ((obs * count + start + filled) * p)
              for j in 0..<p { dst[j] = theta[j] }
              filled += 1
            }
            attempts += want
            if attempts > 1000 * n + Posterior.rowsPerEvaluation && filled < n { failed[w] = true; break }
          }
          item += workers
        }
      }
      rejectedEverywhere = (0..<max(workers, 1)).contains { failed[$0] }
    }
    if rejectedEverywhere {
      throw InputError("", "posterior draws fall outside the prior's support more than 999 times in 1000; the observation is probably far outside what the model was trained on")
    }
    return out
  }

  /// log p(θ | y) for each row of `parameters` [N][P] given one observation, in the original
  /// space (the standardizer's Jacobian included); −∞ outside the prior's support.
  public func logDensity(_ parameters: [[Double]], observation: Observation) -> [Double] {
    let p = parameterNames.count
    let (y, lengths) = approximator.standardize(observations: [observation])
    let c = approximator.summaries(y: y, lengths: lengths)
    return logDensity(parameters, conditionRows: { _ in c }, p: p)
  }

  /// log p(θᵢ | yᵢ) for pairs (row i of `parameters`, observation i).
  public func logDensity(pairs parameters: [[Double]], observations: [Observation]) -> [Double] {
    precondition(parameters.count == observations.count)
    let (y, lengths) = approximator.standardize(observations: observations)
    let c = approximator.summaries(y: y, lengths: lengths)
    let sd = approximator.summary.summaryDim
    return logDensity(parameters, conditionRows: { range in Array(c[(range.lowerBound * sd)..<(range.upperBound * sd)]) },
                      p: parameterNames.count, conditionPerRow: true)
  }

  func logDensity(_ parameters: [[Double]], conditionRows: (Range<Int>) -> [Float], p: Int, conditionPerRow: Bool = false) -> [Double] {
    let n = parameters.count, sd = approximator.summary.summaryDim
    var out = [Double](repeating: -.infinity, count: n)
    let chunk = Posterior.rowsPerEvaluation
    let chunks = (n + chunk - 1) / chunk
    let a = approximator
    let workerGraphs = graphs(max(1, min(threads, chunks)))
    out.withUnsafeMutableBufferPointer { buf in
      let base = buf.baseAddress!
      DispatchQueue.concurrentPerform(iterations: max(1, min(threads, chunks))) { w in
        let g = workerGraphs[w]
        var j = w
        while j < chunks {
          let lo = j * chunk, hi = min(n, lo + chunk), m = hi - lo
          g.reset()
          let flat = parameters[lo..<hi].flatMap { $0 }
          var u = [Float](repeating: 0, count: m * p)
          flat.withUnsafeBufferPointer { t in u.withUnsafeMutableBufferPointer { a.standardizer.standardizeParameters(t, into: $0) } }
          let ut = g.constant(u, shape: Shape(m, p))
          var cond: Tensor<Float>? = nil
          if sd > 0 {
            if conditionPerRow {
              cond = g.constant(conditionRows(lo..<hi), shape: Shape(m, sd))
            } else {
              let c1 = conditionRows(0..<1)
              let t = g.uninitialized(shape: Shape(m, sd))
              for r in 0..<m { for q in 0..<sd { t.pointer[r * sd + q] = c1[q] } }
              cond = t
            }
          }
          let lp = a.flow.logProb(ut, condition: cond)
          for r in 0..<m {
            let theta = parameters[lo + r]
            guard theta.count == p, simulator.inPriorSupport(theta) else { base[lo + r] = -.infinity; continue }
            base[lo + r] = Double(lp.pointer[r]) + a.standardizer.logJacobian(theta[...])
          }
          j += max(1, min(threads, chunks))
        }
      }
    }
    return out
  }

  /// Derived quantities (declared by the simulator) of each draw.
  public func derived(_ draws: [[Double]]) -> [[Double]] {
    simulator.derivedQuantityNames.isEmpty ? draws.map { _ in [] } : draws.map { simulator.derivedQuantities($0) }
  }

  /// Summaries of parameters and derived quantities of `draws` [N][P].
  public func summarize(_ draws: [[Double]]) -> [ParameterSummary] {
    let names = parameterNames + simulator.derivedQuantityNames
    let rows = simulator.derivedQuantityNames.isEmpty ? draws : zip(draws, derived(draws)).map { $0 + $1 }
    return ParameterSummary.summarize(rows, names: names)
  }
}
