import Foundation
import Tensors

/// Training batches in a fixed order, so a run is reproducible and resumable.
///
/// Online: batch t holds simulations with global indices [first + t·B, first + (t+1)·B), made on
/// a background thread up to `queueDepth` batches ahead of training. Offline: a fixed set held in
/// memory (standardized once), reshuffled each epoch with stream (seed, epoch). Disk: blocks of
/// an HDF5 dataset in an order shuffled per epoch (memory O(batch)).
final class OnlineBatches: @unchecked Sendable {
  private let engine: SimulationEngine
  private let batchSize: Int
  private let queueDepth: Int
  private var next: Int  // next global simulation index to produce
  private var queue: [(SimulationBatch, Int)] = []  // batch and the index after it
  private var failure: Error?
  private var stopped = false
  private let condition = NSCondition()
  private var thread: Thread?

  init(engine: SimulationEngine, batchSize: Int, startingAt first: Int, queueDepth: Int = 4) {
    self.engine = engine
    self.batchSize = batchSize
    self.queueDepth = queueDepth
    next = first
  }

  /// Starts the producer thread.
  func start() {
    let t = Thread { [unowned self] in self.produce() }
    t.stackSize = 8 << 20
    thread = t
    t.start()
  }

  private func produce() {
    while true {
      condition.lock()
      while queue.count >= queueDepth && !stopped { condition.wait() }
      if stopped { condition.unlock(); return }
      let start = next
      next += batchSize
      condition.unlock()
      do {
        let batch = try engine.simulate(start..<(start + batchSize))
        try engine.checkFailures()
        condition.lock()
        queue.append((batch, start + batchSize))
        condition.signal()
        condition.unlock()
      } catch {
        condition.lock()
        failure = error
        stopped = true
        condition.broadcast()
        condition.unlock()
        return
      }
    }
  }

  /// The next batch in order and the global index following it (blocks until ready).
  func take() throws -> (SimulationBatch, Int) {
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty {
      if let failure { throw failure }
      condition.wait()
    }
    let item = queue.removeFirst()
    condition.broadcast()
    return item
  }

  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }

  /// Simulations attempted and failed so far.
  var counts: (attempted: Int, failed: Int) { (engine.attempted, engine.failed) }
}

/// Offline training data: standardized once, held in memory.
struct InMemoryData {
  let u: [Float]
  let y: [Float]
  let lengths: [Int32]
  let count: Int
  let parameterCount: Int
  let observationSize: Int

  init(batch: SimulationBatch, approximator: Approximator) {
    (u, y) = approximator.standardize(batch)
    lengths = batch.lengths
    count = batch.count
    parameterCount = batch.parameterCount
    observationSize = batch.observationSize
  }

  /// The epoch's order: a permutation drawn from stream (seed, epoch).
  func order(seed: UInt64, epoch: Int) -> [Int] {
    var rng = RandomStream(seed: seed, stream: StreamTag.epochOrder(epoch))
    var o = Array(0..<count)
    o.shuffle(using: &rng)
    return o
  }
}

/// Stream indices of the counter-based random streams of a training run (all derived from
/// `training.seed`): distinct tags keep them independent.
enum StreamTag {
  static func epochOrder(_ epoch: Int) -> UInt64 { 0x1000_0000_0000 &+ UInt64(epoch) }
  static func dropout(step: Int, shard: Int) -> UInt64 { 0x2000_0000_0000 &+ UInt64(step) &* 64 &+ UInt64(shard) }
  static let initialization: UInt64 = 0x3000_0000_0000
  /// Validation simulations use their own seed family.
  static func validationSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x5EED_0F_5A11_DA7E }
  /// Pilot simulations for the standardizer.
  static func pilotSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x7A11_0F_9117_0123 }
}
