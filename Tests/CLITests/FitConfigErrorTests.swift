import XCTest
import Foundation

/// Malformed configurations: each is a one-line error naming the file and the JSON path, exit
/// status 2, and nothing is written.
final class FitConfigErrorTests: CLITestCase {
  static let base = #"{"simulator": {"name": "two_moons"}, "training": {"epochs": 1, "batches_per_epoch": 2}, "output": "OUT"}"#

  func testMalformedConfigs() throws {
    let cases: [(String, String)] = [
      (#"{"simulator": {"name": "two_moons"}, "training": {"batch_size": "64"}}"#, #"training.batch_size: expected an integer ≥ 2, got "64""#),
      (#"{"simulator": {"name": "two_moons"}, "training": {"batch_size": 0}}"#, "training.batch_size: expected an integer ≥ 2, got 0"),
      (#"{"simulator": {"name": "two_moons"}, "training": {"bach_size": 64}}"#, "training.bach_size: unknown key"),
      (#"{"simulator": {"name": "two_moons"}, "training": {"epochs": 2.5}}"#, "training.epochs: expected an integer in 1...1000000, got 2.5"),
      (#"{"simulator": {"name": "two_moons"}, "training": {"learning_rate": -0.1}}"#, "training.learning_rate: expected a number in (0, 10], got -0.1"),
      (#"{"simulator": {"name": "two_moons"}, "training": {"mode": "fast"}}"#, #"training.mode: expected one of "online", "offline", "disk", got "fast""#),
      (#"{"simulator": {"name": "two_moons"}, "training": {"mode": "offline"}}"#, "training.simulation_budget: offline mode needs a simulation budget or a dataset"),
      (#"{"simulator": {"name": "two_moons"}, "training": {"mode": "disk"}}"#, "training.dataset: disk mode needs an HDF5 dataset (write one with bayesflow simulate)"),
      (#"{"simulator": {"name": "no_such_model"}}"#, "simulator.name: unknown simulator \"no_such_model\""),
      (#"{"training": {}}"#, "simulator.name: missing"),
      (#"{"simulator": {"name": "gaussian_linear", "options": {"dimension": -3}}}"#, "simulator.options.dimension: expected an integer in 1...1000, got -3"),
      (#"{"simulator": {"name": "two_moons", "options": {"noise": 1}}}"#, "simulator.options.noise: unknown key"),
      (#"{"simulator": {"name": "two_moons"}, "inference_network": {"depth": 0}}"#, "inference_network.depth"),
      (#"{"simulator": {"name": "two_moons"}, "inference_network": {"transform": "quadratic"}}"#, "inference_network.transform"),
      (#"{"simulator": {"name": "two_moons"}, "inference_network": {"subnet": {"widths": [64, "wide"]}}}"#, "inference_network.subnet.widths"),
      (#"{"simulator": {"name": "two_moons"}, "summary_network": {"type": "transformer"}}"#, "summary_network"),
      (#"{"simulator": {"name": "two_moons"}, "adapter": {"observation_transform": "sqrt"}}"#, #"adapter.observation_transform: expected one of "none", "log1p", got "sqrt""#),
      (#"{"simulator": {"name": "two_moons"}, "outptu": "runs/x"}"#, "outptu: unknown key"),
      (#"{"simulator": {"name": "two_moons"}, "training": {"clip_norm": 0}}"#, "training.clip_norm: expected a number > 0, got 0"),
      (#"{"simulator": {"name": "two_moons"}, "training": [1, 2]}"#, "training: expected an object, got [1, 2]"),
      ("{\"simulator\": {\"name\": \"two_moons\"},\n  \"training\": {\"epochs\": 3,}}", "invalid JSON at line 2, column 28: expected a quoted key"),
    ]
    XCTAssertGreaterThanOrEqual(cases.count, 15)
    for (k, (text, expected)) in cases.enumerated() {
      let path = write("bad\(k).json", text)
      let out = dir + "/run\(k)"
      let r = try CLI.run(["fit", path, "--out", out])
      XCTAssertEqual(r.status, 2, "case \(k): \(text) → \(r.stderr)")
      let lines = r.stderr.split(separator: "\n")
      XCTAssertEqual(lines.count, 1, "case \(k): one line, got \(r.stderr)")
      XCTAssertTrue(r.stderr.hasPrefix("bayesflow: \(path): \(expected)"), "case \(k): got \(r.stderr), expected prefix \(expected)")
      XCTAssertFalse(FileManager.default.fileExists(atPath: out), "case \(k): nothing written")
    }
  }

  func testBadSetOverrideAndMissingFile() throws {
    let path = write("ok.json", Self.base)
    assertUsageError(try CLI.run(["fit", path, "--set", "training.batch_size"]), "--set: expected key.path=value, got \"training.batch_size\"")
    let r = try CLI.run(["fit", path, "--set", "training.batch_size=-1", "--out", dir + "/x"])
    assertUsageError(r, "\(path): training.batch_size: expected an integer ≥ 2, got -1")
    assertUsageError(try CLI.run(["fit", dir + "/missing.json"]), "\(dir)/missing.json: no such file")
  }
}
