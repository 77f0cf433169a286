import Foundation
import HDF5

/// Per-epoch training record.
public struct TrainingHistory: Sendable, Equatable {
  public var epoch: [Int] = []
  public var loss: [Double] = []
  public var validationLoss: [Double] = []
  public var learningRate: [Double] = []
  /// Wall-clock seconds since the start of the run (resumed runs continue the count).
  public var seconds: [Double] = []
  /// Simulations used for training so far.
  public var simulations: [Int] = []
  /// Steps skipped because of a non-finite loss or gradient, per epoch.
  public var skippedSteps: [Int] = []
  public init() {}

  public mutating func append(epoch e: Int, loss l: Double, validationLoss v: Double, learningRate lr: Double,
                              seconds s: Double, simulations n: Int, skipped k: Int) {
    epoch.append(e); loss.append(l); validationLoss.append(v); learningRate.append(lr)
    seconds.append(s); simulations.append(n); skippedSteps.append(k)
  }
}

/// Where a run stands, so that `--resume` continues it exactly.
public struct TrainingPosition: Sendable, Equatable {
  /// Epochs completed.
  public var epoch = 0
  /// Steps completed within the current epoch (non-zero after an interrupted epoch).
  public var stepInEpoch = 0
  /// Optimizer updates attempted so far (the schedule's t; skipped steps count too).
  public var globalStep = 0
  /// Next global simulation index of the online stream.
  public var nextSimulation = 0
  /// Learning-rate multiplier after blow-ups (1 normally).
  public var learningRateScale = 1.0
  public var skippedSteps = 0
  /// Best validation loss and the epoch it was reached (early stopping).
  public var bestValidationLoss = Double.infinity
  public var bestEpoch = 0
  public var finished = false
  /// Sum and count of the step losses of the current epoch (so an interrupted epoch reports
  /// the same mean when resumed).
  public var epochLossSum = 0.0
  public var epochLossCount = 0
  public init() {}
}

/// Everything a checkpoint holds (docs/file-formats.md):
///
///     /config                  the run's JSON config (string)
///     /weights/<name>          float32, one dataset per network parameter
///     /optimizer/m/<name>, /optimizer/v/<name>   float64 Adam moments   (attribute step)
///     /standardizer/...        parameter and observation statistics and supports
///     /history/...             per-epoch loss, validation_loss, learning_rate, seconds, simulations
///     /rng                     uint64: seed of the run's counter-based random streams
///     /position                attributes epoch, step_in_epoch, global_step, next_simulation, …
///     attributes: simulator, parameter_names, format_version, created
public struct CheckpointContents {
  public var config: JSONValue
  public var simulatorName: String
  public var parameterNames: [String]
  public var weights: [String: (shape: [Int], values: [Float])]
  public var optimizerStep: Int
  public var optimizerMoments: [String: [Double]]
  public var standardizer: Standardizer
  public var history: TrainingHistory
  public var position: TrainingPosition
  public var seed: UInt64

  public init(config: JSONValue, simulatorName: String, parameterNames: [String],
              weights: [String: (shape: [Int], values: [Float])], optimizerStep: Int, optimizerMoments: [String: [Double]],
              standardizer: Standardizer, history: TrainingHistory, position: TrainingPosition, seed: UInt64) {
    self.config = config
    self.simulatorName = simulatorName
    self.parameterNames = parameterNames
    self.weights = weights
    self.optimizerStep = optimizerStep
    self.optimizerMoments = optimizerMoments
    self.standardizer = standardizer
    self.history = history
    self.position = position
    self.seed = seed
  }
}

public enum Checkpoint {
  /// Writes a checkpoint atomically (a failure leaves any previous checkpoint intact). Refuses
  /// non-finite weights.
  public static func write(_ c: CheckpointContents, to path: String) throws {
    for (name, w) in c.weights where !w.values.allSatisfy(\.isFinite) {
      throw InputError(path, "refusing to write a checkpoint: weight \(name) is not finite")
    }
    try H5File.createAtomically(at: path) { f in
      try f.setAttribute("format_version", to: fileFormatVersion)
      try f.setAttribute("simulator", to: c.simulatorName)
      try f.setAttribute("parameter_names", to: c.parameterNames)
      try f.setAttribute("created", to: ISO8601DateFormatter().string(from: Date()))
      try f.createDataset("config", string: c.config.prettyText())
      let weights = try f.createGroup("weights")
      for name in c.weights.keys.sorted() {
        let w = c.weights[name]!
        try weights.createDataset(name, values: w.values, shape: w.shape)
      }
      let opt = try f.createGroup("optimizer")
      try opt.setAttribute("step", to: Int64(c.optimizerStep))
      for name in c.optimizerMoments.keys.sorted() {
        try opt.createDataset(name, values: c.optimizerMoments[name]!)
      }
      try writeStandardizer(c.standardizer, try f.createGroup("standardizer"))
      let h = try f.createGroup("history")
      try h.createDataset("epoch", values: c.history.epoch.map(Int64.init))
      try h.createDataset("loss", values: c.history.loss)
      try h.createDataset("validation_loss", values: c.history.validationLoss)
      try h.createDataset("learning_rate", values: c.history.learningRate)
      try h.createDataset("seconds", values: c.history.seconds)
      try h.createDataset("simulations", values: c.history.simulations.map(Int64.init))
      try h.createDataset("skipped_steps", values: c.history.skippedSteps.map(Int64.init))
      try f.createDataset("rng", values: [c.seed])
      let p = try f.createGroup("position")
      try p.setAttribute("epoch", to: Int64(c.position.epoch))
      try p.setAttribute("step_in_epoch", to: Int64(c.position.stepInEpoch))
      try p.setAttribute("global_step", to: Int64(c.position.globalStep))
      try p.setAttribute("next_simulation", to: Int64(c.position.nextSimulation))
      try p.setAttribute("learning_rate_scale", to: c.position.learningRateScale)
      try p.setAttribute("skipped_steps", to: Int64(c.position.skippedSteps))
      try p.setAttribute("best_validation_loss", to: c.position.bestValidationLoss)
      try p.setAttribute("best_epoch", to: Int64(c.position.bestEpoch))
      try p.setAttribute("finished", to: Int64(c.position.finished ? 1 : 0))
      try p.setAttribute("epoch_loss_sum", to: c.position.epochLossSum)
      try p.setAttribute("epoch_loss_count", to: Int64(c.position.epochLossCount))
    }
  }

  static func writeStandardizer(_ s: Standardizer, _ g: H5Group) throws {
    try g.createDataset("parameter_mean", values: s.parameterMean)
    try g.createDataset("parameter_scale", values: s.parameterScale)
    try g.createDataset("support_kind", strings: s.supports.map { support -> String in
      switch support { case .real: return "real"; case .positive: return "positive"; case .interval: return "interval" }
    })
    try g.createDataset("support_lower", values: s.supports.map { if case let .interval(a, _) = $0 { return a } else { return .nan } })
    try g.createDataset("support_upper", values: s.supports.map { if case let .interval(_, b) = $0 { return b } else { return .nan } })
    try g.createDataset("observation_mean", values: s.observationMean)
    try g.createDataset("observation_scale", values: s.observationScale)
    try g.setAttribute("observation_transform", to: s.observationTransform.rawValue)
  }

  static func readStandardizer(_ g: H5Group, file: String) throws -> Standardizer {
    let kinds = try g.openDataset("support_kind").readStrings()
    let lower = try g.openDataset("support_lower").read(as: Double.self)
    let upper = try g.openDataset("support_upper").read(as: Double.self)
    let supports: [ParameterSupport] = try kinds.enumerated().map { i, k in
      switch k {
      case "real": return .real
      case "positive": return .positive
      case "interval": return .interval(lower: lower[i], upper: upper[i])
      default: throw InputError(file, "/standardizer/support_kind: unknown support \"\(k)\"")
      }
    }
    let transformName = try g.readAttribute("observation_transform", as: String.self)
    guard let transform = ObservationTransform(rawValue: transformName) else {
      throw InputError(file, "/standardizer: unknown observation_transform \"\(transformName)\"")
    }
    return Standardizer(supports: supports,
                        parameterMean: try g.openDataset("parameter_mean").read(as: Double.self),
                        parameterScale: try g.openDataset("parameter_scale").read(as: Double.self),
                        observationTransform: transform,
                        observationMean: try g.openDataset("observation_mean").read(as: Double.self),
                        observationScale: try g.openDataset("observation_scale").read(as: Double.self))
  }

  /// Reads a checkpoint. Errors name the file: missing file, not HDF5, another format version,
  /// missing groups.
  public static func read(_ path: String) throws -> CheckpointContents {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(path, "no such checkpoint file") }
    let f: H5File
    do { f = try H5File.open(at: path) } catch { throw InputError(path, "not an HDF5 file (expected a checkpoint written by bayesflow fit)") }
    guard f.hasAttribute("format_version") else { throw InputError(path, "not a bayesflow checkpoint (no format_version attribute)") }
    let version = try f.readAttribute("format_version", as: Int64.self)
    guard version == fileFormatVersion else {
      throw InputError(path, "checkpoint format version \(version); this bayesflow reads version \(fileFormatVersion)")
    }
    guard f.exists("weights"), f.exists("config") else { throw InputError(path, "not a checkpoint (no /weights or /config; is it a dataset?)") }
    do {
      let configText = try f.openDataset("config").readString()
      let config = try JSONValue.parse(configText)
      let wg = try f.openGroup("weights")
      var weights: [String: (shape: [Int], values: [Float])] = [:]
      try collectWeights(wg, prefix: "", into: &weights)
      let og = try f.openGroup("optimizer")
      var moments: [String: [Double]] = [:]
      try collectMoments(og, prefix: "", into: &moments)
      let h = try f.openGroup("history")
      var history = TrainingHistory()
      history.epoch = try h.openDataset("epoch").read(as: Int64.self).map(Int.init)
      history.loss = try h.openDataset("loss").read(as: Double.self)
      history.validationLoss = try h.openDataset("validation_loss").read(as: Double.self)
      history.learningRate = try h.openDataset("learning_rate").read(as: Double.self)
      history.seconds = try h.openDataset("seconds").read(as: Double.self)
      history.simulations = try h.openDataset("simulations").read(as: Int64.self).map(Int.init)
      history.skippedSteps = try h.openDataset("skipped_steps").read(as: Int64.self).map(Int.init)
      let p = try f.openGroup("position")
      var position = TrainingPosition()
      position.epoch = Int(try p.readAttribute("epoch", as: Int64.self))
      position.stepInEpoch = Int(try p.readAttribute("step_in_epoch", as: Int64.self))
      position.globalStep = Int(try p.readAttribute("global_step", as: Int64.self))
      position.nextSimulation = Int(try p.readAttribute("next_simulation", as: Int64.self))
      position.learningRateScale = try p.readAttribute("learning_rate_scale", as: Double.self)
      position.skippedSteps = Int(try p.readAttribute("skipped_steps", as: Int64.self))
      position.bestValidationLoss = try p.readAttribute("best_validation_loss", as: Double.self)
      position.bestEpoch = Int(try p.readAttribute("best_epoch", as: Int64.self))
      position.finished = try p.readAttribute("finished", as: Int64.self) != 0
      position.epochLossSum = try p.readAttribute("epoch_loss_sum", as: Double.self)
      position.epochLossCount = Int(try p.readAttribute("epoch_loss_count", as: Int64.self))
      return CheckpointContents(
        config: config, simulatorName: try f.readAttribute("simulator", as: String.self),
        parameterNames: try f.readAttribute("parameter_names", as: [String].self), weights: weights,
        optimizerStep: Int(try og.readAttribute("step", as: Int64.self)), optimizerMoments: moments,
        standardizer: try readStandardizer(try f.openGroup("standardizer"), file: path), history: history,
        position: position, seed: try f.openDataset("rng").read(as: UInt64.self).first ?? 0)
    } catch let e as InputError {
      throw e
    } catch {
      throw InputError(path, "damaged checkpoint: \(error)")
    }
  }

  /// Weights are stored under their dotted names; HDF5 treats "/" as a separator only, so a
  /// dotted name is one dataset. Groups (if any) are walked recursively.
  static func collectWeights(_ g: H5Group, prefix: String, into out: inout [String: (shape: [Int], values: [Float])]) throws {
    for child in try g.children() {
      if g.kind(at: child) == .group {
        try collectWeights(try g.openGroup(child), prefix: prefix + child + "/", into: &out)
      } else {
        let ds = try g.openDataset(child)
        out[prefix + child] = (ds.shape, try ds.read(as: Float.self))
      }
    }
  }

  static func collectMoments(_ g: H5Group, prefix: String, into out: inout [String: [Double]]) throws {
    for child in try g.children() {
      if g.kind(at: child) == .group {
        try collectMoments(try g.openGroup(child), prefix: prefix + child + "/", into: &out)
      } else {
        out[prefix + child] = try g.openDataset(child).read(as: Double.self)
      }
    }
  }
}
