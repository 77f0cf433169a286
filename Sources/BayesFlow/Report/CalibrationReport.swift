import Foundation

/// The calibration report (DESIGN §8): one self-contained HTML page — inline SVG and CSS, no
/// scripts, no network — and a JSON of the numbers.
///
/// The page holds a summary table (per parameter: verdict, worst ECDF deviation, χ² p-value,
/// calibration error, R², NRMSE, contraction, z-scores); per parameter a rank histogram with the
/// 99% band of a uniform histogram, the ECDF difference with the simultaneous band, recovery,
/// z-score vs contraction and coverage; the training and validation loss; the pairs plot of an
/// example posterior and its posterior predictive, when given.
///
/// The page is XHTML-compatible (every element closed, only XML entities), so an XML parser can
/// check it. Every chart is an `<svg class="figure" data-kind="…">`; the kinds are
/// `CalibrationReport.parameterChartKinds` (once per parameter), "loss", "pairs" and
/// "predictive". Scatter plots are thinned to `maxScatterPoints` per panel by an even stride.
public struct CalibrationReport: Sendable {
  public let title: String
  public let simulatorName: String
  public let diagnostics: CalibrationDiagnostics
  public let history: TrainingHistory?
  public let example: ExamplePosterior?
  public var maxScatterPoints = 2000
  /// Scatter points per panel of the pairs plot (k² panels share the page).
  public var maxPairsPoints = 1000

  /// Computes the diagnostics (if the input holds raw draws) and keeps what the page shows.
  public init(_ input: CalibrationReportInput) {
    precondition(Set(input.parameterNames).count == input.parameterNames.count, "CalibrationReport: parameter names must be unique")
    title = input.title
    simulatorName = input.simulatorName
    switch input.calibration {
    case let .draws(truths, draws, priorVariances):
      diagnostics = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: input.parameterNames,
                                           priorVariances: priorVariances, options: input.options)
    case let .diagnostics(d):
      precondition(d.parameters.map(\.name) == input.parameterNames, "CalibrationReport: diagnostics are for other parameters")
      diagnostics = d
    }
    history = input.history
    if let e = input.example {
      precondition(e.draws.allSatisfy { $0.count == input.parameterNames.count }, "CalibrationReport: example draws need \(input.parameterNames.count) parameters")
      precondition((e.pairsParameters ?? []).allSatisfy { input.parameterNames.indices.contains($0) }, "CalibrationReport: pairs parameter out of range")
    }
    example = input.example
  }

  /// Number of parameters judged calibrated.
  public var calibratedCount: Int { diagnostics.parameters.filter(\.isCalibrated).count }

  /// The HTML page.
  public func html() -> String {
    let d = diagnostics, e = SVGText.escape
    var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>\(e(title))</title>\n<style>\n\(CalibrationReport.css)</style>\n</head>\n<body>\n"
    out += "<h1>\(e(title))</h1>\n"
    out += "<p class=\"meta\">Simulator <b>\(e(simulatorName))</b> · \(d.simulations) simulated data sets × \(d.draws) posterior draws · \(d.parameters.count) parameters</p>\n"
    out += "<nav><a href=\"#summary\">Summary</a> · <a href=\"#parameters\">Per parameter</a>"
    if history != nil { out += " · <a href=\"#training\">Training</a>" }
    if let ex = example {
      out += " · <a href=\"#example\">Example posterior</a>"
      if ex.predictive != nil { out += " · <a href=\"#predictive\">Posterior predictive</a>" }
    }
    out += "</nav>\n"
    out += summarySection()
    out += parameterSections()
    if let h = history, !h.epoch.isEmpty {
      out += "<h2 id=\"training\">Training</h2>\n<div class=\"row\">" + CalibrationReport.lossCurves(h).svg(id: "loss", kind: "loss") + "</div>\n"
    }
    if let ex = example {
      out += "<h2 id=\"example\">Example posterior: \(e(ex.label))</h2>\n"
      let shown = ex.pairsParameters?.count ?? min(d.parameters.count, 6)
      let subset = shown < d.parameters.count ? "Shown: \(shown) of \(d.parameters.count) parameters\(ex.pairsNote.map { " (\(e($0)))" } ?? ""). " : ""
      out += "<p class=\"note\">\(ex.draws.count) posterior draws. \(subset)Diagonal: marginal histograms; below: draws (at most \(maxPairsPoints) per panel); above: 2-D histograms\(ex.truth != nil ? "; red dashed: true value" : "").</p>\n"
      out += "<div class=\"row\">" + CalibrationReport.pairsPlot(ex, names: d.parameters.map(\.name), maxPoints: maxPairsPoints).svg(id: "pairs", kind: "pairs") + "</div>\n"
      if let pp = ex.predictive {
        out += "<h2 id=\"predictive\">Posterior predictive: \(e(ex.label))</h2>\n"
        out += "<p class=\"note\">Observed series (dots) over the pointwise median and central 50% and 95% intervals of simulations at posterior draws.</p>\n"
        out += "<div class=\"row\">" + CalibrationReport.predictivePlot(pp).svg(id: "predictive", kind: "predictive") + "</div>\n"
      }
    }
    out += "</body>\n</html>\n"
    return out
  }

  private func summarySection() -> String {
    let d = diagnostics, e = SVGText.escape, f = { SVGText.compact($0, significant: 3) }
    let conf = Int((d.band.confidence * 100).rounded())
    var out = "<h2 id=\"summary\">Summary</h2>\n"
    out += "<p><b>\(calibratedCount) of \(d.parameters.count)</b> parameters calibrated: their rank ECDF stays inside the \(conf)% simultaneous band (Säilynoja, Bürkner &amp; Vehtari 2022) at all \(d.band.points.count) evaluation points. "
    out += "With \(d.parameters.count) parameters about \(SVGText.compact(Double(d.parameters.count) * (1 - d.band.confidence), significant: 2)) false alarms are expected by chance.</p>\n"
    out += "<table class=\"summary\">\n<thead><tr><th>parameter</th><th>verdict</th><th>max |ECDF − z|</th><th>χ² p</th><th>calibration error</th><th>R² (median)</th><th>NRMSE</th><th>contraction</th><th>z mean</th><th>z sd</th></tr></thead>\n<tbody>\n"
    for (i, p) in d.parameters.enumerated() {
      out += "<tr><td><a href=\"#param-\(i)\">\(e(p.name))</a></td>"
      out += p.isCalibrated ? "<td class=\"ok\">calibrated</td>" : "<td class=\"bad\">not calibrated</td>"
      out += "<td>\(f(p.ranks.maxECDFDeviation))</td><td>\(f(p.ranks.chiSquarePValue))</td><td>\(f(p.coverage.calibrationError))</td>"
      out += "<td>\(f(p.medianRecovery.r2))</td><td>\(f(p.meanRecovery.nrmse))</td><td>\(f(p.contraction.meanContraction))</td>"
      out += "<td>\(f(p.contraction.meanZ))</td><td>\(f(p.contraction.sdZ))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n"
    out += "<p class=\"note\">χ² p: Pearson test of a uniform rank histogram (\(d.parameters.first?.ranks.histogram.count ?? 0) bins). Calibration error: median over levels 0.05…0.95 of |empirical − nominal| coverage of central intervals. NRMSE: RMSE of the posterior mean over the range of the true values. Contraction: mean of 1 − posterior variance / prior variance. z: (posterior mean − truth) / posterior sd; ≈ 0 ± 1 when calibrated.</p>\n"
    return out
  }

  private func parameterSections() -> String {
    let d = diagnostics, e = SVGText.escape
    var out = "<h2 id=\"parameters\">Per parameter</h2>\n"
    out += "<p class=\"note\">Rank histogram: ranks of the true value among \(d.draws) posterior draws, with the pointwise 99% band of a uniform histogram. ECDF difference: fractional-rank ECDF minus the uniform CDF inside the \(Int((d.band.confidence * 100).rounded()))% simultaneous band. Recovery: posterior median vs true value (at most \(maxScatterPoints) points shown). z vs contraction: one point per data set; z-scores beyond ±2 are rare for a calibrated posterior, contraction near 1 means the data pin the parameter down, below 0 that the posterior is wider than the prior (points beyond the axes are drawn in orange on the edge). Coverage: empirical coverage of central intervals vs level, with ±1.96 standard errors of a calibrated posterior.</p>\n"
    for (i, p) in d.parameters.enumerated() {
      out += "<section id=\"param-\(i)\">\n<h3>\(e(p.name)) "
      out += p.isCalibrated ? "<span class=\"ok\">calibrated</span>" : "<span class=\"bad\">not calibrated</span>"
      out += "</h3>\n<div class=\"row\">"
      out += CalibrationReport.rankHistogram(p).svg(id: "rank-\(i)", kind: "rank-histogram")
      out += CalibrationReport.ecdfDifference(p, band: d.band).svg(id: "ecdf-\(i)", kind: "ecdf-difference")
      out += CalibrationReport.recovery(p, maxPoints: maxScatterPoints).svg(id: "recovery-\(i)", kind: "recovery")
      out += CalibrationReport.zScoreContraction(p, maxPoints: maxScatterPoints).svg(id: "zc-\(i)", kind: "z-contraction")
      out += CalibrationReport.coverage(p).svg(id: "coverage-\(i)", kind: "coverage")
      out += "</div>\n</section>\n"
    }
    return out
  }

  static let css = """
  body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222222; max-width: 1480px; }
  h1 { font-size: 22px; margin-bottom: 4px; }
  h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #dddddd; padding-bottom: 3px; }
  h3 { font-size: 15px; margin: 18px 0 4px 0; }
  .meta, .note { color: #555555; font-size: 13px; }
  nav { font-size: 13px; margin: 8px 0; }
  table.summary { border-collapse: collapse; font-size: 13px; }
  table.summary th, table.summary td { border: 1px solid #dddddd; padding: 3px 8px; text-align: right; }
  table.summary th { background: #f3f3f3; }
  table.summary td:first-child, table.summary td:nth-child(2) { text-align: left; }
  .ok { color: #1a7f37; font-weight: bold; }
  .bad { color: #c62828; font-weight: bold; }
  h3 .ok, h3 .bad { font-size: 13px; margin-left: 8px; }
  .row { display: flex; flex-wrap: wrap; gap: 6px; }
  svg.figure { background: #ffffff; }

  """

  /// Writes the page (and the metrics JSON, if a URL is given), each through a temporary file
  /// renamed into place, so a failure leaves no partial file.
  public func write(html url: URL, json jsonURL: URL? = nil) throws {
    try Data(html().utf8).write(to: url, options: .atomic)
    if let jsonURL { try Data(metricsJSON().utf8).write(to: jsonURL, options: .atomic) }
  }
}
