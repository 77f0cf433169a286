import Dispatch
import Tensors

/// Too many simulations failed: the run stops with this message.
public struct SimulationError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}

/// Runs a simulator over a range of global indices on several threads, reproducibly.
///
/// Simulation i draws θ and y from `RandomStream(seed: seed, stream: i)`, so the batch for
/// indices a..<b is identical whatever the thread count or how the indices are grouped into
/// batches. Failed simulations (thrown errors, non-finite values, wrong sizes) are dropped and
/// counted; `checkFailures` stops a run once the failed fraction exceeds the limit.
public final class SimulationEngine: @unchecked Sendable {
  public let simulator: any Simulator
  public let seed: UInt64
  public let threads: Int
  /// Largest tolerated fraction of failed simulations (default 0.2).
  public let maxFailureFraction: Double
  public private(set) var attempted = 0
  public private(set) var failed = 0

  public init(simulator: any Simulator, seed: UInt64, threads: Int = SimulationEngine.defaultThreads,
              maxFailureFraction: Double = 0.2) {
    self.simulator = simulator
    self.seed = seed
    self.threads = max(1, threads)
    self.maxFailureFraction = maxFailureFraction
  }

  /// The number of cores available.
  public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Simulates global indices `range`; the result lists the successful ones in index order.
  public func simulate(_ range: Range<Int>) throws -> SimulationBatch {
    let shape = simulator.observationShape
    let p = simulator.parameters.count
    let n = range.count
    let workers = min(threads, max(1, n / 16))
    var parts = [SimulationBatch](repeating: SimulationBatch(parameterCount: p, rows: shape.rows, width: shape.width), count: workers)
    let chunk = (n + workers - 1) / max(workers, 1)
    parts.withUnsafeMutableBufferPointer { buf in
      let base = buf.baseAddress!
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        let lo = range.lowerBound + w * chunk, hi = min(range.upperBound, lo + chunk)
        guard lo < hi else { return }
        base[w] = simulateSerially(lo..<hi)
      }
    }
    var out = SimulationBatch(parameterCount: p, rows: shape.rows, width: shape.width)
    out.parameters.reserveCapacity(n * p)
    out.observations.reserveCapacity(n * shape.count)
    for part in parts { out.append(contentsOf: part) }
    attempted += n
    failed += out.failures
    return out
  }

  /// Simulates `range` on the calling thread.
  public func simulateSerially(_ range: Range<Int>) -> SimulationBatch {
    let shape = simulator.observationShape
    var batch = SimulationBatch(parameterCount: simulator.parameters.count, rows: shape.rows, width: shape.width)
    for i in range {
      var rng = RandomStream(seed: seed, stream: UInt64(i))
      let theta = simulator.samplePrior(&rng)
      guard let y = try? simulator.simulate(theta, &rng), SimulationEngine.isValid(y, shape, theta) else {
        batch.failures += 1
        continue
      }
      batch.append(index: i, theta: theta, observation: y)
    }
    return batch
  }

  /// Whether an observation has a valid length, the matching number of values, and only finite
  /// values (Float-representable, since datasets store Float32).
  static func isValid(_ y: Observation, _ shape: ObservationShape, _ theta: [Double]) -> Bool {
    guard theta.allSatisfy(\.isFinite) else { return false }
    let maxRows = shape.rows
    let length = y.length
    if shape.isVariableLength {
      guard length >= 1, length <= maxRows else { return false }
    } else if length != maxRows && !(shapeIsVector(shape) && length == 1) {
      return false
    }
    guard y.values.count == length * shape.width else { return false }
    return y.values.allSatisfy { $0.isFinite && abs($0) < 3.0e38 }
  }

  private static func shapeIsVector(_ s: ObservationShape) -> Bool {
    if case .vector = s { return true }
    return false
  }

  /// Throws if more than `maxFailureFraction` of the simulations so far failed (checked once at
  /// least `minimumAttempts` were made, so a single early failure does not stop a run).
  public func checkFailures(minimumAttempts: Int = 50) throws {
    guard attempted >= minimumAttempts else { return }
    let fraction = Double(failed) / Double(attempted)
    if fraction > maxFailureFraction {
      throw SimulationError(message: "simulator \(simulator.name): \(failed) of \(attempted) simulations failed "
        + "(\(String(format: "%.1f", 100 * fraction))% > the allowed \(String(format: "%.0f", 100 * maxFailureFraction))%); "
        + "check the simulator and its prior, or raise simulation.max_failure_fraction")
    }
  }
}

import Foundation
