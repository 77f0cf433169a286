extension CalibrationReport {
  /// All numbers of the report as indented JSON, self-describing: `definitions` explains each
  /// metric, `parameters` maps every parameter name (in order) to its metrics. Non-finite
  /// numbers are written as null.
  ///
  ///     { "title", "simulator", "simulations": M, "draws": L, "definitions": {…},
  ///       "ecdf_band": {confidence, adjusted_pointwise_level, evaluation_points, simulations},
  ///       "coverage_levels": […], "calibrated_parameters": k,
  ///       "parameters": { name: { "calibrated", "sbc": {…}, "coverage": {…},
  ///                               "recovery": {"median": {…}, "mean": {…}}, "nrmse",
  ///                               "z_score": {mean, sd}, "contraction": {mean, prior_variance} } },
  ///       "training": {epochs, final_loss, final_validation_loss, best_validation_loss, best_epoch} }
  public func metricsJSON() -> String {
    let d = diagnostics
    func num(_ x: Double) -> JSONValue { .number(x) }
    func nums(_ x: [Double]) -> JSONValue { .array(x.map(num)) }
    func recovery(_ r: Recovery) -> JSONValue {
      .object([("r2", num(r.r2)), ("correlation", num(r.correlation)), ("rmse", num(r.rmse)), ("nrmse", num(r.nrmse))])
    }
    var params: [(key: String, value: JSONValue)] = []
    for p in d.parameters {
      params.append((p.name, .object([
        ("calibrated", .bool(p.isCalibrated)),
        ("sbc", .object([
          ("inside_band", .bool(p.ranks.insideBand)),
          ("max_ecdf_deviation", num(p.ranks.maxECDFDeviation)),
          ("chi_square", num(p.ranks.chiSquare)),
          ("chi_square_df", num(Double(p.ranks.histogram.count - 1))),
          ("chi_square_p", num(p.ranks.chiSquarePValue)),
          ("rank_histogram", nums(p.ranks.histogram.map(Double.init))),
        ])),
        ("coverage", .object([
          ("empirical", nums(p.coverage.empirical)),
          ("calibration_error", num(p.coverage.calibrationError)),
          ("max_error", num(p.coverage.maxError)),
        ])),
        ("recovery", .object([("median", recovery(p.medianRecovery)), ("mean", recovery(p.meanRecovery))])),
        ("nrmse", num(p.meanRecovery.nrmse)),
        ("z_score", .object([("mean", num(p.contraction.meanZ)), ("sd", num(p.contraction.sdZ))])),
        ("contraction", .object([("mean", num(p.contraction.meanContraction)), ("prior_variance", num(p.contraction.priorVariance))])),
      ])))
    }
    var root: [(key: String, value: JSONValue)] = [
      ("title", .string(title)),
      ("simulator", .string(simulatorName)),
      ("simulations", num(Double(d.simulations))),
      ("draws", num(Double(d.draws))),
      ("definitions", .object([
        ("calibrated", .string("rank ECDF inside the simultaneous ECDF band at every evaluation point (Säilynoja, Bürkner & Vehtari 2022)")),
        ("rank", .string("number of posterior draws below the true value, 0..draws (Talts et al. 2018)")),
        ("max_ecdf_deviation", .string("max over evaluation points z of |ECDF of fractional ranks at z - z|")),
        ("chi_square_p", .string("Pearson chi-square test of a uniform rank histogram, df = bins - 1")),
        ("calibration_error", .string("median over coverage_levels of |empirical - nominal| coverage of central credible intervals")),
        ("max_error", .string("max over coverage_levels of |empirical - nominal| coverage")),
        ("r2", .string("1 - SS_res/SS_tot of the estimate (posterior median or mean) against the truths")),
        ("nrmse", .string("RMSE of the posterior mean against the truths divided by their range (max - min)")),
        ("z_score", .string("(posterior mean - truth) / posterior sd over data sets")),
        ("contraction", .string("1 - posterior variance / prior variance, averaged over data sets")),
      ])),
      ("ecdf_band", .object([
        ("confidence", num(d.band.confidence)),
        ("adjusted_pointwise_level", num(d.band.gamma)),
        ("evaluation_points", num(Double(d.band.points.count))),
        ("simulations", num(Double(d.band.simulations))),
      ])),
      ("coverage_levels", nums(d.options.levels)),
      ("calibrated_parameters", num(Double(calibratedCount))),
      ("parameters", .object(params)),
    ]
    if let h = history, !h.epoch.isEmpty {
      let finiteValidation = h.validationLoss.enumerated().filter { $0.element.isFinite }
      let best = finiteValidation.min { $0.element < $1.element }
      root.append(("training", .object([
        ("epochs", num(Double(h.epoch.count))),
        ("final_loss", num(h.loss.last ?? .nan)),
        ("final_validation_loss", num(h.validationLoss.last ?? .nan)),
        ("best_validation_loss", num(best?.element ?? .nan)),
        ("best_epoch", best.map { num(Double(h.epoch[$0.offset])) } ?? .null),
      ])))
    }
    return JSONValue.object(root).prettyText() + "\n"
  }
}
