import Foundation

/// A corner of a chart's plot area (legends, annotations).
public enum ChartCorner: Sendable {
  case topLeft, topRight, bottomLeft, bottomRight
}

/// How a mark is drawn. Colours are CSS colours ("#1f77b4"); `label` puts the mark in the legend.
public struct MarkStyle: Sendable {
  public var color: String
  public var opacity: Double
  public var lineWidth: Double
  /// An SVG dash pattern ("4 3"), or nil for solid lines.
  public var dash: String?
  /// Dot radius of scatter marks, in px.
  public var radius: Double
  public var label: String?

  public init(color: String, opacity: Double = 1, lineWidth: Double = 1.5, dash: String? = nil,
              radius: Double = 1.8, label: String? = nil) {
    self.color = color
    self.opacity = opacity
    self.lineWidth = lineWidth
    self.dash = dash
    self.radius = radius
    self.label = label
  }
}

/// Something drawn in data coordinates.
public enum ChartMark: Sendable {
  /// Dots at (xᵢ, yᵢ); thinned to the chart's `maxScatterPoints` by an even stride.
  case scatter(x: [Double], y: [Double], style: MarkStyle)
  /// A polyline; non-finite points break it.
  case line(x: [Double], y: [Double], style: MarkStyle)
  /// The region between two curves over the same x (filled).
  case band(x: [Double], lower: [Double], upper: [Double], style: MarkStyle)
  /// Rectangles [leftᵢ, rightᵢ] × [baseline, heightᵢ] (histograms).
  case bars(left: [Double], right: [Double], height: [Double], baseline: Double, style: MarkStyle)
  /// Rectangles shaded by intensity ∈ [0, 1] (2-D histograms), in 8 opacity steps.
  case cells(left: [Double], right: [Double], bottom: [Double], top: [Double], intensity: [Double], style: MarkStyle)
  /// The line y = x across the plot area (reference for recovery and coverage).
  case diagonal(style: MarkStyle)
  /// A horizontal line y = c across the plot area.
  case horizontal(y: Double, style: MarkStyle)
  /// A vertical line x = c across the plot area.
  case vertical(x: Double, style: MarkStyle)
  /// A line of text in a corner of the plot area.
  case annotation(text: String, corner: ChartCorner)
}

/// Space around the plot area, in px.
public struct ChartMargins: Sendable {
  public var top, right, bottom, left: Double
  public init(top: Double, right: Double, bottom: Double, left: Double) {
    self.top = top
    self.right = right
    self.bottom = bottom
    self.left = left
  }
}

/// One x–y chart drawn as SVG: a plot area with marks, nice ticks on both axes, axis labels,
/// a title and an optional legend. Domains are fixed or fitted to the data (padded by 4%).
///
/// `svg(id:kind:)` gives a standalone `<svg class="figure" data-kind="…">`; `Figure` places
/// several charts in one SVG (small multiples). Element ids (clip paths) are derived from the
/// id passed in, so charts can share one HTML page.
public struct Chart: Sendable {
  public var width: Double
  public var height: Double
  public var title: String?
  public var xLabel: String?
  public var yLabel: String?
  public var xDomain: ClosedRange<Double>?
  public var yDomain: ClosedRange<Double>?
  public var marks: [ChartMark] = []
  public var legend: ChartCorner?
  /// Minimum margins; the left one grows to fit the y tick labels and label when
  /// `growsLeftMargin` (turn it off to align the panels of a grid).
  public var margins = ChartMargins(top: 24, right: 16, bottom: 38, left: 16)
  public var growsLeftMargin = true
  /// Whether tick labels must stay within the extent of the plot area (panels of a grid,
  /// whose labels would otherwise run into their neighbours').
  public var tickLabelsInsidePlot = false
  /// Whether tick labels are written (ticks and grid lines are always drawn).
  public var xTickLabels = true
  public var yTickLabels = true
  /// Approximate number of ticks per axis.
  public var tickCount = 5
  public var maxScatterPoints = 2000

  public init(width: Double = 280, height: Double = 220, title: String? = nil, xLabel: String? = nil, yLabel: String? = nil) {
    self.width = width
    self.height = height
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// A standalone SVG element of class "figure" with `data-kind` = `kind`.
  public func svg(id: String, kind: String) -> String {
    var out = Chart.svgOpen(id: id, kind: kind, width: width, height: height, title: title)
    render(into: &out, id: id, x: 0, y: 0)
    out += "</svg>\n"
    return out
  }

  static func svgOpen(id: String, kind: String, width: Double, height: Double, title: String?) -> String {
    let w = SVGText.coordinate(width), h = SVGText.coordinate(height)
    var s = "<svg class=\"figure\" data-kind=\"\(SVGText.escape(kind))\" id=\"\(SVGText.escape(id))\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">"
    if let title { s += "<title>\(SVGText.escape(title))</title>" }
    return s
  }

  /// Estimated width of text at font size `size` (DejaVu Sans averages ≈ 0.6 em per character).
  static func textWidth(_ s: String, size: Double = 11) -> Double { Double(s.count) * size * 0.6 }

  // MARK: Domains

  private func dataRange(x: Bool) -> (Double, Double)? {
    var lo = Double.infinity, hi = -Double.infinity
    func add(_ v: [Double]) { for a in v where a.isFinite { lo = min(lo, a); hi = max(hi, a) } }
    for mark in marks {
      switch mark {
      case let .scatter(xs, ys, _), let .line(xs, ys, _): add(x ? xs : ys)
      case let .band(xs, l, u, _): if x { add(xs) } else { add(l); add(u) }
      case let .bars(l, r, h, b, _): if x { add(l); add(r) } else { add(h); add([b]) }
      case let .cells(l, r, b, t, _, _): if x { add(l); add(r) } else { add(b); add(t) }
      case let .horizontal(c, _): if !x { add([c]) }
      case let .vertical(c, _): if x { add([c]) }
      case .diagonal, .annotation: break
      }
    }
    return lo <= hi ? (lo, hi) : nil
  }

  /// The x and y domains: given, or the data range padded by 4% (a zero range is widened).
  func domains() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
    func fit(_ r: (Double, Double)?) -> ClosedRange<Double> {
      guard let (lo, hi) = r else { return 0...1 }
      if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300) {
        let w = max(abs(lo) * 0.1, 0.5)
        return (lo - w)...(hi + w)
      }
      let pad = 0.04 * (hi - lo)
      return (lo - pad)...(hi + pad)
    }
    return (xDomain ?? fit(dataRange(x: true)), yDomain ?? fit(dataRange(x: false)))
  }

  // MARK: Rendering

  /// Appends the chart as a `<g>` translated to (x, y).
  func render(into out: inout String, id: String, x: Double, y: Double) {
    let (xd, yd) = domains()
    let xt = NiceTicks(lower: xd.lowerBound, upper: xd.upperBound, count: tickCount)
    let yt = NiceTicks(lower: yd.lowerBound, upper: yd.upperBound, count: tickCount)
    let yLabels = yTickLabels ? yt.values.map { SVGText.tick($0, step: yt.step) } : []
    let tickWidth = yLabels.map { Chart.textWidth($0) }.max() ?? 0
    let left = growsLeftMargin ? max(margins.left, (yTickLabels ? tickWidth + 9 : 0) + (yLabel != nil ? 20 : 4)) : margins.left
    let plotX = left, plotY = margins.top
    let plotW = max(width - left - margins.right, 10), plotH = max(height - margins.top - margins.bottom, 10)
    let sx = plotW / (xd.upperBound - xd.lowerBound), sy = plotH / (yd.upperBound - yd.lowerBound)
    let px = { (v: Double) in plotX + (v - xd.lowerBound) * sx }
    let py = { (v: Double) in plotY + plotH - (v - yd.lowerBound) * sy }
    let c = SVGText.coordinate
    let clip = "clip-" + id

    out += "<g transform=\"translate(\(c(x)),\(c(y)))\">"
    out += "<clipPath id=\"\(SVGText.escape(clip))\"><rect x=\"\(c(plotX))\" y=\"\(c(plotY))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\"/></clipPath>"
    out += "<rect x=\"\(c(plotX))\" y=\"\(c(plotY))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\" fill=\"#ffffff\" stroke=\"#d0d0d0\"/>"
    // Grid lines at the ticks.
    var grid = ""
    for v in xt.values { grid += "M"; SVGText.appendCoordinate(px(v), to: &grid); grid += " \(c(plotY))V\(c(plotY + plotH))" }
    for v in yt.values { grid += "M\(c(plotX)) "; SVGText.appendCoordinate(py(v), to: &grid); grid += "H\(c(plotX + plotW))" }
    if !grid.isEmpty { out += "<path d=\"\(grid)\" stroke=\"#ececec\" stroke-width=\"1\" fill=\"none\"/>" }

    out += "<g clip-path=\"url(#\(SVGText.escape(clip)))\">"
    for mark in marks { renderMark(mark, into: &out, px: px, py: py, xd: xd, yd: yd, plot: (plotX, plotY, plotW, plotH)) }
    out += "</g>"

    // Axes, ticks and tick labels.
    out += "<path d=\"M\(c(plotX)) \(c(plotY))V\(c(plotY + plotH))H\(c(plotX + plotW))\" stroke=\"#444444\" stroke-width=\"1\" fill=\"none\"/>"
    var ticks = ""
    for v in xt.values { ticks += "M"; SVGText.appendCoordinate(px(v), to: &ticks); ticks += " \(c(plotY + plotH))v4" }
    for v in yt.values { ticks += "M\(c(plotX)) "; SVGText.appendCoordinate(py(v), to: &ticks); ticks += "h-4" }
    out += "<path d=\"\(ticks)\" stroke=\"#444444\" stroke-width=\"1\" fill=\"none\"/>"
    if xTickLabels {
      var lastRight = -Double.infinity
      for v in xt.values {
        let label = SVGText.tick(v, step: xt.step), w = Chart.textWidth(label), cx = px(v)
        guard cx - w / 2 > lastRight + 2 else { continue }  // never overlap neighbours
        if tickLabelsInsidePlot && (cx - w / 2 < plotX - 1 || cx + w / 2 > plotX + plotW + 1) { continue }
        lastRight = cx + w / 2
        out += "<text x=\"\(c(cx))\" y=\"\(c(plotY + plotH + 15))\" text-anchor=\"middle\" fill=\"#333333\">\(SVGText.escape(label))</text>"
      }
    }
    for (v, label) in zip(yt.values, yLabels) {
      if tickLabelsInsidePlot && (py(v) < plotY + 5 || py(v) > plotY + plotH - 5) { continue }
      out += "<text x=\"\(c(plotX - 6))\" y=\"\(c(py(v) + 4))\" text-anchor=\"end\" fill=\"#333333\">\(SVGText.escape(label))</text>"
    }
    if let xLabel {
      out += "<text x=\"\(c(plotX + plotW / 2))\" y=\"\(c(plotY + plotH + (xTickLabels ? 31 : 16)))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#111111\">\(SVGText.escape(Chart.fit(xLabel, width: plotW + margins.right, size: 12)))</text>"
    }
    if let yLabel {
      let lx = plotX - (yTickLabels ? tickWidth + 12 : 6)
      out += "<text transform=\"translate(\(c(lx)),\(c(plotY + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#111111\">\(SVGText.escape(Chart.fit(yLabel, width: plotH, size: 12)))</text>"
    }
    if let title {
      out += "<text x=\"\(c(width / 2))\" y=\"\(c(margins.top - 8))\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#111111\">\(SVGText.escape(Chart.fit(title, width: width - 4, size: 13)))</text>"
    }
    renderLegend(into: &out, plot: (plotX, plotY, plotW, plotH))
    out += "</g>"
  }

  /// `s`, cut with "…" to fit `width` px at font size `size`.
  static func fit(_ s: String, width: Double, size: Double) -> String {
    let maxChars = Int(width / (size * 0.6))
    guard s.count > maxChars, maxChars > 1 else { return s }
    return String(s.prefix(maxChars - 1)) + "…"
  }

  private func strokeAttributes(_ s: MarkStyle) -> String {
    var a = "stroke=\"\(SVGText.escape(s.color))\" stroke-width=\"\(SVGText.coordinate(s.lineWidth))\" fill=\"none\""
    if s.opacity < 1 { a += " stroke-opacity=\"\(SVGText.compact(s.opacity))\"" }
    if let d = s.dash { a += " stroke-dasharray=\"\(SVGText.escape(d))\"" }
    return a
  }

  private func fillAttributes(_ s: MarkStyle, opacity: Double? = nil, outline: Bool = false) -> String {
    "fill=\"\(SVGText.escape(s.color))\" fill-opacity=\"\(SVGText.compact(opacity ?? s.opacity))\" "
      + (outline ? "stroke=\"#ffffff\" stroke-width=\"0.5\"" : "stroke=\"none\"")
  }

  private func renderMark(_ mark: ChartMark, into out: inout String, px: (Double) -> Double, py: (Double) -> Double,
                          xd: ClosedRange<Double>, yd: ClosedRange<Double>, plot: (x: Double, y: Double, w: Double, h: Double)) {
    let c = SVGText.coordinate
    switch mark {
    case let .scatter(xs, ys, style):
      let n = min(xs.count, ys.count)
      let keep = min(n, maxScatterPoints)
      guard keep > 0 else { return }
      var d = ""
      d.reserveCapacity(keep * 14)
      for k in 0..<keep {
        let i = keep == n ? k : k * n / keep
        let vx = xs[i], vy = ys[i]
        guard vx.isFinite, vy.isFinite else { continue }
        d += "M"; SVGText.appendCoordinate(px(vx), to: &d); d += " "; SVGText.appendCoordinate(py(vy), to: &d); d += "h0"
      }
      var a = "stroke=\"\(SVGText.escape(style.color))\" stroke-width=\"\(c(2 * style.radius))\" stroke-linecap=\"round\" fill=\"none\""
      if style.opacity < 1 { a += " stroke-opacity=\"\(SVGText.compact(style.opacity))\"" }
      out += "<path d=\"\(d)\" \(a)/>"
    case let .line(xs, ys, style):
      var d = "", pen = false
      for i in 0..<min(xs.count, ys.count) {
        guard xs[i].isFinite, ys[i].isFinite else { pen = false; continue }
        d += pen ? "L" : "M"
        SVGText.appendCoordinate(px(xs[i]), to: &d); d += " "; SVGText.appendCoordinate(py(ys[i]), to: &d)
        pen = true
      }
      if !d.isEmpty { out += "<path d=\"\(d)\" \(strokeAttributes(style)) stroke-linejoin=\"round\"/>" }
    case let .band(xs, lower, upper, style):
      let n = min(xs.count, lower.count, upper.count)
      guard n > 0 else { return }
      var d = ""
      for i in 0..<n {
        d += i == 0 ? "M" : "L"
        SVGText.appendCoordinate(px(xs[i]), to: &d); d += " "; SVGText.appendCoordinate(py(upper[i]), to: &d)
      }
      for i in stride(from: n - 1, through: 0, by: -1) {
        d += "L"; SVGText.appendCoordinate(px(xs[i]), to: &d); d += " "; SVGText.appendCoordinate(py(lower[i]), to: &d)
      }
      out += "<path d=\"\(d)Z\" \(fillAttributes(style))/>"
    case let .bars(left, right, height, baseline, style):
      var d = ""
      for i in 0..<min(left.count, right.count, height.count) {
        d += "M"; SVGText.appendCoordinate(px(left[i]), to: &d); d += " "; SVGText.appendCoordinate(py(baseline), to: &d)
        d += "V"; SVGText.appendCoordinate(py(height[i]), to: &d)
        d += "H"; SVGText.appendCoordinate(px(right[i]), to: &d)
        d += "V"; SVGText.appendCoordinate(py(baseline), to: &d); d += "Z"
      }
      out += "<path d=\"\(d)\" \(fillAttributes(style, outline: true))/>"
    case let .cells(left, right, bottom, top, intensity, style):
      var paths = [String](repeating: "", count: 8)
      for i in 0..<min(left.count, right.count, bottom.count, top.count, intensity.count) where intensity[i] > 0 {
        let level = min(Int(intensity[i] * 8), 7)
        paths[level] += "M\(c(px(left[i]))) \(c(py(top[i])))H\(c(px(right[i])))V\(c(py(bottom[i])))H\(c(px(left[i])))Z"
      }
      for (level, d) in paths.enumerated() where !d.isEmpty {
        out += "<path d=\"\(d)\" \(fillAttributes(style, opacity: style.opacity * Double(level + 1) / 8))/>"
      }
    case let .diagonal(style):
      let lo = max(xd.lowerBound, yd.lowerBound), hi = min(xd.upperBound, yd.upperBound)
      if lo < hi { out += "<path d=\"M\(c(px(lo))) \(c(py(lo)))L\(c(px(hi))) \(c(py(hi)))\" \(strokeAttributes(style))/>" }
    case let .horizontal(v, style):
      out += "<path d=\"M\(c(plot.x)) \(c(py(v)))H\(c(plot.x + plot.w))\" \(strokeAttributes(style))/>"
    case let .vertical(v, style):
      out += "<path d=\"M\(c(px(v))) \(c(plot.y))V\(c(plot.y + plot.h))\" \(strokeAttributes(style))/>"
    case let .annotation(text, corner):
      let right = corner == .topRight || corner == .bottomRight
      let top = corner == .topLeft || corner == .topRight
      let tx = right ? plot.x + plot.w - 5 : plot.x + 5
      let ty = top ? plot.y + 14 : plot.y + plot.h - 6
      out += "<text x=\"\(c(tx))\" y=\"\(c(ty))\" text-anchor=\"\(right ? "end" : "start")\" fill=\"#111111\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(SVGText.escape(text))</text>"
    }
  }

  private enum Swatch { case line, fill, dot }

  private func renderLegend(into out: inout String, plot: (x: Double, y: Double, w: Double, h: Double)) {
    guard let corner = legend else { return }
    var entries: [(String, MarkStyle, Swatch)] = []
    for mark in marks {
      switch mark {
      case let .scatter(_, _, s): if let l = s.label { entries.append((l, s, .dot)) }
      case let .line(_, _, s), let .diagonal(s), let .horizontal(_, s), let .vertical(_, s):
        if let l = s.label { entries.append((l, s, .line)) }
      case let .band(_, _, _, s), let .bars(_, _, _, _, s), let .cells(_, _, _, _, _, s):
        if let l = s.label { entries.append((l, s, .fill)) }
      case .annotation: break
      }
    }
    guard !entries.isEmpty else { return }
    let c = SVGText.coordinate
    let boxW = (entries.map { Chart.textWidth($0.0, size: 10) }.max() ?? 0) + 30, boxH = Double(entries.count) * 14 + 6
    let bx = corner == .topLeft || corner == .bottomLeft ? plot.x + 6 : plot.x + plot.w - boxW - 6
    let by = corner == .topLeft || corner == .topRight ? plot.y + 6 : plot.y + plot.h - boxH - 6
    out += "<g font-size=\"10\"><rect x=\"\(c(bx))\" y=\"\(c(by))\" width=\"\(c(boxW))\" height=\"\(c(boxH))\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>"
    for (k, (label, s, swatch)) in entries.enumerated() {
      let cy = by + 10 + Double(k) * 14
      switch swatch {
      case .line:
        out += "<path d=\"M\(c(bx + 5)) \(c(cy))h16\" \(strokeAttributes(s))/>"
      case .fill:
        out += "<rect x=\"\(c(bx + 5))\" y=\"\(c(cy - 5))\" width=\"16\" height=\"10\" \(fillAttributes(s, opacity: max(s.opacity, 0.25)))/>"
      case .dot:
        out += "<circle cx=\"\(c(bx + 13))\" cy=\"\(c(cy))\" r=\"\(c(max(s.radius, 2.5)))\" fill=\"\(SVGText.escape(s.color))\"/>"
      }
      out += "<text x=\"\(c(bx + 25))\" y=\"\(c(cy + 3.5))\" fill=\"#222222\">\(SVGText.escape(label))</text>"
    }
    out += "</g>"
  }
}

/// Several charts in one SVG (small multiples): each chart is placed at its own offset.
public struct Figure: Sendable {
  public var width: Double
  public var height: Double
  public var title: String?
  public var panels: [(chart: Chart, x: Double, y: Double)] = []

  public init(width: Double, height: Double, title: String? = nil) {
    self.width = width
    self.height = height
    self.title = title
  }

  /// Places charts in a grid of `columns` columns, row by row, each cell the size of its chart
  /// (all charts should share one size); the figure grows to fit.
  public static func grid(_ charts: [Chart], columns: Int, title: String? = nil) -> Figure {
    let w = charts.map(\.width).max() ?? 0, h = charts.map(\.height).max() ?? 0
    let rows = (charts.count + columns - 1) / max(columns, 1)
    var f = Figure(width: w * Double(min(columns, charts.count)), height: h * Double(rows), title: title)
    for (i, chart) in charts.enumerated() {
      f.panels.append((chart, Double(i % columns) * w, Double(i / columns) * h))
    }
    return f
  }

  /// A standalone SVG element of class "figure" with `data-kind` = `kind`.
  public func svg(id: String, kind: String) -> String {
    var out = Chart.svgOpen(id: id, kind: kind, width: width, height: height, title: title)
    for (k, p) in panels.enumerated() { p.chart.render(into: &out, id: "\(id)-\(k)", x: p.x, y: p.y) }
    out += "</svg>\n"
    return out
  }
}
