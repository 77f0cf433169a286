/// Everything a calibration report shows.
///
/// Shapes: truths [M][P]; posterior draws [M, L, P] (`PosteriorDraws`); the example posterior
/// [N][P]; the observed series [T][C]. Either the raw draws are given (the diagnostics are then
/// computed with `options`) or diagnostics computed earlier.
public struct CalibrationReportInput: Sendable {
  /// Where the calibration numbers come from.
  public enum Calibration: Sendable {
    /// Truths [M][P] and draws [M, L, P]; prior variances per parameter (nil: estimated from
    /// the truths).
    case draws(truths: [[Double]], draws: PosteriorDraws, priorVariances: [Double]?)
    case diagnostics(CalibrationDiagnostics)
  }

  public var title: String
  public var simulatorName: String
  /// One name per parameter (unique: they key the JSON).
  public var parameterNames: [String]
  public var calibration: Calibration
  /// Settings for computing diagnostics from `.draws`.
  public var options = CalibrationOptions()
  /// Loss per epoch (and validation loss; non-finite values are skipped).
  public var history: TrainingHistory?
  /// One observation's posterior for the pairs plot (and its posterior predictive).
  public var example: ExamplePosterior?

  public init(title: String, simulatorName: String, parameterNames: [String], calibration: Calibration,
              history: TrainingHistory? = nil, example: ExamplePosterior? = nil) {
    self.title = title
    self.simulatorName = simulatorName
    self.parameterNames = parameterNames
    self.calibration = calibration
    self.history = history
    self.example = example
  }
}

/// The posterior of one observation: draws for a pairs plot, and optionally its posterior
/// predictive time series.
public struct ExamplePosterior: Sendable {
  /// What the observation is ("observation 17", a file name).
  public var label: String
  /// Posterior draws [N][P].
  public var draws: [[Double]]
  /// The true parameters, when known (marked in the pairs plot).
  public var truth: [Double]?
  /// The parameters (indices) in the pairs plot; default the first min(P, 6).
  public var pairsParameters: [Int]?
  /// Why these parameters are in the pairs plot, when not all are ("largest contraction").
  public var pairsNote: String?
  public var predictive: PosteriorPredictiveSeries?

  public init(label: String, draws: [[Double]], truth: [Double]? = nil, pairsParameters: [Int]? = nil,
              predictive: PosteriorPredictiveSeries? = nil) {
    self.label = label
    self.draws = draws
    self.truth = truth
    self.pairsParameters = pairsParameters
    self.predictive = predictive
  }
}

/// An observed time series with the pointwise quantiles of its posterior predictive
/// simulations. `quantiles` must hold the levels 0.025, 0.25, 0.5, 0.75 and 0.975
/// (`PredictiveQuantiles.defaultLevels`) for the same T and C.
public struct PosteriorPredictiveSeries: Sendable {
  /// Observed values [T][C].
  public var observed: [[Double]]
  public var channelNames: [String]
  /// The time of each step; default 0, 1, …, T − 1.
  public var times: [Double]?
  public var quantiles: PredictiveQuantiles

  public init(observed: [[Double]], channelNames: [String], times: [Double]? = nil, quantiles: PredictiveQuantiles) {
    precondition(observed.count == quantiles.timeSteps && observed.allSatisfy { $0.count == quantiles.channels },
                 "PosteriorPredictiveSeries: observed series and quantiles differ in shape")
    precondition(channelNames.count == quantiles.channels, "PosteriorPredictiveSeries: one name per channel")
    precondition(times == nil || times!.count == observed.count, "PosteriorPredictiveSeries: one time per step")
    precondition(PredictiveQuantiles.defaultLevels.allSatisfy { q in quantiles.levels.contains { abs($0 - q) < 1e-12 } },
                 "PosteriorPredictiveSeries: quantiles need the levels \(PredictiveQuantiles.defaultLevels)")
    self.observed = observed
    self.channelNames = channelNames
    self.times = times
    self.quantiles = quantiles
  }
}
