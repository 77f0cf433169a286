import Dispatch
import Foundation
import Networks
import Tensors

/// Set by the SIGINT handler; the training loop checkpoints and stops at the next step.
nonisolated(unsafe) public var trainingInterruptRequested: sig_atomic_t = 0

/// Training stopped on request (SIGINT) after saving a checkpoint.
public struct TrainingInterrupted: Error, CustomStringConvertible {
  public let checkpoint: String
  public var description: String { "interrupted: checkpoint saved to \(checkpoint); continue with --resume" }
}

/// What a finished run reports.
public struct TrainingOutcome {
  public var checkpoint: String
  public var history: TrainingHistory
  public var position: TrainingPosition
  public var seconds: Double
  public var stepsPerSecond: Double
  public var simulationsPerSecond: Double
  public var notes: [String]
}

/// Amortized training of an `Approximator` on simulations (docs/training.md).
///
/// Each step draws a batch (online, offline or from disk, see `TrainingMode`), standardizes it,
/// splits it into `training.shards` row blocks whose losses and gradients are computed on
/// separate graphs (in parallel on up to `training.threads` cores), sums the gradients in shard
/// order, clips them to `clip_norm` and applies Adam/AdamW with the scheduled learning rate.
/// Every random choice (batch order, dropout masks, simulations) comes from a stream derived from
/// `training.seed` and the step counters, so a run does not depend on the thread count, and a
/// checkpoint (written atomically after every epoch, and on SIGINT) resumes it exactly.
///
/// A step whose loss or gradient is not finite is skipped and counted; five skipped steps in a
/// row restore the weights and optimizer state of the start of the epoch and halve the learning
/// rate.
public final class Trainer {
  public let config: RunConfig
  public let simulator: any Simulator
  public let directory: String
  public let progress: ProgressReporter
  public var checkpointPath: String { directory + "/checkpoint.h5" }
  /// Stop as on SIGINT (checkpoint, then `TrainingInterrupted`) after this many steps of this
  /// run: for tests and scripts that exercise resuming.
  public var interruptAfterSteps: Int?

  private var approximator: Approximator!
  private var adam: Adam<Float>!
  private var history = TrainingHistory()
  private var position = TrainingPosition()
  private var graphs: [Graph<Float>] = []
  private var previousSeconds = 0.0
  private var notes: [String] = []
  private var trainable: [Parameter<Float>] = []

  public init(config: RunConfig, simulator: any Simulator, directory: String, progress: ProgressReporter) {
    self.config = config
    self.simulator = simulator
    self.directory = directory
    self.progress = progress
  }

  var t: TrainingConfig { config.training }
  var threads: Int { t.threads ?? SimulationEngine.defaultThreads }

  // MARK: Run

  /// Trains (or resumes, when `resume` and a checkpoint exists) and returns the outcome.
  public func run(resume: Bool) throws -> TrainingOutcome {
    let started = monotonicSeconds()
    var resumed = false
    if resume && FileManager.default.fileExists(atPath: checkpointPath) {
      try restore(from: try Checkpoint.read(checkpointPath))
      resumed = true
      progress.line("resuming \(checkpointPath) at epoch \(position.epoch + 1), step \(position.stepInEpoch + 1)")
    } else if resume {
      progress.line("no checkpoint at \(checkpointPath): starting a new run")
    }
    let data = try setUp(fresh: !resumed)
    let validation = try validationSet()

    let stepsPerEpoch = data.stepsPerEpoch
    let totalSteps = stepsPerEpoch * t.epochs
    let schedule = t.learningRateSchedule(totalSteps: totalSteps)
    var stepsThisRun = 0
    var simulationsThisRun = 0
    let runStart = monotonicSeconds()
    defer { data.online?.stop() }

    if position.finished && position.epoch >= t.epochs {
      progress.line("the run in \(directory) is already finished (\(position.epoch) epochs)")
    }
    var consecutiveSkips = 0
    epochs: while position.epoch < t.epochs && !position.finished {
      let epoch = position.epoch
      let snapshot = takeSnapshot()
      var skippedThisEpoch = 0
      let order = data.memory?.order(seed: t.seed, epoch: epoch)
      let epochStart = monotonicSeconds()
      var step = position.stepInEpoch
      let diskIterator = data.reader.map { DiskEpoch(reader: $0, batchSize: t.batchSize, seed: t.seed, epoch: epoch, skip: step) }
      while step < stepsPerEpoch {
        // The batch of this step.
        let u: [Float], y: [Float], lengths: [Int32]
        if let memory = data.memory, let order = order {
          let rows = Array(order[(step * t.batchSize)..<min((step + 1) * t.batchSize, memory.count)])
          (u, y, lengths) = gatherRows(memory, rows)
        } else if let online = data.online {
          let (batch, nextIndex) = try online.take()
          position.nextSimulation = nextIndex
          simulationsThisRun += t.batchSize
          (u, y) = approximator.standardize(batch)
          lengths = batch.lengths
        } else {
          guard let batch = try diskIterator!.next() else { break }
          (u, y) = approximator.standardize(batch)
          lengths = batch.lengths
        }
        let lr = schedule.learningRate(at: position.globalStep) * position.learningRateScale
        if let loss = try trainStep(u: u, y: y, lengths: lengths, learningRate: lr) {
          position.epochLossSum += loss
          position.epochLossCount += 1
          consecutiveSkips = 0
        } else {
          position.skippedSteps += 1
          skippedThisEpoch += 1
          consecutiveSkips += 1
          if consecutiveSkips >= 5 {
            restoreSnapshot(snapshot)
            position.learningRateScale *= 0.5
            consecutiveSkips = 0
            let note = "epoch \(epoch + 1): 5 non-finite steps in a row; restored the weights of the epoch's start and halved the learning rate (scale \(position.learningRateScale))"
            notes.append(note)
            progress.line(note)
            if position.learningRateScale < 1e-4 {
              throw SimulationError(message: "training diverged: the loss stays non-finite even at 1/10000 of the learning rate; check the simulator output and the standardization")
            }
          }
        }
        step += 1
        position.stepInEpoch = step
        position.globalStep += 1
        stepsThisRun += 1
        let elapsed = monotonicSeconds() - runStart
        let doneFraction = Double(epoch * stepsPerEpoch + step) / Double(max(totalSteps, 1))
        let eta = elapsed / Double(max(stepsThisRun, 1)) * Double(totalSteps - (epoch * stepsPerEpoch + step))
        progress.live(statusLine(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch, fraction: doneFraction,
                                 simsPerSecond: Double(simulationsThisRun) / max(elapsed, 1e-9), eta: eta))
        if trainingInterruptRequested != 0 || interruptAfterSteps == stepsThisRun {
          try saveCheckpoint(runStart: runStart)
          throw TrainingInterrupted(checkpoint: checkpointPath)
        }
      }
      // End of epoch: validation, history, checkpoint.
      let validationLoss = validation.map { evaluate($0) } ?? .nan
      let trainLoss = position.epochLossCount > 0 ? position.epochLossSum / Double(position.epochLossCount) : .nan
      position.epoch += 1
      position.stepInEpoch = 0
      position.epochLossSum = 0
      position.epochLossCount = 0
      let seconds = previousSeconds + monotonicSeconds() - runStart
      history.append(epoch: position.epoch, loss: trainLoss, validationLoss: validationLoss,
                     learningRate: schedule.learningRate(at: max(position.globalStep - 1, 0)) * position.learningRateScale,
                     seconds: seconds, simulations: data.trainingSimulations(position), skipped: skippedThisEpoch)
      if validationLoss < position.bestValidationLoss {
        position.bestValidationLoss = validationLoss
        position.bestEpoch = position.epoch
      }
      var stop = false
      if let patience = t.earlyStoppingPatience, position.epoch - position.bestEpoch >= patience {
        stop = true
        notes.append("early stopping after epoch \(position.epoch): no validation improvement for \(patience) epochs (best \(String(format: "%.4f", position.bestValidationLoss)) at epoch \(position.bestEpoch))")
      }
      if position.epoch >= t.epochs || stop { position.finished = true }
      try saveCheckpoint(runStart: runStart)
      let epochSeconds = monotonicSeconds() - epochStart
      progress.line(String(format: "epoch %d/%d  loss %.4f  val %.4f  lr %.2e  %.1f s%@", position.epoch, t.epochs, trainLoss,
                           validationLoss, history.learningRate.last ?? 0, epochSeconds,
                           skippedThisEpoch > 0 ? "  skipped \(skippedThisEpoch)" : ""))
      if stop { progress.line(notes.last!); break epochs }
    }
    let elapsed = monotonicSeconds() - runStart
    if stepsThisRun == 0 { try saveCheckpoint(runStart: runStart) }
    return TrainingOutcome(checkpoint: checkpointPath, history: history, position: position,
                           seconds: monotonicSeconds() - started, stepsPerSecond: Double(stepsThisRun) / max(elapsed, 1e-9),
                           simulationsPerSecond: Double(simulationsThisRun) / max(elapsed, 1e-9), notes: notes)
  }

  /// Shard graphs, data, model initialisation and optimizer (a resumed model is already loaded).
  func setUp(fresh: Bool) throws -> PreparedData {
    // Shard 0 writes straight into Parameter.grad; the others keep their own gradients, added
    // afterwards in shard order.
    graphs = (0..<t.shards).map { s in
      let g = Graph<Float>(training: true)
      g.accumulatesIntoParameters = s == 0
      return g
    }
    let data = try prepareData(fresh: fresh)
    if fresh { try initialize(with: data) }
    trainable = approximator.trainableParameters
    if adam == nil { adam = Adam(parameters: approximator.namedParameters, weightDecay: t.weightDecay) }
    return data
  }

  /// Times `steps` optimizer steps on in-memory data (after `warmup` untimed ones): the
  /// training-speed benchmark. Offline mode only.
  func timeSteps(steps: Int, warmup: Int) throws -> Double {
    precondition(t.mode == .offline)
    let data = try setUp(fresh: true)
    let memory = data.memory!
    let order = memory.order(seed: t.seed, epoch: 0)
    let perEpoch = data.stepsPerEpoch
    var t0 = 0.0
    for k in 0..<(warmup + steps) {
      if k == warmup { t0 = monotonicSeconds() }
      let s = k % perEpoch
      let rows = Array(order[(s * t.batchSize)..<min((s + 1) * t.batchSize, memory.count)])
      let (u, y, lengths) = gatherRows(memory, rows)
      _ = try trainStep(u: u, y: y, lengths: lengths, learningRate: 1e-3)
      position.globalStep += 1
    }
    return Double(steps) / (monotonicSeconds() - t0)
  }

  func statusLine(epoch: Int, step: Int, stepsPerEpoch: Int, fraction: Double, simsPerSecond: Double, eta: Double) -> String {
    let loss = position.epochLossCount > 0 ? position.epochLossSum / Double(position.epochLossCount) : .nan
    var s = "epoch \(epoch + 1)/\(t.epochs) \(ProgressReporter.bar(fraction, width: 20)) step \(step)/\(stepsPerEpoch)"
    s += String(format: "  loss %.4f", loss)
    if let v = history.validationLoss.last { s += String(format: "  val %.4f", v) }
    if t.mode == .online { s += String(format: "  %.0f sims/s", simsPerSecond) }
    return s + "  ETA " + ProgressReporter.duration(eta)
  }

  // MARK: One step

  /// Loss and gradients over `shards` row blocks, summed in order; returns the batch loss, or
  /// nil (weights untouched) when anything is non-finite.
  func trainStep(u: [Float], y: [Float], lengths: [Int32], learningRate: Double) throws -> Double? {
    let n = lengths.count
    guard n >= 2 else { return nil }
    let p = approximator.parameterCount, size = approximator.observationShape.count
    let shards = min(t.shards, n)
    let losses = UnsafeMutableBufferPointer<Double>.allocate(capacity: shards)
    defer { losses.deallocate() }
    // Invariant: every Parameter.grad is zero when a step starts (and after it ends).
    // Shard s: rows [s·n/shards, (s+1)·n/shards), loss weighted by its share of the batch.
    func runShard(_ s: Int) {
      let lo = s * n / shards, hi = (s + 1) * n / shards
      let g = graphs[s]
      g.reset()
      g.rng = RandomStream(seed: t.seed, stream: StreamTag.dropout(step: position.globalStep, shard: s))
      let ut = u.withUnsafeBufferPointer { g.constant(UnsafeBufferPointer(rebasing: $0[(lo * p)..<(hi * p)]), shape: Shape(hi - lo, p)) }
      let yt = y.withUnsafeBufferPointer { g.constant(UnsafeBufferPointer(rebasing: $0[(lo * size)..<(hi * size)]), shape: approximator.observationTensorShape(count: hi - lo)) }
      let loss = lengths.withUnsafeBufferPointer { approximator.loss(u: ut, y: yt, lengths: UnsafeBufferPointer(rebasing: $0[lo..<hi])) }
      let weighted = loss * Float(Double(hi - lo) / Double(n))
      losses[s] = Double(weighted.item)
      if losses[s].isFinite { g.backward(from: weighted) }
    }
    let parallel = shards > 1 && threads > 1
    if parallel {
      DispatchQueue.concurrentPerform(iterations: shards) { runShard($0) }
    } else {
      for s in 0..<shards { runShard(s) }
    }
    let loss = losses.reduce(0, +)
    // Parameter-side work in parallel over parameters (each is independent; the norm is summed
    // in parameter order, so the result does not depend on the thread count).
    let squares = UnsafeMutableBufferPointer<Double>.allocate(capacity: trainable.count)
    defer { squares.deallocate() }
    forEachParameter(parallel: parallel) { k, param in
      for s in 1..<max(shards, 1) {
        if let g = graphs[s].gradient(of: param) { for i in 0..<param.count { param.grad[i] += g[i] } }
      }
      squares[k] = sumOfSquares(param.grad, count: param.count)
    }
    let norm = squares.reduce(0, +).squareRoot()
    guard loss.isFinite, norm.isFinite else {
      forEachParameter(parallel: parallel) { _, param in param.zeroGrad() }
      return nil
    }
    let scale = t.clipNorm.map { norm > $0 ? Float($0 / norm) : 1 } ?? 1
    adam.advanceStep()
    forEachParameter(parallel: parallel) { k, param in
      if scale != 1 { for i in 0..<param.count { param.grad[i] *= scale } }
      adam.applyUpdate(toParameter: k, learningRate: learningRate)
      param.zeroGrad()
    }
    return loss
  }

  /// Calls `body(k, parameter)` for every trainable parameter, split into contiguous groups of
  /// similar size over the threads when `parallel`.
  func forEachParameter(parallel: Bool, _ body: (Int, Parameter<Float>) -> Void) {
    guard parallel else {
      for (k, param) in trainable.enumerated() { body(k, param) }
      return
    }
    let groups = parameterGroups
    DispatchQueue.concurrentPerform(iterations: groups.count) { w in
      for k in groups[w] { body(k, trainable[k]) }
    }
  }

  /// `trainable` split into `threads` contiguous index ranges of about equal element counts.
  lazy var parameterGroups: [Range<Int>] = {
    let total = trainable.reduce(0) { $0 + $1.count }
    let parts = max(1, min(threads, trainable.count))
    var groups: [Range<Int>] = [], start = 0, acc = 0
    for (k, param) in trainable.enumerated() {
      acc += param.count
      if acc * parts >= total * (groups.count + 1) && groups.count < parts - 1 {
        groups.append(start..<(k + 1))
        start = k + 1
      }
    }
    groups.append(start..<trainable.count)
    return groups.filter { !$0.isEmpty }
  }()

  // MARK: Validation

  struct ValidationData {
    var u: [Float]
    var y: [Float]
    var lengths: [Int32]
  }

  func validationSet() throws -> ValidationData? {
    guard t.validationSimulations > 0 else { return nil }
    let engine = SimulationEngine(simulator: simulator, seed: StreamTag.validationSeed(t.seed), threads: threads,
                                  maxFailureFraction: t.maxFailureFraction)
    let batch = try engine.simulate(0..<t.validationSimulations)
    try engine.checkFailures(minimumAttempts: 1)
    let (u, y) = approximator.standardize(batch)
    return ValidationData(u: u, y: y, lengths: batch.lengths)
  }

  /// Mean loss over the validation set (inference mode: no dropout, no gradients).
  func evaluate(_ v: ValidationData) -> Double {
    let g = Graph<Float>(training: false)
    let n = v.lengths.count, p = approximator.parameterCount, size = approximator.observationShape.count
    var total = 0.0
    var start = 0
    while start < n {
      let m = min(1024, n - start)
      g.reset()
      let ut = v.u.withUnsafeBufferPointer { g.constant(UnsafeBufferPointer(rebasing: $0[(start * p)..<((start + m) * p)]), shape: Shape(m, p)) }
      let yt = v.y.withUnsafeBufferPointer { g.constant(UnsafeBufferPointer(rebasing: $0[(start * size)..<((start + m) * size)]), shape: approximator.observationTensorShape(count: m)) }
      let loss = v.lengths.withUnsafeBufferPointer { approximator.loss(u: ut, y: yt, lengths: UnsafeBufferPointer(rebasing: $0[start..<(start + m)])) }
      total += Double(loss.item) * Double(m)
      start += m
    }
    return total / Double(max(n, 1))
  }

  // MARK: Data

  final class PreparedData {
    var memory: InMemoryData?
    var online: OnlineBatches?
    var reader: SimulationDatasetReader?
    var firstBatch: SimulationBatch?
    var stepsPerEpoch = 0
    var count = 0
    let batchSize: Int
    let mode: TrainingMode
    init(mode: TrainingMode, batchSize: Int) {
      self.mode = mode
      self.batchSize = batchSize
    }
    func trainingSimulations(_ p: TrainingPosition) -> Int {
      mode == .online ? p.nextSimulation : count * p.epoch
    }
  }

  func prepareData(fresh: Bool) throws -> PreparedData {
    let d = PreparedData(mode: t.mode, batchSize: t.batchSize)
    let p = simulator.parameters.count
    switch t.mode {
    case .online:
      let engine = SimulationEngine(simulator: simulator, seed: t.seed, threads: threads, maxFailureFraction: t.maxFailureFraction)
      if fresh {
        let pilot = try SimulationEngine(simulator: simulator, seed: StreamTag.pilotSeed(t.seed), threads: threads,
                                         maxFailureFraction: t.maxFailureFraction).simulate(0..<config.adapter.pilotSimulations)
        try buildApproximator(standardizerFrom: pilot)
      }
      d.online = OnlineBatches(engine: engine, batchSize: t.batchSize, startingAt: position.nextSimulation)
      d.online!.start()
      d.stepsPerEpoch = t.batchesPerEpoch
    case .offline:
      var batch: SimulationBatch
      if let path = t.dataset {
        let reader = try openDataset(path)
        let n = min(t.simulationBudget ?? reader.count, reader.count)
        batch = try reader.read(0..<n)
      } else {
        let engine = SimulationEngine(simulator: simulator, seed: t.seed, threads: threads, maxFailureFraction: t.maxFailureFraction)
        progress.live("simulating \(t.simulationBudget!) training simulations …", force: true)
        batch = try engine.simulate(0..<t.simulationBudget!)
        try engine.checkFailures(minimumAttempts: 1)
      }
      guard batch.count >= 2 else { throw SimulationError(message: "offline training needs at least 2 simulations, got \(batch.count)") }
      if fresh { try buildApproximator(standardizerFrom: batch.slice(0..<min(batch.count, max(config.adapter.pilotSimulations, 2)))) }
      d.memory = InMemoryData(batch: batch, approximator: approximator)
      d.count = batch.count
      d.stepsPerEpoch = (batch.count + t.batchSize - 1) / t.batchSize
      _ = p
    case .disk:
      let reader = try openDataset(t.dataset!)
      if fresh { try buildApproximator(standardizerFrom: try reader.read(0..<min(reader.count, max(config.adapter.pilotSimulations, 2)))) }
      d.reader = reader
      d.count = reader.count
      d.stepsPerEpoch = (reader.count + t.batchSize - 1) / t.batchSize
    }
    return d
  }

  func openDataset(_ path: String) throws -> SimulationDatasetReader {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(path, "no such dataset (training.dataset)") }
    let reader: SimulationDatasetReader
    do { reader = try SimulationDatasetReader(path: path) } catch { throw InputError(path, "\(error)") }
    guard reader.parameterNames == simulator.parameterNames, reader.rows == simulator.observationShape.rows,
          reader.width == simulator.observationShape.width else {
      throw InputError(path, "dataset of \(reader.simulatorName) with parameters \(reader.parameterNames) does not match simulator \(simulator.name) (\(simulator.parameterNames), \(simulator.observationShape))")
    }
    return reader
  }

  func buildApproximator(standardizerFrom pilot: SimulationBatch) throws {
    guard pilot.count >= 2 else { throw SimulationError(message: "the standardizer needs at least 2 pilot simulations, got \(pilot.count)") }
    let supports = simulator.parameters.map { config.adapter.intervalParameters.standardizerSupport($0.support) }
    let standardizer = Standardizer(fitting: pilot, supports: supports,
                                    observationTransform: config.adapter.observationTransform)
    var rng = RandomStream(seed: t.seed, stream: StreamTag.initialization)
    approximator = try Approximator(shape: simulator.observationShape, parameterCount: simulator.parameters.count,
                                    standardizer: standardizer, summary: config.summaryNetwork, flow: config.inferenceNetwork, rng: &rng)
  }

  /// Data-dependent initialisation (ActNorm) on a first batch, before any parallel step.
  func initialize(with data: PreparedData) throws {
    let batch: SimulationBatch
    if let memory = data.memory {
      let n = min(memory.count, t.batchSize)
      let (u, y, lengths) = gatherRows(memory, Array(memory.order(seed: t.seed, epoch: 0).prefix(n)))
      runForward(u: u, y: y, lengths: lengths)
      return
    } else if let reader = data.reader {
      batch = try reader.read(0..<min(reader.count, t.batchSize))
    } else {
      batch = try SimulationEngine(simulator: simulator, seed: StreamTag.pilotSeed(t.seed), threads: threads)
        .simulate(0..<t.batchSize)
    }
    let (u, y) = approximator.standardize(batch)
    runForward(u: u, y: y, lengths: batch.lengths)
  }

  func runForward(u: [Float], y: [Float], lengths: [Int32]) {
    let g = Graph<Float>(training: false)
    let n = lengths.count
    let ut = g.constant(u, shape: Shape(n, approximator.parameterCount))
    let yt = g.constant(y, shape: approximator.observationTensorShape(count: n))
    _ = lengths.withUnsafeBufferPointer { approximator.loss(u: ut, y: yt, lengths: $0) }
  }

  func gatherRows(_ m: InMemoryData, _ rows: [Int]) -> ([Float], [Float], [Int32]) {
    var u = [Float](), y = [Float](), lengths = [Int32]()
    u.reserveCapacity(rows.count * m.parameterCount)
    y.reserveCapacity(rows.count * m.observationSize)
    lengths.reserveCapacity(rows.count)
    for r in rows {
      u += m.u[(r * m.parameterCount)..<((r + 1) * m.parameterCount)]
      y += m.y[(r * m.observationSize)..<((r + 1) * m.observationSize)]
      lengths.append(m.lengths[r])
    }
    return (u, y, lengths)
  }

  // MARK: Snapshots and checkpoints

  struct Snapshot {
    var weights: [[Float]]
    var step: Int
    var moments: [String: [Double]]
  }

  func takeSnapshot() -> Snapshot {
    let s = adam.state()
    return Snapshot(weights: approximator.namedParameters.map { $0.parameter.values }, step: s.step, moments: s.moments)
  }

  func restoreSnapshot(_ s: Snapshot) {
    for (entry, values) in zip(approximator.namedParameters, s.weights) { entry.parameter.assign(values) }
    try? adam.restore(step: s.step, moments: s.moments)
  }

  func saveCheckpoint(runStart: Double) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let contents = CheckpointContents(
      config: config.json, simulatorName: simulator.name, parameterNames: simulator.parameterNames,
      weights: approximator.parameterValues(), optimizerStep: adam.state().step, optimizerMoments: adam.state().moments,
      standardizer: approximator.standardizer, history: history, position: position, seed: t.seed)
    try Checkpoint.write(contents, to: checkpointPath)
  }

  func restore(from c: CheckpointContents) throws {
    let saved = try RunConfig(c.config)
    guard saved.modelSections == config.modelSections else {
      throw InputError(checkpointPath, "the checkpoint was trained with a different simulator, network or adapter configuration; start a new run (another output directory) or use the same config")
    }
    var rng = RandomStream(seed: t.seed, stream: StreamTag.initialization)
    approximator = try Approximator(shape: simulator.observationShape, parameterCount: simulator.parameters.count,
                                    standardizer: c.standardizer, summary: config.summaryNetwork, flow: config.inferenceNetwork, rng: &rng)
    do { try approximator.loadParameters(c.weights) } catch { throw InputError(checkpointPath, "\(error)") }
    adam = Adam(parameters: approximator.namedParameters, weightDecay: t.weightDecay)
    do { try adam.restore(step: c.optimizerStep, moments: c.optimizerMoments) } catch { throw InputError(checkpointPath, "optimizer state: \(error)") }
    history = c.history
    position = c.position
    if position.epoch < t.epochs { position.finished = false }
    previousSeconds = c.history.seconds.last ?? 0
  }
}

/// One epoch of disk-mode batches, in the epoch's shuffled order, starting after `skip` batches.
final class DiskEpoch {
  private var batches: [SimulationBatch] = []
  private var index = 0
  private let reader: SimulationDatasetReader
  private let batchSize: Int
  private var blocks: [Int]
  private var rng: RandomStream
  private var skip: Int

  init(reader: SimulationDatasetReader, batchSize: Int, seed: UInt64, epoch: Int, skip: Int) {
    self.reader = reader
    self.batchSize = batchSize
    rng = RandomStream(seed: seed, stream: StreamTag.epochOrder(epoch))
    blocks = Array(stride(from: 0, to: reader.count, by: batchSize))
    blocks.shuffle(using: &rng)
    self.skip = skip
  }

  /// The next batch (blocks of the file in shuffled order, rows shuffled within groups of four
  /// blocks), or nil at the end of the epoch.
  func next() throws -> SimulationBatch? {
    while true {
      if index < batches.count {
        defer { index += 1 }
        if skip > 0 { skip -= 1; continue }
        return batches[index]
      }
      guard !blocks.isEmpty else { return nil }
      var buffer = SimulationBatch(parameterCount: reader.parameterNames.count, rows: reader.rows, width: reader.width)
      for start in blocks.prefix(4) { buffer.append(contentsOf: try reader.read(start..<min(start + batchSize, reader.count))) }
      blocks.removeFirst(min(4, blocks.count))
      var order = Array(0..<buffer.count)
      order.shuffle(using: &rng)
      batches = stride(from: 0, to: order.count, by: batchSize).map { buffer.gather(order[$0..<min($0 + batchSize, order.count)]) }
      index = 0
    }
  }
}
