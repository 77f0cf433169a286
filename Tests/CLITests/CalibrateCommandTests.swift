import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import BayesFlow

/// `bayesflow calibrate`: the report is well-formed, self-contained XHTML with one figure per
/// expected plot and every parameter; the metrics JSON parses; bad inputs are one-line errors
/// that write nothing.
final class CalibrateCommandTests: CLITestCase {
  /// Small trained models shared by the tests: two_moons (a vector observation) and secird
  /// (3 streams × 81 days), each in its own directory.
  static var modelDir = ""
  static var twoMoons = ""
  static var secird = ""

  override class func setUp() {
    modelDir = NSTemporaryDirectory() + "bf-cli-calib-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: modelDir + "/tm", withIntermediateDirectories: true)
    try? FileManager.default.createDirectory(atPath: modelDir + "/secird", withIntermediateDirectories: true)
    try? """
      {"simulator": {"name": "two_moons"}, "inference_network": {"depth": 2, "subnet": {"widths": [32, 32]}},
       "training": {"mode": "online", "epochs": 2, "batches_per_epoch": 60, "batch_size": 128, "validation_simulations": 200}}
      """.write(toFile: modelDir + "/tm.json", atomically: true, encoding: .utf8)
    try? """
      {"simulator": {"name": "secird"},
       "summary_network": {"type": "time_series", "filters": 4, "conv_blocks": 1, "units": 8, "summary_dim": 8},
       "inference_network": {"depth": 2, "subnet": {"widths": [16, 16]}},
       "adapter": {"observation_transform": "log1p", "pilot_simulations": 200},
       "training": {"mode": "online", "epochs": 1, "batches_per_epoch": 5, "batch_size": 32, "validation_simulations": 40}}
      """.write(toFile: modelDir + "/secird.json", atomically: true, encoding: .utf8)
    _ = try? CLI.run(["fit", modelDir + "/tm.json", "--out", modelDir + "/tm", "--quiet"])
    _ = try? CLI.run(["fit", modelDir + "/secird.json", "--out", modelDir + "/secird", "--quiet"])
    twoMoons = modelDir + "/tm/checkpoint.h5"
    secird = modelDir + "/secird/checkpoint.h5"
  }

  override class func tearDown() { try? FileManager.default.removeItem(atPath: modelDir) }

  /// Collects `data-kind`s of figures, element counts and text; fails on malformed XML.
  private final class Collector: NSObject, XMLParserDelegate {
    var kinds: [String: Int] = [:]
    var elements: [String: Int] = [:]
    var text = ""
    var attributes: [String] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
      elements[name, default: 0] += 1
      attributes += a.values
      if name == "svg", a["class"] == "figure", let k = a["data-kind"] { kinds[k, default: 0] += 1 }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
  }

  /// Parses `path` as XML and checks it references nothing outside itself.
  private func parseReport(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> Collector {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let collector = Collector()
    let parser = XMLParser(data: data)
    parser.delegate = collector
    XCTAssertTrue(parser.parse(), "XML error: \(String(describing: parser.parserError)) at line \(parser.lineNumber)", file: file, line: line)
    let html = String(decoding: data, as: UTF8.self)
    for forbidden in ["http:", "https:", "<script", "<link", "<img", "@import", "src=", "url(http", "<iframe"] {
      XCTAssertFalse(html.contains(forbidden), "external reference \(forbidden)", file: file, line: line)
    }
    XCTAssertNil(collector.elements["script"], file: file, line: line)
    // Every url(...) is a fragment inside the page (clip paths).
    XCTAssertTrue(collector.attributes.filter { $0.contains("url(") }.allSatisfy { $0.hasPrefix("url(#") }, file: file, line: line)
    return collector
  }

  private func metrics(_ path: String) throws -> JSONValue {
    try JSONValue.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
  }

  /// The default outputs land next to the checkpoint; the page has the five charts per
  /// parameter, the loss curves and the pairs plot (no predictive for a vector model).
  func testVectorModelReportNextToTheCheckpoint() throws {
    let checkpoint = dir + "/checkpoint.h5"
    try FileManager.default.copyItem(atPath: Self.twoMoons, toPath: checkpoint)
    let r = try CLI.run(["calibrate", "--checkpoint", checkpoint, "--simulations", "100", "--draws", "100"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let html = dir + "/calibration.html", json = dir + "/calibration.json"
    XCTAssertTrue(r.stdout.contains("report: \(html)"), r.stdout)
    XCTAssertTrue(r.stdout.contains("metrics: \(json)"), r.stdout)
    // The summary table: a header and one row per parameter with a verdict.
    let lines = r.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines[0].hasPrefix("parameter") && lines[0].contains("max|ECDF-z|") && lines[0].contains("contraction"), lines[0])
    for name in ["theta1", "theta2"] {
      XCTAssertTrue(lines.contains { $0.hasPrefix(name) && $0.contains("calibrated") }, r.stdout)
    }
    XCTAssertTrue(r.stdout.contains("of 2 parameters calibrated"), r.stdout)
    XCTAssertTrue(r.stderr.contains("calibrated two_moons: 100 data sets × 100 draws"), r.stderr)

    let c = try parseReport(html)
    var expected = [String: Int]()
    for k in CalibrationReport.parameterChartKinds { expected[k] = 2 }
    expected["loss"] = 1
    expected["pairs"] = 1
    XCTAssertEqual(c.kinds, expected)
    for name in ["theta1", "theta2", "two_moons", "simulated data set 1"] { XCTAssertTrue(c.text.contains(name), name) }

    let m = try metrics(json)
    guard case .object(let params)? = m["parameters"] else { return XCTFail("no parameters in the metrics") }
    XCTAssertEqual(params.map(\.key), ["theta1", "theta2"])
    XCTAssertEqual(m["simulations"], .number(100))
    XCTAssertNotNil(m["parameters"]?["theta1"]?["calibrated"])
    XCTAssertNotNil(m["training"]?["final_validation_loss"])
    // No temporary files are left behind.
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["checkpoint.h5", "calibration.html", "calibration.json"])
  }

  /// Same seed, same numbers, whatever the thread count; another seed, other numbers. An
  /// observation file becomes the example posterior.
  func testSeedsThreadsAndObservationFile() throws {
    let obs = write("y.json", "[0.1, -0.2]")
    func run(_ name: String, _ extra: [String]) throws -> String {
      let r = try CLI.run(["calibrate", "--checkpoint", Self.twoMoons, "--simulations", "40", "--draws", "30",
                           "--report", dir + "/\(name).html", "--metrics", dir + "/\(name).json", "--observation", obs] + extra)
      XCTAssertEqual(r.status, 0, r.stderr)
      return try String(contentsOfFile: dir + "/\(name).json", encoding: .utf8)
    }
    let a = try run("a", ["--seed", "5", "--threads", "1"])
    XCTAssertEqual(try run("b", ["--seed", "5", "--threads", "2"]), a)
    XCTAssertNotEqual(try run("c", ["--seed", "6"]), a)
    let c = try parseReport(dir + "/a.html")
    XCTAssertTrue(c.text.contains("Example posterior: y.json"), "the observation file is the example")
    XCTAssertFalse(c.text.contains("true value."), "no true value for an observed data set")
    XCTAssertEqual(c.kinds["pairs"], 1)
  }

  /// A multi-stream series model: the posterior predictive figure with one panel per stream,
  /// every one of the 34 parameters in table and charts, the pairs plot limited to 6.
  func testTimeSeriesModelHasAPosteriorPredictivePlot() throws {
    let html = dir + "/r.html", json = dir + "/m.json"
    let r = try CLI.run(["calibrate", "--checkpoint", Self.secird, "--simulations", "30", "--draws", "20", "--report", html, "--metrics", json])
    XCTAssertEqual(r.status, 0, r.stderr)
    let c = try parseReport(html)
    var expected = [String: Int]()
    for k in CalibrationReport.parameterChartKinds { expected[k] = 34 }
    expected["loss"] = 1
    expected["pairs"] = 1
    expected["predictive"] = 1
    XCTAssertEqual(c.kinds, expected)
    let names = ["t1", "t2", "t3", "t4", "dt1", "dt2", "dt3", "dt4", "lambda0", "lambda1", "lambda2", "lambda3", "lambda4", "mu",
                 "f_I", "f_R", "f_D", "phi_I", "phi_R", "phi_D", "L_I", "L_R", "L_D", "E0", "sigma_I", "sigma_R", "sigma_D",
                 "alpha", "beta", "gamma", "eta", "theta", "delta", "d"]
    for name in names { XCTAssertTrue(c.text.contains("\(name): rank histogram"), name) }
    for stream in ["confirmed", "recovered", "deceased"] { XCTAssertTrue(c.text.contains(stream), stream) }
    XCTAssertTrue(c.text.contains("Shown: 6 of 34 parameters"), "pairs plot subset is explained")
    guard case .object(let params)? = try metrics(json)["parameters"] else { return XCTFail("no parameters in the metrics") }
    XCTAssertEqual(params.map(\.key), names)
    XCTAssertEqual(r.stdout.split(separator: "\n").count, 1 + 34 + 1 + 2)
  }

  /// Bad checkpoints, flags and observations: one line on stderr, exit status 2, no files.
  func testBadInputsAreOneLineErrorsAndWriteNothing() throws {
    let ck = Self.twoMoons
    let out = ["--report", dir + "/r.html", "--metrics", dir + "/m.json"]
    let garbage = write("garbage.h5", "not hdf5")
    let truncated = dir + "/truncated.h5"
    try Data(try Data(contentsOf: URL(fileURLWithPath: ck)).prefix(50_000)).write(to: URL(fileURLWithPath: truncated))
    let cases: [([String], String)] = [
      (["--checkpoint", dir + "/none.h5"], "\(dir)/none.h5: no such checkpoint file"),
      (["--checkpoint", garbage], "\(garbage): not an HDF5 file (expected a checkpoint written by bayesflow fit)"),
      (["--checkpoint", truncated], "\(truncated): not an HDF5 file (expected a checkpoint written by bayesflow fit)"),
      (["--checkpoint", ck, "--simulations", "19"], "--simulations must be at least 20, got 19"),
      (["--checkpoint", ck, "--simulations=-5"], "--simulations must be at least 20, got -5"),
      (["--checkpoint", ck, "--draws", "5"], "--draws must be at least 10, got 5"),
      (["--checkpoint", ck, "--threads", "0"], "--threads must be at least 1, got 0"),
      (["--checkpoint", ck, "--observation", write("long.json", "[1, 2, 3]")], "\(dir)/long.json: 3 values given; expected 2 values (vector(2))"),
      (["--checkpoint", ck, "--observation", write("two.csv", "1,2\n3,4\n")], "\(dir)/two.csv: 2 observations given; calibrate shows one"),
      (["--checkpoint", ck, "--observation", dir + "/missing.json"], "\(dir)/missing.json: no such file"),
      (["--checkpoint", Self.secird, "--observation", write("flat.json", "[1, 2, 3]")],
       "\(dir)/flat.json: a flat array of 3 values given; expected 81 rows × 3 columns (streams(81×[confirmed,recovered,deceased]))"),
    ]
    for (args, expected) in cases {
      assertUsageError(try CLI.run(["calibrate"] + args + out), expected)
    }
    assertUsageError(try CLI.run(["calibrate", "--checkpoint", ck, "--report", dir + "/r.txt"]), "--report must end in .html, got \(dir)/r.txt")
    assertUsageError(try CLI.run(["calibrate", "--checkpoint", ck, "--metrics", dir + "/m.csv"]), "--metrics must end in .json, got \(dir)/m.csv")
    assertUsageError(try CLI.run(["calibrate", "--checkpoint", ck, "--report", dir + "/no/dir/r.html"]),
                     "\(dir)/no/dir/r.html: cannot write --report: no such directory \(dir)/no/dir")
    let inputs: Set = ["garbage.h5", "truncated.h5", "long.json", "two.csv", "flat.json"]
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), inputs, "nothing written")
    XCTAssertFalse(FileManager.default.fileExists(atPath: Self.modelDir + "/tm/calibration.html"))
  }
}
