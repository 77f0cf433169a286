import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import BayesFlow
import Tensors

final class ReportTests: XCTestCase {
  /// A small report with every section: 3 parameters (one name needing escaping, one
  /// over-confident posterior), training history, an example posterior with a 2-channel
  /// predictive.
  private func sampleReport() -> CalibrationReport {
    var rng = RandomStream(seed: 3)
    let m = 150, l = 100, names = ["mu", "sigma <&> \"x\"", "over-confident"]
    var truths: [[Double]] = [], values: [Double] = []
    for _ in 0..<m {
      let theta = (0..<3).map { _ in rng.normal() }
      truths.append(theta)
      let y = theta.map { $0 + rng.normal() }
      for _ in 0..<l {
        for p in 0..<3 { values.append(y[p] / 2 + (p == 2 ? 0.3 : 1) * (0.5).squareRoot() * rng.normal()) }
      }
    }
    var history = TrainingHistory()
    for e in 1...20 {
      history.append(epoch: e, loss: 3 / Double(e), validationLoss: 3.2 / Double(e) + 0.05, learningRate: 1e-3,
                     seconds: Double(e), simulations: 1000 * e, skipped: 0)
    }
    let example = (0..<500).map { _ in [rng.normal(), 2 + 0.5 * rng.normal(), rng.normal()] }
    let sims = (0..<200).map { _ in (0..<30).map { t in [Double(t) + rng.normal(), -Double(t) + 2 * rng.normal()] } }
    let observed = (0..<30).map { t in [Double(t) + rng.normal(), -Double(t)] }
    let predictive = PosteriorPredictiveSeries(observed: observed, channelNames: ["infected", "recovered"],
                                               quantiles: PredictiveQuantiles(simulations: sims))
    var input = CalibrationReportInput(
      title: "Test report", simulatorName: "conjugate_normal", parameterNames: names,
      calibration: .draws(truths: truths, draws: PosteriorDraws(simulations: m, draws: l, parameters: 3, values: values), priorVariances: nil),
      history: history,
      example: ExamplePosterior(label: "observation 1", draws: example, truth: [0, 2, 0], predictive: predictive))
    input.options.bandSimulations = 1000
    return CalibrationReport(input)
  }

  /// Collects element names and `data-kind` attributes; fails on malformed XML.
  private final class Collector: NSObject, XMLParserDelegate {
    var kinds: [String] = []
    var elements: [String: Int] = [:]
    var text = ""
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
      elements[name, default: 0] += 1
      if name == "svg", attributes["class"] == "figure", let k = attributes["data-kind"] { kinds.append(k) }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
  }

  /// The page parses as XML (well-formed, balanced tags, only XML entities), holds one figure per
  /// expected chart, names every parameter and references nothing outside itself.
  func testReportIsWellFormedSelfContainedAndComplete() throws {
    let report = sampleReport()
    let html = report.html()
    let collector = Collector()
    let parser = XMLParser(data: Data(html.utf8))
    parser.delegate = collector
    XCTAssertTrue(parser.parse(), "XML error: \(String(describing: parser.parserError)) at line \(parser.lineNumber)")
    var expected = [String: Int]()
    for k in CalibrationReport.parameterChartKinds { expected[k] = 3 }
    expected["loss"] = 1
    expected["pairs"] = 1
    expected["predictive"] = 1
    XCTAssertEqual(Dictionary(collector.kinds.map { ($0, 1) }, uniquingKeysWith: +), expected)
    XCTAssertEqual(collector.elements["svg"], 3 * 5 + 3)
    XCTAssertNil(collector.elements["script"])
    for name in ["mu", "sigma <&> \"x\"", "over-confident"] { XCTAssertTrue(collector.text.contains(name), name) }
    XCTAssertTrue(html.contains("sigma &lt;&amp;&gt; &quot;x&quot;"))
    for forbidden in ["http:", "https:", "<script", "<link", "@import", "src="] {
      XCTAssertFalse(html.contains(forbidden), forbidden)
    }
    // The over-confident parameter (sd × 0.3) is flagged; the verdicts reach the table.
    XCTAssertFalse(report.diagnostics.parameters[2].isCalibrated)
    XCTAssertTrue(collector.text.contains("not calibrated"))
  }

  /// The metrics JSON parses, keys parameters by name in order, and agrees with the diagnostics.
  func testMetricsJSONIsSelfDescribing() throws {
    let report = sampleReport()
    let json = try JSONValue.parse(report.metricsJSON())
    guard case .object(let params)? = json["parameters"] else { return XCTFail("no parameters object") }
    XCTAssertEqual(params.map(\.key), ["mu", "sigma <&> \"x\"", "over-confident"])
    let p = report.diagnostics.parameters[2]
    XCTAssertEqual(json["parameters"]?["over-confident"]?["calibrated"], .bool(false))
    if case let .number(v, _)? = json["parameters"]?["over-confident"]?["coverage"]?["calibration_error"] {
      XCTAssertEqual(v, p.coverage.calibrationError, accuracy: 1e-12)
    } else { XCTFail("calibration_error missing") }
    XCTAssertNotNil(json["definitions"]?["calibration_error"])
    XCTAssertNotNil(json["training"]?["best_validation_loss"])
    if case .array(let levels)? = json["coverage_levels"] { XCTAssertEqual(levels.count, 19) } else { XCTFail("coverage_levels") }
  }

  /// Nice ticks are multiples of 1, 2 or 5 × 10ᵏ inside the domain; labels carry the decimals
  /// the step needs; text is escaped; coordinates are rounded to 0.1 px.
  func testTicksLabelsAndEscaping() {
    XCTAssertEqual(NiceTicks(lower: 0, upper: 1).values, [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
    let t = NiceTicks(lower: -0.013, upper: 0.021)
    XCTAssertEqual(t.step, 0.01)
    XCTAssertEqual(t.values.map { SVGText.tick($0, step: t.step) }, ["-0.01", "0", "0.01", "0.02"])
    let big = NiceTicks(lower: 0, upper: 2.6e6)
    XCTAssertEqual(big.values.map { SVGText.tick($0, step: big.step) }, ["0", "5e5", "1e6", "1.5e6", "2e6", "2.5e6"])
    XCTAssertEqual(NiceTicks(lower: 3, upper: 3).values, [3])
    XCTAssertEqual(SVGText.compact(0.93417), "0.934")
    XCTAssertEqual(SVGText.compact(12345.6), "12346")
    XCTAssertEqual(SVGText.compact(123456.7), "1.23e5")
    XCTAssertEqual(SVGText.compact(0.000123), "1.23e-4")
    XCTAssertEqual(SVGText.compact(.nan), "–")
    XCTAssertEqual(SVGText.escape("a<b & 'c' \"d\">"), "a&lt;b &amp; &#39;c&#39; &quot;d&quot;&gt;")
    XCTAssertEqual(SVGText.coordinate(12.34), "12.3")
    XCTAssertEqual(SVGText.coordinate(-0.04), "0")
    XCTAssertEqual(SVGText.coordinate(-1.25), "-1.3")
    XCTAssertEqual(SVGText.coordinate(250), "250")
  }

  /// Scatter marks are thinned to `maxScatterPoints` (one "h0" dot per point kept).
  func testScatterIsThinned() {
    var c = Chart(title: "t", xLabel: "x", yLabel: "y")
    let xs = (0..<10_000).map(Double.init)
    c.marks = [.scatter(x: xs, y: xs, style: MarkStyle(color: "#000000"))]
    c.maxScatterPoints = 500
    let svg = c.svg(id: "s", kind: "test")
    XCTAssertEqual(svg.components(separatedBy: "h0").count - 1, 500)
  }
}
