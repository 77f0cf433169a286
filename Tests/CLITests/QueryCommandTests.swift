import XCTest
import Foundation
import BayesFlow

/// simulate, inspect, sample and logprob through the command line, with their error messages.
final class QueryCommandTests: CLITestCase {
  /// One small trained two_moons model shared by the tests of this class.
  static var checkpoint: String = ""
  static var modelDir = ""

  override class func setUp() {
    modelDir = NSTemporaryDirectory() + "bf-cli-model-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
    let config = modelDir + "/tm.json"
    try? """
      {"simulator": {"name": "two_moons"}, "inference_network": {"depth": 2, "subnet": {"widths": [32, 32]}},
       "training": {"mode": "online", "epochs": 2, "batches_per_epoch": 100, "batch_size": 128, "validation_simulations": 200}}
      """.write(toFile: config, atomically: true, encoding: .utf8)
    _ = try? CLI.run(["fit", config, "--out", modelDir, "--quiet"])
    checkpoint = modelDir + "/checkpoint.h5"
  }

  override class func tearDown() { try? FileManager.default.removeItem(atPath: modelDir) }

  func testSimulateAndInspect() throws {
    let config = write("tm.json", #"{"simulator": {"name": "two_moons"}}"#)
    let out = dir + "/tm.h5"
    let r = try CLI.run(["simulate", config, "--count", "5000", "--out", out, "--seed", "4"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stderr.contains("wrote 5000 simulations"), r.stderr)
    let inspect = try CLI.run(["inspect", out])
    XCTAssertTrue(inspect.stdout.contains("simulator: two_moons"), inspect.stdout)
    XCTAssertTrue(inspect.stdout.contains("parameters  float64 [5000, 2]"), inspect.stdout)
    let model = try CLI.run(["inspect", Self.checkpoint])
    XCTAssertTrue(model.stdout.contains("weights/"), model.stdout)
    assertUsageError(try CLI.run(["simulate", config, "--count", "10", "--out", dir + "/x.txt"]), "--out must name an .h5 file, got \(dir)/x.txt")
    assertUsageError(try CLI.run(["inspect", config]), "\(config): not an HDF5 file")
  }

  func testSampleCSVIsReproducibleAndHasAHeader() throws {
    let obs = write("y.json", #"{"observation": [0.1, -0.2]}"#)
    let a = try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", obs, "--samples", "50", "--seed", "3"])
    XCTAssertEqual(a.status, 0, a.stderr)
    let lines = a.stdout.split(separator: "\n")
    XCTAssertEqual(lines.first, "theta1,theta2")
    XCTAssertEqual(lines.count, 51)
    XCTAssertEqual(try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", obs, "--samples", "50", "--seed", "3"]).stdout, a.stdout)
    XCTAssertNotEqual(try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", obs, "--samples", "50", "--seed", "4"]).stdout, a.stdout)
    // Every draw lies in the prior's support (−1, 1)².
    for line in lines.dropFirst() {
      for v in line.split(separator: ",").map({ Double($0)! }) { XCTAssertLessThan(abs(v), 1) }
    }
  }

  func testManyObservationsAndSummary() throws {
    let csv = write("many.csv", "y1,y2\n0.1,-0.2\n-0.3,0.0\n0.0,0.25\n")
    let r = try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", csv, "--samples", "20"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n")
    XCTAssertEqual(lines.first, "observation,theta1,theta2")
    XCTAssertEqual(lines.count, 61)
    XCTAssertTrue(lines.last!.hasPrefix("2,"))
    let s = try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", csv, "--samples", "500", "--summary"])
    XCTAssertTrue(s.stdout.contains("observation 2"), s.stdout)
    XCTAssertTrue(s.stdout.contains("95% HDI"), s.stdout)
    let h5 = dir + "/draws.h5"
    XCTAssertEqual(try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", csv, "--samples", "30", "--out", h5]).status, 0)
    XCTAssertTrue(try CLI.run(["inspect", h5]).stdout.contains("samples  float64 [3, 30, 2]"))
  }

  func testLogProb() throws {
    let obs = write("y.json", "[0.1, -0.2]")
    let params = write("theta.csv", "theta2,theta1\n0.1,0.2\n0.3,-0.4\n2.0,0.0\n")
    let r = try CLI.run(["logprob", "--checkpoint", Self.checkpoint, "--observation", obs, "--parameters", params])
    XCTAssertEqual(r.status, 0, r.stderr)
    let values = r.stdout.split(separator: "\n").map { Double($0)! }
    XCTAssertEqual(values.count, 3)
    XCTAssertTrue(values[0].isFinite && values[1].isFinite)
    XCTAssertEqual(values[2], -.infinity, "outside the prior's support")
  }

  func testBadInputsAreOneLineErrors() throws {
    let ck = Self.checkpoint
    let cases: [([String], String)] = [
      (["--observation", write("long.json", "[1, 2, 3]")], "\(dir)/long.json: 3 values given; expected 2 values (vector(2))"),
      (["--observation", write("nan.json", #"[1, "nan"]"#)], "\(dir)/nan.json: value 2 is nan; observations must be finite numbers"),
      (["--observation", write("inf.csv", "1,inf\n")], "\(dir)/inf.csv: value 2 is inf; observations must be finite numbers"),
      (["--observation", dir + "/none.json"], "\(dir)/none.json: no such file"),
      (["--observation", write("bad.json", "[1, 2")], "\(dir)/bad.json: invalid JSON at line 1, column 6: unterminated array"),
      (["--observation", write("y.txt.xml", "1")], "\(dir)/y.txt.xml: unknown observation format (expected .json, .csv or .h5)"),
    ]
    for (args, expected) in cases {
      assertUsageError(try CLI.run(["sample", "--checkpoint", ck] + args), expected)
    }
    let obs = write("ok.json", "[0, 0]")
    assertUsageError(try CLI.run(["sample", "--checkpoint", dir + "/nope.h5", "--observation", obs]), "\(dir)/nope.h5: no such checkpoint file")
    let notCheckpoint = dir + "/data.h5"
    _ = try CLI.run(["simulate", write("c.json", #"{"simulator": {"name": "two_moons"}}"#), "--count", "10", "--out", notCheckpoint])
    assertUsageError(try CLI.run(["sample", "--checkpoint", notCheckpoint, "--observation", obs]),
                     "\(notCheckpoint): not a checkpoint (no /weights or /config; is it a dataset?)")
    assertUsageError(try CLI.run(["sample", "--checkpoint", ck, "--observation", obs, "--samples", "0"]), "--samples must be a positive integer, got 0")
    assertUsageError(try CLI.run(["logprob", "--checkpoint", ck, "--observation", obs, "--parameters", write("p.csv", "1,2,3\n")]),
                     "\(dir)/p.csv: line 1: 3 values, expected 2 (theta1, theta2)")
  }

  /// A checkpoint of another format version is refused with the versions named.
  func testOtherFormatVersionIsRefused() throws {
    let copy = dir + "/old.h5"
    try FileManager.default.copyItem(atPath: Self.checkpoint, toPath: copy)
    do {
      let f = try HDF5File.openForWriting(copy)
      try f.setVersion(99)
    }
    assertUsageError(try CLI.run(["sample", "--checkpoint", copy, "--observation", write("o.json", "[0, 0]")]),
                     "\(copy): checkpoint format version 99; this bayesflow reads version 1")
  }
}

import HDF5

/// Rewrites the root `format_version` attribute of a file.
enum HDF5File {
  static func openForWriting(_ path: String) throws -> H5File { try H5File.open(at: path, mode: .readWrite) }
}

extension H5File {
  func setVersion(_ v: Int64) throws { try setAttribute("format_version", to: v) }
}
