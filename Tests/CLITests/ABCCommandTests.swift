import XCTest
import Foundation
import BayesFlow

/// `bayesflow abc` and `bayesflow validate` through the command line: output formats,
/// reproducibility, and one-line errors for bad inputs.
final class ABCCommandTests: CLITestCase {
  /// Two small trained inverse-kinematics models shared by the validate tests: noise-free (a
  /// deterministic forward model) and with observation noise.
  static var checkpoint = ""
  static var noisyCheckpoint = ""
  static var modelDir = ""

  override class func setUp() {
    modelDir = NSTemporaryDirectory() + "bf-cli-abc-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
    for (name, options) in [("ik", "{}"), ("noisy", #"{"noise": 0.05}"#)] {
      let config = modelDir + "/\(name).json"
      try? """
        {"simulator": {"name": "inverse_kinematics", "options": \(options)},
         "inference_network": {"depth": 2, "subnet": {"widths": [32, 32]}},
         "training": {"mode": "online", "epochs": 1, "batches_per_epoch": 100, "batch_size": 128, "validation_simulations": 200}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
      _ = try? CLI.run(["fit", config, "--out", modelDir + "/" + name, "--quiet"])
    }
    checkpoint = modelDir + "/ik/checkpoint.h5"
    noisyCheckpoint = modelDir + "/noisy/checkpoint.h5"
  }

  override class func tearDown() { try? FileManager.default.removeItem(atPath: modelDir) }

  var gaussianConfig: String { write("gl.json", #"{"simulator": {"name": "gaussian_linear", "options": {"dimension": 2}}}"#) }

  /// CSV with a header of parameter names and K rows, the same for any thread count; the
  /// tolerance, acceptance rate and simulations/s on stderr; HDF5 /samples [1, K, P].
  func testABCOutputIsReproducible() throws {
    let config = gaussianConfig
    let obs = write("y.json", #"{"observation": [0.3, -0.2]}"#)
    let args = ["abc", config, "--observation", obs, "--budget", "20000", "--keep", "100", "--seed", "5"]
    let one = try CLI.run(args + ["--threads", "1"])
    XCTAssertEqual(one.status, 0, one.stderr)
    let lines = one.stdout.split(separator: "\n")
    XCTAssertEqual(lines.first, "theta1,theta2")
    XCTAssertEqual(lines.count, 101)
    XCTAssertEqual(lines[1].split(separator: ",").count, 2)
    for expected in ["abc: 20000 simulations", "simulations/s", "tolerance ", "(K-th)", "((K+1)-th)", "acceptance rate 0.005"] {
      XCTAssertTrue(one.stderr.contains(expected), "\(expected) in \(one.stderr)")
    }
    XCTAssertEqual(try CLI.run(args + ["--threads", "2"]).stdout, one.stdout)
    XCTAssertNotEqual(try CLI.run(args.dropLast() + ["6"]).stdout, one.stdout)
    let raw = try CLI.run(args + ["--distance", "raw"])
    XCTAssertEqual(raw.status, 0, raw.stderr)
    XCTAssertTrue(raw.stderr.contains("distance scale (per component): 1, 1"), raw.stderr)

    let h5 = dir + "/abc.h5"
    XCTAssertEqual(try CLI.run(args + ["--out", h5]).status, 0)
    let inspect = try CLI.run(["inspect", h5]).stdout
    XCTAssertTrue(inspect.contains("samples  float64 [1, 100, 2]"), inspect)
    XCTAssertTrue(inspect.contains("distances  float64 [1, 100]"), inspect)
    let csv = dir + "/abc.csv"
    XCTAssertEqual(try CLI.run(args + ["--out", csv]).status, 0)
    XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8), one.stdout)

    let many = write("many.csv", "y1,y2\n0.1,-0.2\n-0.3,0.0\n")
    let m = try CLI.run(["abc", config, "--observation", many, "--budget", "5000", "--keep", "10"])
    XCTAssertEqual(m.status, 0, m.stderr)
    let manyLines = m.stdout.split(separator: "\n")
    XCTAssertEqual(manyLines.first, "observation,theta1,theta2")
    XCTAssertEqual(manyLines.count, 21)
    XCTAssertTrue(manyLines.last!.hasPrefix("1,"))
    XCTAssertTrue(m.stderr.contains("observation 1: tolerance"), m.stderr)
  }

  func testABCBadInputsAreOneLineErrors() throws {
    let config = gaussianConfig
    let obs = write("y.json", "[0, 0]")
    let cases: [([String], String)] = [
      (["--observation", dir + "/none.json", "--budget", "100", "--keep", "10"], "\(dir)/none.json: no such file"),
      (["--observation", write("long.json", "[1, 2, 3]"), "--budget", "100", "--keep", "10"],
       "\(dir)/long.json: 3 values given; expected 2 values (vector(2))"),
      (["--observation", obs, "--budget", "100", "--keep", "101"], "--keep (101) must not exceed --budget (100)"),
      (["--observation", obs, "--budget", "0", "--keep", "10"], "--budget must be a positive integer, got 0"),
      (["--observation", obs, "--budget=-5", "--keep", "10"], "--budget must be a positive integer, got -5"),
      (["--observation", obs, "--budget", "100", "--keep", "0"], "--keep must be a positive integer, got 0"),
      (["--observation", obs, "--budget", "100", "--keep", "10", "--threads", "0"], "--threads must be at least 1, got 0"),
      (["--observation", obs, "--budget", "100", "--keep", "10", "--out", dir + "/x.txt"], "--out must end in .csv or .h5, got \(dir)/x.txt"),
      (["--observation", obs, "--budget", "100", "--keep", "10", "--distance", "manhattan"],
       "The value 'manhattan' is invalid for '--distance <kind>'. Please provide one of 'standardized' and 'raw'."),
    ]
    for (args, expected) in cases {
      let out = dir + "/out.csv"
      assertUsageError(try CLI.run(["abc", config] + args + (args.contains("--out") ? [] : ["--out", out])), expected)
      XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written for \(args)")
    }
    assertUsageError(try CLI.run(["abc", dir + "/missing.json", "--observation", obs, "--budget", "10", "--keep", "1"]),
                     "\(dir)/missing.json: no such file")
  }

  /// validate on prior-predictive observations: one table row per observation and the mean,
  /// the re-simulation error of both (kinematics is deterministic), and JSON with the same rows.
  func testValidateTableAndJSON() throws {
    let json = dir + "/v.json"
    let r = try CLI.run(["validate", "--checkpoint", Self.checkpoint, "--abc-budget", "20000", "--observations", "2",
                         "--keep", "200", "--draws", "300", "--json", json, "--distance", "raw"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines[0].hasPrefix("cINN (300 draws) vs rejection ABC (N = 20000, K = 200, distance raw)"), lines[0])
    for column in ["MMD²", "floor", "C2ST", "resim cINN", "resim ABC", "ε_K", "cINN s", "ABC s"] {
      XCTAssertTrue(lines[1].contains(column), "\(column) in \(lines[1])")
    }
    XCTAssertTrue(lines[2].hasPrefix("    0  ("), lines[2])
    XCTAssertTrue(lines[3].hasPrefix("    1  ("), lines[3])
    XCTAssertTrue(lines[4].hasPrefix(" mean"), lines[4])
    XCTAssertFalse(r.stdout.contains("n/a"), r.stdout)
    XCTAssertTrue(r.stdout.contains("note: ABC time per observation is the shared pass"), r.stdout)

    let text = try String(contentsOfFile: json, encoding: .utf8)
    let report = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    let rows = report["observations"] as! [[String: Any]]
    XCTAssertEqual(rows.count, 2)
    for row in rows {
      XCTAssertEqual((row["theta"] as! [Double]).count, 4)
      XCTAssertEqual((row["observation"] as! [Double]).count, 2)
      let c2st = row["c2st"] as! Double
      XCTAssertTrue(c2st >= 0 && c2st <= 1)
      XCTAssertGreaterThan(row["mmd2"] as! Double, 0)
      XCTAssertGreaterThan(row["resimulation_error_abc"] as! Double, 0)
      XCTAssertLessThanOrEqual(row["resimulation_error_abc"] as! Double, row["tolerance"] as! Double, "every ABC draw lies within ε_K")
    }
    let abc = report["abc"] as! [String: Any]
    XCTAssertEqual(abc["budget"] as? Int, 20000)
    XCTAssertEqual(abc["distance"] as? String, "raw")
    XCTAssertNotNil((report["mean"] as! [String: Any])["mmd2"] as? Double)
  }

  /// A given observation file; a simulator with observation noise skips the re-simulation error
  /// with a note; --no-c2st skips the C2ST.
  func testValidateGivenObservationAndNoisySimulator() throws {
    let obs = write("ystar.json", #"{"observation": [1.5, 0]}"#)
    let r = try CLI.run(["validate", "--checkpoint", Self.noisyCheckpoint, "--abc-budget", "10000", "--observation", obs,
                         "--keep", "100", "--draws", "100", "--no-c2st"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines[2].hasPrefix("    0  (1.5, 0)"), lines[2])
    XCTAssertEqual(lines.filter { $0.hasPrefix(" mean") }.count, 0, "no mean row for one observation")
    XCTAssertTrue(r.stdout.contains("note: re-simulation error skipped: simulator inverse_kinematics is not a deterministic forward model"), r.stdout)
    XCTAssertTrue(r.stdout.contains("note: C2ST skipped"), r.stdout)
  }

  /// validate's draws are those of `abc` (same seed, budget and distance) and of `sample` with
  /// the reported cinn_seed: MMD² of the two CSV files is the reported mmd2.
  func testValidateDrawsAreThoseOfABCAndSample() throws {
    let obs = write("ystar.json", "[1.5, 0]")
    let json = dir + "/v.json"
    let v = try CLI.run(["validate", "--checkpoint", Self.checkpoint, "--abc-budget", "20000", "--observation", obs,
                         "--keep", "200", "--draws", "300", "--seed", "3", "--distance", "raw", "--no-c2st", "--json", json])
    XCTAssertEqual(v.status, 0, v.stderr)
    let text = try String(contentsOfFile: json, encoding: .utf8)
    let row = ((try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any])["observations"] as! [[String: Any]])[0]
    let seed = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("\"cinn_seed\"") }?
      .split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: " ,")))
    let abc = try CLI.run(["abc", write("ik.json", #"{"simulator": {"name": "inverse_kinematics"}}"#), "--observation", obs,
                           "--budget", "20000", "--keep", "200", "--seed", "3", "--distance", "raw"])
    let cinn = try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", obs, "--samples", "300", "--seed", seed])
    XCTAssertEqual(abc.status, 0, abc.stderr)
    XCTAssertEqual(cinn.status, 0, cinn.stderr)
    func values(_ csv: String) -> [Double] {
      csv.split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",").map { Double($0)! } }
    }
    let mmd2 = maximumMeanDiscrepancySquared(values(cinn.stdout), values(abc.stdout), dimension: 4)
    XCTAssertEqual(mmd2, row["mmd2"] as! Double, accuracy: 1e-12 * mmd2)
  }

  func testValidateBadInputsAreOneLineErrors() throws {
    let ck = Self.checkpoint
    let obs = write("y.json", "[1.5, 0]")
    let cases: [([String], String)] = [
      (["--abc-budget", "100"], "give --observations K (prior-predictive) or --observation FILE"),
      (["--abc-budget", "100", "--observations", "2", "--observation", obs], "--observations and --observation exclude each other"),
      (["--abc-budget", "100", "--observations", "0"], "--observations must be a positive integer, got 0"),
      (["--abc-budget", "0", "--observations", "2"], "--abc-budget must be a positive integer, got 0"),
      (["--abc-budget", "100", "--observations", "2"], "--keep (4000) must not exceed --abc-budget (100)"),
      (["--abc-budget", "100", "--observations", "2", "--keep", "10", "--draws", "0"], "--draws must be a positive integer, got 0"),
      (["--abc-budget", "100", "--observations", "2", "--keep", "3"], "--keep and --draws must be at least 5 for the C2ST (5 folds); or pass --no-c2st"),
      (["--abc-budget", "100", "--observations", "2", "--keep", "10", "--json", dir + "/v.txt"], "--json must name a .json file, got \(dir)/v.txt"),
      (["--abc-budget", "100", "--observation", write("long.json", "[1, 2, 3]"), "--keep", "10"],
       "\(dir)/long.json: 3 values given; expected 2 values (vector(2))"),
      (["--abc-budget", "100", "--observation", dir + "/none.json", "--keep", "10"], "\(dir)/none.json: no such file"),
    ]
    for (args, expected) in cases {
      assertUsageError(try CLI.run(["validate", "--checkpoint", ck] + args), expected)
    }
    assertUsageError(try CLI.run(["validate", "--checkpoint", dir + "/nope.h5", "--abc-budget", "100", "--observations", "1", "--keep", "10"]),
                     "\(dir)/nope.h5: no such checkpoint file")
  }
}
