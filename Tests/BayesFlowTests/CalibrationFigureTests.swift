import XCTest
import Foundation
import BayesFlow
import Tensors

/// The z-score vs contraction chart of the calibration report keeps every data set inside
/// its plot area, however wide the posteriors.
final class CalibrationFigureTests: XCTestCase {
  /// Diagnostics of one parameter over M data sets: truths θ ~ N(0, 1), draws N(0, scaleₘ²).
  private func diagnostics(scales: [Double]) -> CalibrationDiagnostics {
    var rng = RandomStream(seed: 9)
    let m = scales.count, l = 50
    var truths: [[Double]] = [], values: [Double] = []
    for k in 0..<m {
      truths.append([rng.normal()])
      for _ in 0..<l { values.append(scales[k] * rng.normal()) }
    }
    var options = CalibrationOptions()
    options.bandSimulations = 500
    return CalibrationDiagnostics(truths: truths, draws: PosteriorDraws(simulations: m, draws: l, parameters: 1, values: values),
                                  parameterNames: ["wide"], priorVariances: [1], options: options)
  }

  /// The z-contraction SVG of a one-parameter report.
  private func zChart(_ d: CalibrationDiagnostics) -> String {
    let html = CalibrationReport(CalibrationReportInput(title: "t", simulatorName: "s", parameterNames: ["wide"],
                                                        calibration: .diagnostics(d))).html()
    let start = html.range(of: "data-kind=\"z-contraction\"")!.lowerBound
    return String(html[start..<html[start...].range(of: "</svg>")!.upperBound])
  }

  /// Dots ("Mx yh0") of the chart and its plot rectangle (the clip path).
  private func dotsAndPlot(_ svg: String) -> (dots: [(Double, Double)], plot: (x: Double, y: Double, w: Double, h: Double)) {
    func number(after key: String, in s: Substring) -> Double {
      let r = s.range(of: key + "=\"")!
      return Double(s[r.upperBound...].prefix { $0 != "\"" })!
    }
    let clip = svg[svg.range(of: "<clipPath")!.lowerBound...]
    let plot = (number(after: "x", in: clip), number(after: "y", in: clip), number(after: "width", in: clip), number(after: "height", in: clip))
    var dots: [(Double, Double)] = []
    for piece in svg.components(separatedBy: "h0").dropLast() {
      guard let m = piece.lastIndex(of: "M") else { continue }
      let xy = piece[piece.index(after: m)...].split(separator: " ")
      if xy.count == 2, let x = Double(xy[0]), let y = Double(xy[1]) { dots.append((x, y)) }
    }
    return (dots, plot)
  }

  private func assertAllInside(_ svg: String, count: Int, file: StaticString = #filePath, line: UInt = #line) {
    let (dots, p) = dotsAndPlot(svg)
    XCTAssertEqual(dots.count, count, "one dot per data set", file: file, line: line)
    for (x, y) in dots {
      XCTAssertTrue(x >= p.x - 0.05 && x <= p.x + p.w + 0.05 && y >= p.y - 0.05 && y <= p.y + p.h + 0.05,
                    "dot (\(x), \(y)) outside the plot \(p)", file: file, line: line)
    }
  }

  /// Posteriors 5× wider than the prior (contraction ≈ −24): the axis reaches the points
  /// (it used to stop at −1, leaving the chart empty).
  func testStronglyNegativeContractionIsOnTheChart() {
    let d = diagnostics(scales: [Double](repeating: 5, count: 200))
    XCTAssertLessThan(d.parameters[0].contraction.meanContraction, -10)
    let svg = zChart(d)
    assertAllInside(svg, count: 200)
    XCTAssertFalse(svg.contains("beyond the axes"))
  }

  /// One absurdly wide posterior among calibrated ones does not squash the axis: it is drawn
  /// on the edge and counted.
  func testAnOutlierIsDrawnOnTheEdgeAndCounted() {
    let d = diagnostics(scales: [1000] + [Double](repeating: 0.7, count: 199))
    let svg = zChart(d)
    assertAllInside(svg, count: 200)
    XCTAssertTrue(svg.contains("1 beyond the axes"), "the off-axis point is counted")
  }
}
