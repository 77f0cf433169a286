import Foundation

/// Colours of the report (the matplotlib "tab10" hues, readable in print and for most colour
/// vision deficiencies when paired with position and dashes).
enum ReportPalette {
  static let blue = "#1f77b4"
  static let orange = "#ff7f0e"
  static let green = "#2ca02c"
  static let red = "#d62728"
  static let grey = "#7f7f7f"
  static let dark = "#333333"
}

extension CalibrationReport {
  /// The five per-parameter charts, in the order of the report.
  public static let parameterChartKinds = ["rank-histogram", "ecdf-difference", "recovery", "z-contraction", "coverage"]

  /// Width of the per-parameter charts: five fit in a row of a 1400 px window.
  static let chartWidth = 262.0

  /// Rank histogram with the pointwise 99% band and expectation of a uniform histogram.
  static func rankHistogram(_ p: ParameterCalibration) -> Chart {
    let r = p.ranks, n = r.ranks.count, total = Double(r.draws + 1)
    let (lo, hi) = r.histogramBand(level: 0.99)
    var left: [Double] = [], right: [Double] = [], bx: [Double] = [], blo: [Double] = [], bhi: [Double] = [], ex: [Double] = []
    var start = 0.0
    for (k, w) in r.binWidths.enumerated() {
      left.append(start)
      right.append(start + Double(w))
      bx += [start, start + Double(w)]
      blo += [Double(lo[k]), Double(lo[k])]
      bhi += [Double(hi[k]), Double(hi[k])]
      let e = Double(n) * Double(w) / total
      ex += [e, e]
      start += Double(w)
    }
    var c = Chart(width: chartWidth, title: "\(p.name): rank histogram", xLabel: "rank of the true value", yLabel: "count")
    let top = max(Double(r.histogram.max() ?? 0), Double(hi.max() ?? 0)) * 1.35
    c.xDomain = 0...total
    c.yDomain = 0...max(top, 1)
    c.marks = [
      .band(x: bx, lower: blo, upper: bhi, style: MarkStyle(color: ReportPalette.grey, opacity: 0.3, label: "99% band")),
      .bars(left: left, right: right, height: r.histogram.map(Double.init), baseline: 0,
            style: MarkStyle(color: p.isCalibrated ? ReportPalette.blue : ReportPalette.red, opacity: 0.7)),
      .line(x: bx, y: ex, style: MarkStyle(color: ReportPalette.dark, lineWidth: 1, dash: "4 3", label: "expected")),
    ]
    c.legend = .topRight
    return c
  }

  /// F̂(z) − z with the simultaneous band.
  static func ecdfDifference(_ p: ParameterCalibration, band: ECDFBand) -> Chart {
    let n = Double(band.sampleSize)
    let z = [0] + band.points + [1]
    let diff = [0] + zip(p.ranks.ecdf, band.points).map { $0 - $1 } + [0]
    let lower = [0] + zip(band.lower, band.points).map { Double($0) / n - $1 } + [0]
    let upper = [0] + zip(band.upper, band.points).map { Double($0) / n - $1 } + [0]
    let extent = max(upper.max()!, -lower.min()!, diff.map(abs).max()!) * 1.15
    var c = Chart(width: chartWidth, title: "\(p.name): ECDF − uniform", xLabel: "fractional rank", yLabel: "ECDF − uniform CDF")
    c.xDomain = 0...1
    c.yDomain = -max(extent, 1e-3)...max(extent, 1e-3)
    c.marks = [
      .band(x: z, lower: lower, upper: upper, style: MarkStyle(color: ReportPalette.grey, opacity: 0.28,
                                                                 label: "\(Int((band.confidence * 100).rounded()))% band")),
      .horizontal(y: 0, style: MarkStyle(color: ReportPalette.grey, lineWidth: 1)),
      .line(x: z, y: diff, style: MarkStyle(color: p.isCalibrated ? ReportPalette.blue : ReportPalette.red, lineWidth: 1.6)),
    ]
    // The annotation and the legend take the two corners the curve leaves most empty.
    let note = emptiestCorner(x: z, y: diff, chart: c, among: [.bottomRight, .bottomLeft, .topRight])
    c.marks.append(.annotation(text: "max |dev| \(SVGText.compact(p.ranks.maxECDFDeviation, significant: 2))", corner: note))
    c.legend = emptiestCorner(x: z, y: diff, chart: c, excluding: note)
    return c
  }

  /// Posterior median against the true value, with the diagonal.
  static func recovery(_ p: ParameterCalibration, maxPoints: Int) -> Chart {
    let all = (p.truths + p.medians).filter(\.isFinite)
    var lo = all.min() ?? 0, hi = all.max() ?? 1
    if hi <= lo { lo -= 0.5; hi += 0.5 }
    let pad = 0.04 * (hi - lo)
    var c = Chart(width: chartWidth, title: "\(p.name): recovery", xLabel: "true value", yLabel: "posterior median")
    c.xDomain = (lo - pad)...(hi + pad)
    c.yDomain = c.xDomain
    c.maxScatterPoints = maxPoints
    c.marks = [
      .diagonal(style: MarkStyle(color: ReportPalette.grey, lineWidth: 1.2, dash: "5 4")),
      .scatter(x: p.truths, y: p.medians, style: MarkStyle(color: ReportPalette.blue, opacity: 0.5, radius: 1.6)),
      .annotation(text: "R² \(SVGText.compact(p.medianRecovery.r2, significant: 3))   r \(SVGText.compact(p.medianRecovery.correlation, significant: 3))",
                  corner: .topLeft),
    ]
    return c
  }

  /// Posterior z-score against posterior contraction.
  static func zScoreContraction(_ p: ParameterCalibration, maxPoints: Int) -> Chart {
    let k = p.contraction
    let finiteC = k.contractions.filter(\.isFinite).sorted(), finiteZ = k.zScores.filter(\.isFinite)
    // Contraction is below 0 when the posterior is wider than the prior. The axis reaches the
    // smallest value, but not further below the 1st percentile q than 1 − q (so a few extreme
    // values do not squash the rest); points beyond either axis are drawn on its edge in orange
    // and counted.
    let q01 = finiteC.isEmpty ? 0 : ParameterSummary.quantile(finiteC, 0.01)
    let cmin = min(max(finiteC.first ?? 0, q01 - (1 - q01)), 0)
    let zmax = min(max(finiteZ.map(abs).max() ?? 3, 3), 10) * 1.05
    var c = Chart(width: chartWidth, title: "\(p.name): z vs contraction", xLabel: "posterior contraction", yLabel: "posterior z-score")
    let pad = 0.03 * (1 - cmin)
    c.xDomain = (cmin - pad)...(1 + pad)
    c.yDomain = -zmax...zmax
    c.maxScatterPoints = maxPoints
    var inX: [Double] = [], inY: [Double] = [], outX: [Double] = [], outY: [Double] = []
    for (x, y) in zip(k.contractions, k.zScores) where x.isFinite && y.isFinite {
      if x < cmin || abs(y) > zmax {
        outX.append(max(x, c.xDomain!.lowerBound)); outY.append(min(max(y, -zmax), zmax))
      } else {
        inX.append(x); inY.append(y)
      }
    }
    c.marks = [
      .horizontal(y: 0, style: MarkStyle(color: ReportPalette.grey, lineWidth: 1)),
      .horizontal(y: 2, style: MarkStyle(color: ReportPalette.grey, lineWidth: 1, dash: "4 3")),
      .horizontal(y: -2, style: MarkStyle(color: ReportPalette.grey, lineWidth: 1, dash: "4 3")),
      .scatter(x: inX, y: inY, style: MarkStyle(color: ReportPalette.blue, opacity: 0.5, radius: 1.6)),
      .annotation(text: "z mean \(SVGText.compact(k.meanZ, significant: 2)), sd \(SVGText.compact(k.sdZ, significant: 3))", corner: .topLeft),
    ]
    if !outX.isEmpty {
      c.marks.insert(.scatter(x: outX, y: outY, style: MarkStyle(color: ReportPalette.orange, opacity: 0.7, radius: 1.6)), at: 3)
      c.marks.append(.annotation(text: "\(outX.count) beyond the axes (orange)", corner: .bottomRight))
    }
    return c
  }

  /// Empirical against nominal coverage of central intervals, with ±1.96 SE around the diagonal.
  static func coverage(_ p: ParameterCalibration) -> Chart {
    let cv = p.coverage
    let q = [0] + cv.levels + [1]
    let se = [0] + cv.standardErrors + [0]
    var c = Chart(width: chartWidth, title: "\(p.name): coverage", xLabel: "central interval level", yLabel: "empirical coverage")
    c.xDomain = 0...1
    c.yDomain = 0...1
    c.marks = [
      .band(x: q, lower: zip(q, se).map { max($0 - 1.96 * $1, 0) }, upper: zip(q, se).map { min($0 + 1.96 * $1, 1) },
            style: MarkStyle(color: ReportPalette.grey, opacity: 0.3, label: "±1.96 SE")),
      .diagonal(style: MarkStyle(color: ReportPalette.grey, lineWidth: 1.2, dash: "5 4")),
      .line(x: cv.levels, y: cv.empirical, style: MarkStyle(color: p.isCalibrated ? ReportPalette.blue : ReportPalette.red, lineWidth: 1.6, label: "empirical")),
      .scatter(x: cv.levels, y: cv.empirical, style: MarkStyle(color: p.isCalibrated ? ReportPalette.blue : ReportPalette.red, radius: 2.2)),
      .annotation(text: "calibration error \(SVGText.compact(cv.calibrationError, significant: 2))", corner: .bottomRight),
    ]
    c.legend = .topLeft
    return c
  }

  /// Training and validation loss per epoch.
  static func lossCurves(_ h: TrainingHistory) -> Chart {
    let epochs = h.epoch.map(Double.init)
    var c = Chart(width: 640, height: 300, title: "Training history", xLabel: "epoch", yLabel: "loss")
    c.marks = [.line(x: epochs, y: h.loss, style: MarkStyle(color: ReportPalette.blue, lineWidth: 1.8, label: "training loss"))]
    if h.validationLoss.contains(where: \.isFinite) {
      c.marks.append(.line(x: epochs, y: h.validationLoss, style: MarkStyle(color: ReportPalette.orange, lineWidth: 1.8, label: "validation loss")))
    }
    if epochs.count < 30 {
      c.marks.append(.scatter(x: epochs, y: h.loss, style: MarkStyle(color: ReportPalette.blue, radius: 2.5)))
      c.marks.append(.scatter(x: epochs, y: h.validationLoss, style: MarkStyle(color: ReportPalette.orange, radius: 2.5)))
    }
    c.legend = .topRight
    return c
  }

  /// The pairs plot of the example posterior: histograms on the diagonal, scatter below,
  /// 2-D histograms above, the true value (if known) as red lines.
  static func pairsPlot(_ example: ExamplePosterior, names: [String], maxPoints: Int) -> Figure {
    let chosen = example.pairsParameters ?? Array(0..<min(names.count, 6))
    let k = chosen.count
    let columns = chosen.map { j in example.draws.map { $0[j] } }
    let domains: [ClosedRange<Double>] = columns.map { v in
      let f = v.filter(\.isFinite)
      var lo = f.min() ?? 0, hi = f.max() ?? 1
      if hi <= lo { lo -= 0.5; hi += 0.5 }
      let pad = 0.04 * (hi - lo)
      return (lo - pad)...(hi + pad)
    }
    let s: Double = k <= 3 ? 180 : 135
    let gutterLeft = 66.0, gutterBottom = 46.0, gap = 4.0
    var f = Figure(width: gutterLeft + Double(k) * (s + gap), height: 8 + Double(k) * (s + gap) + gutterBottom,
                   title: "Posterior of \(example.label)")
    let truthStyle = MarkStyle(color: ReportPalette.red, lineWidth: 1.2, dash: "3 2")
    for row in 0..<k {
      for col in 0..<k {
        let first = col == 0, last = row == k - 1
        var c = Chart(width: s + (first ? gutterLeft : gap), height: s + gap + (last ? gutterBottom : 0))
        c.margins = ChartMargins(top: gap, right: 0, bottom: last ? gutterBottom : 0, left: first ? gutterLeft : gap)
        c.growsLeftMargin = false
        c.tickLabelsInsidePlot = true
        c.tickCount = 4
        c.xTickLabels = last
        c.yTickLabels = first && row != col
        c.xLabel = last ? names[chosen[col]] : nil
        c.yLabel = first && row != 0 ? names[chosen[row]] : nil
        c.xDomain = domains[col]
        c.maxScatterPoints = maxPoints
        if row == col {
          let (left, right, counts) = histogram(columns[col], domain: domains[col], bins: 30)
          c.yDomain = 0...(Double(counts.max() ?? 1) * 1.1)
          c.marks = [.bars(left: left, right: right, height: counts.map(Double.init), baseline: 0, style: MarkStyle(color: ReportPalette.blue, opacity: 0.75))]
          if let t = example.truth { c.marks.append(.vertical(x: t[chosen[col]], style: truthStyle)) }
        } else {
          c.yDomain = domains[row]
          if row > col {
            c.marks = [.scatter(x: columns[col], y: columns[row], style: MarkStyle(color: ReportPalette.blue, opacity: 0.35, radius: 1.3))]
          } else {
            c.marks = [histogram2D(x: columns[col], y: columns[row], xDomain: domains[col], yDomain: domains[row], bins: 20)]
          }
          if let t = example.truth {
            c.marks.append(.vertical(x: t[chosen[col]], style: truthStyle))
            c.marks.append(.horizontal(y: t[chosen[row]], style: truthStyle))
          }
        }
        f.panels.append((c, first ? 0 : gutterLeft + Double(col) * (s + gap) - gap, 8 + Double(row) * (s + gap)))
      }
    }
    return f
  }

  /// Counts of `values` in `bins` equal bins over `domain`: (left edges, right edges, counts).
  static func histogram(_ values: [Double], domain: ClosedRange<Double>, bins: Int) -> ([Double], [Double], [Int]) {
    let lo = domain.lowerBound, w = (domain.upperBound - lo) / Double(bins)
    var counts = [Int](repeating: 0, count: bins)
    for v in values where v.isFinite {
      counts[min(max(Int((v - lo) / w), 0), bins - 1)] += 1
    }
    return ((0..<bins).map { lo + Double($0) * w }, (0..<bins).map { lo + Double($0 + 1) * w }, counts)
  }

  /// A 2-D histogram as cells shaded by count / max count.
  static func histogram2D(x: [Double], y: [Double], xDomain: ClosedRange<Double>, yDomain: ClosedRange<Double>, bins: Int) -> ChartMark {
    let wx = (xDomain.upperBound - xDomain.lowerBound) / Double(bins), wy = (yDomain.upperBound - yDomain.lowerBound) / Double(bins)
    var counts = [Int](repeating: 0, count: bins * bins)
    for (a, b) in zip(x, y) where a.isFinite && b.isFinite {
      let i = min(max(Int((a - xDomain.lowerBound) / wx), 0), bins - 1), j = min(max(Int((b - yDomain.lowerBound) / wy), 0), bins - 1)
      counts[j * bins + i] += 1
    }
    let top = Double(max(counts.max() ?? 1, 1))
    var l: [Double] = [], r: [Double] = [], bo: [Double] = [], t: [Double] = [], v: [Double] = []
    for j in 0..<bins {
      for i in 0..<bins where counts[j * bins + i] > 0 {
        l.append(xDomain.lowerBound + Double(i) * wx); r.append(xDomain.lowerBound + Double(i + 1) * wx)
        bo.append(yDomain.lowerBound + Double(j) * wy); t.append(yDomain.lowerBound + Double(j + 1) * wy)
        v.append(Double(counts[j * bins + i]) / top)
      }
    }
    return .cells(left: l, right: r, bottom: bo, top: t, intensity: v, style: MarkStyle(color: ReportPalette.blue))
  }

  /// One chart per channel: observed series over the predictive median and 50% / 95% bands.
  static func predictivePlot(_ series: PosteriorPredictiveSeries) -> Figure {
    let q = series.quantiles
    func index(_ level: Double) -> Int { q.levels.firstIndex { abs($0 - level) < 1e-12 }! }
    let times = series.times ?? (0..<q.timeSteps).map(Double.init)
    var charts: [Chart] = []
    for ch in 0..<q.channels {
      let observed = series.observed.map { $0[ch] }
      let median = q.series(index(0.5), channel: ch)
      var c = Chart(width: 440, height: 260, title: series.channelNames[ch], xLabel: "time", yLabel: series.channelNames[ch])
      c.marks = [
        .band(x: times, lower: q.series(index(0.025), channel: ch), upper: q.series(index(0.975), channel: ch),
              style: MarkStyle(color: ReportPalette.blue, opacity: 0.2, label: "95% predictive")),
        .band(x: times, lower: q.series(index(0.25), channel: ch), upper: q.series(index(0.75), channel: ch),
              style: MarkStyle(color: ReportPalette.blue, opacity: 0.4, label: "50% predictive")),
        .line(x: times, y: median, style: MarkStyle(color: ReportPalette.blue, lineWidth: 1.8, label: "median")),
        .scatter(x: times, y: observed, style: MarkStyle(color: ReportPalette.dark, radius: 2.2, label: "observed")),
      ]
      c.legend = emptiestCorner(x: times + times, y: observed + median, chart: c)
      charts.append(c)
    }
    return Figure.grid(charts, columns: min(q.channels, 3), title: "Posterior predictive")
  }

  /// The corner of the plot area (a 40% × 35% box) holding the fewest of the points, among
  /// `candidates` (the first of them on a tie) other than `excluded` (taken by an annotation).
  static func emptiestCorner(x: [Double], y: [Double], chart: Chart, excluding excluded: ChartCorner? = nil,
                             among candidates: [ChartCorner] = [.topLeft, .topRight, .bottomLeft, .bottomRight]) -> ChartCorner {
    let (xd, yd) = chart.domains()
    let xs = (xd.upperBound - xd.lowerBound), ys = (yd.upperBound - yd.lowerBound)
    var counts: [(ChartCorner, Int)] = [(.topLeft, 0), (.topRight, 0), (.bottomLeft, 0), (.bottomRight, 0)]
    for (a, b) in zip(x, y) where a.isFinite && b.isFinite {
      let u = (a - xd.lowerBound) / xs, v = (b - yd.lowerBound) / ys
      if v > 0.65 && u < 0.4 { counts[0].1 += 1 }
      if v > 0.65 && u > 0.6 { counts[1].1 += 1 }
      if v < 0.35 && u < 0.4 { counts[2].1 += 1 }
      if v < 0.35 && u > 0.6 { counts[3].1 += 1 }
    }
    let allowed = candidates.filter { $0 != excluded }
    return allowed.min { a, b in counts.first { $0.0 == a }!.1 < counts.first { $0.0 == b }!.1 }!
  }
}
