/// Settings of `CalibrationDiagnostics`.
public struct CalibrationOptions: Sendable {
  /// Nominal levels of the central credible intervals.
  public var levels: [Double] = CoverageCurve.defaultLevels
  /// Simultaneous confidence of the ECDF band.
  public var confidence = 0.95
  /// Simulated uniform ECDFs behind the band.
  public var bandSimulations = 5000
  /// Evaluation points of the ECDF (default min(M, L + 1)).
  public var evaluationPoints: Int? = nil
  /// Bins of the rank histogram (default `RankStatistics.defaultBins`).
  public var histogramBins: Int? = nil
  /// Seed of the band simulation.
  public var seed: UInt64 = 2022
  public init() {}
}

/// All calibration diagnostics of one parameter.
public struct ParameterCalibration: Sendable {
  public let name: String
  /// True values θ*ₘ across the M data sets.
  public let truths: [Double]
  /// Posterior medians and means per data set.
  public let medians: [Double]
  public let means: [Double]
  public let ranks: RankStatistics
  public let coverage: CoverageCurve
  /// Recovery by the posterior median (the headline R²) and by the posterior mean (its NRMSE is
  /// the headline NRMSE).
  public let medianRecovery: Recovery
  public let meanRecovery: Recovery
  public let contraction: PosteriorContraction

  /// The verdict: calibrated when the rank ECDF stays inside the simultaneous band everywhere.
  /// With P parameters tested at 95% each, about 0.05·P calibrated parameters are flagged by
  /// chance.
  public var isCalibrated: Bool { ranks.insideBand }
}

/// Calibration diagnostics of an amortised posterior over M simulated data sets (DESIGN §8):
/// SBC ranks with simultaneous ECDF bands, coverage and calibration error, recovery (R²,
/// correlation, NRMSE), and posterior z-scores vs contraction, for every parameter.
///
/// Input: truths [M][P] (drawn from the prior) and L posterior draws per data set
/// (`PosteriorDraws`, [M, L, P]). One band serves all parameters (it depends only on M and L).
public struct CalibrationDiagnostics: Sendable {
  public let simulations: Int
  public let draws: Int
  public let band: ECDFBand
  public let parameters: [ParameterCalibration]
  public let options: CalibrationOptions

  public init(truths: [[Double]], draws: PosteriorDraws, parameterNames: [String],
              priorVariances: [Double]? = nil, options: CalibrationOptions = CalibrationOptions()) {
    precondition(parameterNames.count == draws.parameters, "CalibrationDiagnostics: \(parameterNames.count) names for \(draws.parameters) parameters")
    precondition(priorVariances == nil || priorVariances!.count == draws.parameters, "CalibrationDiagnostics: one prior variance per parameter")
    let s = MarginalSummaries(truths: truths, draws: draws, levels: options.levels)
    let m = draws.simulations
    simulations = m
    self.draws = draws.draws
    self.options = options
    band = ECDFBand(sampleSize: m, draws: draws.draws, evaluationPoints: options.evaluationPoints,
                    confidence: options.confidence, simulations: options.bandSimulations, seed: options.seed)
    var list: [ParameterCalibration] = []
    for (p, name) in parameterNames.enumerated() {
      let t = truths.map { $0[p] }
      let medians = s.column(s.medians, p), means = s.column(s.means, p)
      list.append(ParameterCalibration(
        name: name, truths: t, medians: medians, means: means,
        ranks: RankStatistics(ranks: s.column(s.ranks, p), band: band, bins: options.histogramBins),
        coverage: CoverageCurve(levels: options.levels, empirical: s.coverage(parameter: p), simulations: m),
        medianRecovery: Recovery(estimates: medians, truths: t),
        meanRecovery: Recovery(estimates: means, truths: t),
        contraction: PosteriorContraction(means: means, sds: s.column(s.sds, p), truths: t,
                                          priorVariance: priorVariances?[p])))
    }
    parameters = list
  }
}
