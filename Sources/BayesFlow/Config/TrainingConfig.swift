import Tensors

/// How training data is produced.
public enum TrainingMode: String, Sendable, CaseIterable {
  /// Fresh simulations every step, produced on a background thread.
  case online
  /// A fixed budget simulated once (or read from `dataset`) and reused every epoch.
  case offline
  /// Streamed from an HDF5 dataset (larger than memory) every epoch.
  case disk
}

/// Learning-rate schedule names of the config.
public enum ScheduleKind: String, Sendable, CaseIterable {
  case constant, cosine, exponential
}

/// The `training` section of a run configuration (docs/config.md lists every key).
public struct TrainingConfig: Sendable, Equatable {
  public var mode: TrainingMode = .online
  /// Offline/disk: simulations used for training (null: all of `dataset`). Online: total
  /// simulations; when set, the number of epochs follows from it.
  public var simulationBudget: Int?
  /// HDF5 dataset written by `bayesflow simulate` (offline or disk mode).
  public var dataset: String?
  public var epochs = 30
  /// Online mode: optimizer steps per epoch (offline/disk: one pass over the data).
  public var batchesPerEpoch = 500
  public var batchSize = 256
  public var learningRate = 5e-4
  public var schedule: ScheduleKind = .cosine
  /// Linear warm-up steps of the cosine schedule.
  public var warmupSteps = 0
  /// Learning rate at the end of the cosine schedule, as a fraction of the initial one.
  public var finalLearningRateFraction = 0.0
  /// Exponential (staircase) schedule: η₀·rate^⌊t/decay_steps⌋.
  public var decayRate = 0.99
  public var decaySteps = 1000
  /// Global-norm gradient clipping (null: none).
  public var clipNorm: Double? = 1.5
  /// Decoupled weight decay (AdamW); 0 is plain Adam.
  public var weightDecay = 0.0
  public var validationSimulations = 1000
  /// Stop when the validation loss has not improved for this many epochs (null: never).
  public var earlyStoppingPatience: Int?
  public var seed: UInt64 = 1
  /// Threads for simulation and the data-parallel step (null: all cores).
  public var threads: Int?
  /// The batch is split into this many shards whose gradients are summed in a fixed order;
  /// results depend on `shards`, never on `threads`.
  public var shards = 2
  public var maxFailureFraction = 0.2

  public init() {}

  /// Reads and validates `training` (errors name the JSON path).
  public init(_ o: ConfigObject) throws {
    mode = try o.choice("mode", default: TrainingMode.online)
    simulationBudget = try o.int("simulation_budget", default: nil, in: 2...Int.max, nullable: true)
    dataset = try o.string("dataset", default: nil, nullable: true)
    epochs = try o.int("epochs", default: 30, in: 1...1_000_000)
    let perEpoch = try o.int("batches_per_epoch", default: nil, in: 1...Int.max, nullable: true)
    batchSize = try o.int("batch_size", default: 256, in: 2...Int.max)
    learningRate = try o.double("learning_rate", default: 5e-4, in: 0...10, exclusiveLower: true)
    schedule = try o.choice("schedule", default: ScheduleKind.cosine)
    warmupSteps = try o.int("warmup_steps", default: 0, in: 0...Int.max)
    finalLearningRateFraction = try o.double("final_learning_rate_fraction", default: 0, in: 0...1)
    decayRate = try o.double("decay_rate", default: 0.99, in: 0...1, exclusiveLower: true)
    decaySteps = try o.int("decay_steps", default: 1000, in: 1...Int.max)
    clipNorm = try o.double("clip_norm", default: 1.5, in: 0...Double.greatestFiniteMagnitude, nullable: true, exclusiveLower: true)
    weightDecay = try o.double("weight_decay", default: 0, in: 0...1)
    validationSimulations = try o.int("validation_simulations", default: 1000, in: 0...10_000_000)
    earlyStoppingPatience = try o.int("early_stopping_patience", default: nil, in: 1...Int.max, nullable: true)
    seed = UInt64(try o.int("seed", default: 1, in: 0...Int.max))
    threads = try o.int("threads", default: nil, in: 1...1024, nullable: true)
    shards = try o.int("shards", default: 2, in: 1...64)
    maxFailureFraction = try o.double("max_failure_fraction", default: 0.2, in: 0...1)
    try o.finish()
    switch mode {
    case .online:
      batchesPerEpoch = perEpoch ?? 500
      if dataset != nil { throw ConfigError(path: o.path + ".dataset", "applies to offline and disk mode only (mode is \"online\")") }
      if let budget = simulationBudget {
        epochs = max(1, budget / (batchesPerEpoch * batchSize))
      }
    case .offline:
      if perEpoch != nil { throw ConfigError(path: o.path + ".batches_per_epoch", "applies to online mode only; an offline epoch is one pass over the simulations") }
      if simulationBudget == nil && dataset == nil {
        throw ConfigError(path: o.path + ".simulation_budget", "offline mode needs a simulation budget or a dataset")
      }
    case .disk:
      if perEpoch != nil { throw ConfigError(path: o.path + ".batches_per_epoch", "applies to online mode only; a disk epoch is one pass over the dataset") }
      if dataset == nil { throw ConfigError(path: o.path + ".dataset", "disk mode needs an HDF5 dataset (write one with bayesflow simulate)") }
    }
    if shards > batchSize { throw ConfigError(path: o.path + ".shards", "must not exceed batch_size (\(batchSize)), got \(shards)") }
  }

  /// The learning-rate schedule over `totalSteps` updates.
  public func learningRateSchedule(totalSteps: Int) -> LearningRateSchedule {
    switch schedule {
    case .constant: return .constant(learningRate)
    case .cosine: return .cosine(initial: learningRate, totalSteps: totalSteps, warmupSteps: warmupSteps, finalFraction: finalLearningRateFraction)
    case .exponential: return .exponentialStaircase(initial: learningRate, rate: decayRate, every: decaySteps)
    }
  }
}

/// The `adapter` section: how data are standardized before the networks see them.
public struct AdapterConfig: Sendable, Equatable {
  public var observationTransform: ObservationTransform = .none
  /// How interval-bounded parameters are mapped to ℝ.
  public var intervalParameters: IntervalParameterMap = .logit
  /// Simulations drawn to estimate the standardization statistics.
  public var pilotSimulations = 4096

  public init() {}

  public init(_ o: ConfigObject) throws {
    observationTransform = try o.choice("observation_transform", default: ObservationTransform.none)
    intervalParameters = try o.choice("interval_parameters", default: IntervalParameterMap.logit)
    pilotSimulations = try o.int("pilot_simulations", default: 4096, in: 2...10_000_000)
    try o.finish()
  }
}
