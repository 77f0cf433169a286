import Foundation

/// Outputs of a `RecoveryStudy`: the recovery and SBC figures, the text table and the CSV.
extension RecoveryStudy {
  /// The indices of `subset` in `names` (all quantities when nil); unknown names are an error.
  public func indices(of subset: [String]?) throws -> [Int] {
    guard let subset else { return Array(names.indices) }
    return try subset.map { n in
      guard let i = names.firstIndex(of: n) else {
        throw InputError("", "unknown quantity \"\(n)\"; expected one of \(names.joined(separator: ", "))")
      }
      return i
    }
  }

  /// Posterior median against truth for the chosen quantities (default all), `columns` per row;
  /// each panel shows the central interval as a faint vertical segment, the diagonal and R².
  /// Scatters are thinned to `maxPoints` per panel by an even stride.
  public func figure(quantities: [Int]? = nil, columns: Int = 4, maxPoints: Int = 500, intervals: Bool = true) -> Figure {
    let chosen = quantities ?? Array(names.indices)
    var charts: [Chart] = []
    for j in chosen {
      let pc = diagnostics.parameters[j]
      let n = pc.truths.count, keep = min(n, maxPoints)
      let rows = (0..<keep).map { keep == n ? $0 : $0 * n / keep }
      let t = rows.map { pc.truths[$0] }, med = rows.map { pc.medians[$0] }
      var all = (t + med).filter(\.isFinite)
      if intervals { all += rows.map { intervalLower[j][$0] } + rows.map { intervalUpper[j][$0] } }
      var lo = all.min() ?? 0, hi = all.max() ?? 1
      if hi <= lo { lo -= 0.5; hi += 0.5 }
      let pad = 0.04 * (hi - lo)
      var c = Chart(width: 262, height: 240, title: names[j] + (j >= parameterCount ? " (derived)" : ""),
                    xLabel: "true " + names[j], yLabel: "posterior median")
      c.xDomain = (lo - pad)...(hi + pad)
      c.yDomain = c.xDomain
      c.maxScatterPoints = keep
      c.marks = [.diagonal(style: MarkStyle(color: ReportPalette.grey, lineWidth: 1.2, dash: "5 4"))]
      if intervals {
        var xs: [Double] = [], ys: [Double] = []
        xs.reserveCapacity(3 * keep); ys.reserveCapacity(3 * keep)
        for r in rows {
          xs += [pc.truths[r], pc.truths[r], .nan]
          ys += [intervalLower[j][r], intervalUpper[j][r], .nan]
        }
        c.marks.append(.line(x: xs, y: ys, style: MarkStyle(color: ReportPalette.blue, opacity: 0.18, lineWidth: 0.8)))
      }
      c.marks.append(.scatter(x: t, y: med, style: MarkStyle(color: ReportPalette.blue, opacity: 0.6, radius: 1.5)))
      c.marks.append(.annotation(text: "R² \(SVGText.compact(pc.medianRecovery.r2, significant: 3))", corner: .topLeft))
      charts.append(c)
    }
    let title = "Recovery on \(simulations) held-out simulations: posterior median"
      + (intervals ? " and central \(Int((intervalLevel * 100).rounded()))% interval" : "") + " vs truth"
    return Figure.grid(charts, columns: max(1, min(columns, charts.count)), title: title)
  }

  /// Rank ECDF − uniform CDF with the simultaneous band, for the chosen quantities.
  public func sbcFigure(quantities: [Int]? = nil, columns: Int = 4) -> Figure {
    let chosen = quantities ?? Array(names.indices)
    let charts = chosen.map { CalibrationReport.ecdfDifference(diagnostics.parameters[$0], band: diagnostics.band) }
    return Figure.grid(charts, columns: max(1, min(columns, charts.count)),
                       title: "SBC: rank ECDF − uniform, \(simulations) simulations × \(draws) draws, "
                         + "\(Int((diagnostics.band.confidence * 100).rounded()))% simultaneous band")
  }

  /// A fixed-width text table: per quantity R², correlation, NRMSE of the median, SBC verdict,
  /// max |ECDF − uniform|, χ² p-value of the rank histogram, and the calibration error.
  public func table(quantities: [Int]? = nil) -> String {
    let chosen = quantities ?? Array(names.indices)
    let width = max(14, (chosen.map { names[$0].count }.max() ?? 0) + 2)
    var s = "quantity".padding(toLength: width, withPad: " ", startingAt: 0)
      + "     R²       r   NRMSE   SBC (\(Int((diagnostics.band.confidence * 100).rounded()))% band)    max|ECDF-U|  chi2 p  cal.err\n"
    for j in chosen {
      let pc = diagnostics.parameters[j]
      s += (names[j] + (j >= parameterCount ? "*" : "")).padding(toLength: width, withPad: " ", startingAt: 0)
      s += String(format: "%7.4f %7.4f %7.4f   ", pc.medianRecovery.r2, pc.medianRecovery.correlation, pc.medianRecovery.nrmse)
      s += (pc.isCalibrated ? "inside" : "OUTSIDE").padding(toLength: 16, withPad: " ", startingAt: 0)
      s += String(format: "  %11.4f  %6.3f  %7.4f\n", pc.ranks.maxECDFDeviation, pc.ranks.chiSquarePValue, pc.coverage.calibrationError)
    }
    if names.count > parameterCount { s += "* derived quantity (a function of the parameters)\n" }
    return s
  }

  /// The same numbers as CSV with a header.
  public func csv(quantities: [Int]? = nil) -> String {
    let chosen = quantities ?? Array(names.indices)
    var s = "quantity,derived,r2,correlation,nrmse,sbc_inside_band,max_ecdf_deviation,chi2_p,calibration_error\n"
    for j in chosen {
      let pc = diagnostics.parameters[j]
      s += "\(names[j]),\(j >= parameterCount),\(pc.medianRecovery.r2),\(pc.medianRecovery.correlation),\(pc.medianRecovery.nrmse),"
        + "\(pc.isCalibrated),\(pc.ranks.maxECDFDeviation),\(pc.ranks.chiSquarePValue),\(pc.coverage.calibrationError)\n"
    }
    return s
  }
}
