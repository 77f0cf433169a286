import XCTest
import Foundation

/// `bayesflow recovery` and `bayesflow pairs` on a tiny stellar_tracks model (derived
/// quantities included).
final class RecoveryCommandTests: CLITestCase {
  static var checkpoint = ""
  static var modelDir = ""

  override class func setUp() {
    modelDir = NSTemporaryDirectory() + "bf-cli-recovery-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
    let config = modelDir + "/st.json"
    try? """
      {"simulator": {"name": "stellar_tracks"}, "inference_network": {"depth": 2, "transform": "spline", "subnet": {"widths": [16, 16]}},
       "training": {"mode": "online", "epochs": 1, "batches_per_epoch": 30, "batch_size": 64, "validation_simulations": 100}}
      """.write(toFile: config, atomically: true, encoding: .utf8)
    _ = try? CLI.run(["fit", config, "--out", modelDir, "--quiet"])
    checkpoint = modelDir + "/checkpoint.h5"
  }

  override class func tearDown() { try? FileManager.default.removeItem(atPath: modelDir) }

  func testRecoveryTableFiguresAndDatasetEquivalence() throws {
    XCTAssertTrue(FileManager.default.fileExists(atPath: Self.checkpoint), "tiny model not trained")
    let svg = dir + "/rec.svg", sbc = dir + "/sbc.svg", csv = dir + "/rec.csv"
    let args = ["recovery", "--checkpoint", Self.checkpoint, "--simulations", "40", "--draws", "30", "--seed", "9", "--threads", "2"]
    let r = try CLI.run(args + ["--derived", "--out", svg, "--sbc-out", sbc, "--table", csv])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n")
    XCTAssertTrue(lines[0].hasPrefix("stellar_tracks: 40 held-out simulations (seed 9) × 30 posterior draws"), r.stdout)
    for name in ["log_age ", "log_mass ", "metallicity ", "A_V ", "mass_current* ", "log_L* ", "log_Teff* ", "log_g* "] {
      XCTAssertEqual(lines.filter { $0.hasPrefix(name) }.count, 1, "row \(name) in\n\(r.stdout)")
    }
    let table = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(table.count, 9)
    XCTAssertEqual(table[0], "quantity,derived,r2,correlation,nrmse,sbc_inside_band,max_ecdf_deviation,chi2_p,calibration_error")
    XCTAssertTrue(table[6].hasPrefix("log_L,true,"))
    for file in [svg, sbc] {
      let text = try String(contentsOfFile: file, encoding: .utf8)
      XCTAssertTrue(text.hasPrefix("<svg class=\"figure\""), file)
      XCTAssertTrue(text.hasSuffix("</svg>\n"), file)
      XCTAssertLessThan(text.utf8.count, 300_000)
    }
    XCTAssertEqual(try String(contentsOfFile: svg, encoding: .utf8).components(separatedBy: "R² ").count - 1, 8)

    // Same seed, same numbers; the same held-out data read from `bayesflow simulate --seed 9`.
    let again = try CLI.run(args + ["--derived"])
    XCTAssertEqual(again.stdout, r.stdout)
    let data = dir + "/held.h5"
    let sim = try CLI.run(["simulate", write("c.json", #"{"simulator": {"name": "stellar_tracks"}}"#), "--count", "40", "--seed", "9", "--out", data])
    XCTAssertEqual(sim.status, 0, sim.stderr)
    let fromFile = try CLI.run(args + ["--derived", "--data", data])
    XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
    XCTAssertEqual(fromFile.stdout.split(separator: "\n").dropFirst(), r.stdout.split(separator: "\n").dropFirst())

    // A subset of quantities, and the errors.
    let sub = try CLI.run(args + ["--derived", "--quantities", "log_g,log_age"])
    XCTAssertEqual(sub.stdout.split(separator: "\n").count, 5, sub.stdout)
    assertUsageError(try CLI.run(args + ["--quantities", "log_L"]),
                     "--quantities: unknown quantity \"log_L\"; expected one of log_age, log_mass, metallicity, A_V")
    assertUsageError(try CLI.run(args + ["--out", dir + "/x.png"]), "--out must end in .svg, got \(dir)/x.png")
    assertUsageError(try CLI.run(args + ["--data", data, "--simulations", "41"]), "\(data): holds 40 simulations, --simulations asks for 41")
    assertUsageError(try CLI.run(args + ["--table", dir + "/t.txt"]), "--table must end in .csv, got \(dir)/t.txt")
    assertUsageError(try CLI.run(args + ["--simulations", "1"]), "--simulations must be at least 2, got 1")
    assertUsageError(try CLI.run(args + ["--interval", "1"]), "--interval must lie in [0, 1), got 1.0")
    assertUsageError(try CLI.run(["recovery", "--checkpoint", dir + "/none.h5"]), "\(dir)/none.h5: no such checkpoint file")
    assertUsageError(try CLI.run(args + ["--sbc-out", dir + "/no/s.svg"]), "\(dir)/no/s.svg: cannot write --sbc-out: no such directory \(dir)/no")

    // A failing command leaves earlier outputs untouched; a successful one replaces them whole,
    // leaving no temporary files behind.
    let before = try String(contentsOfFile: svg, encoding: .utf8)
    assertUsageError(try CLI.run(args + ["--derived", "--quantities", "log_L,nope", "--out", svg]),
                     "--quantities: unknown quantity \"nope\"; expected one of log_age, log_mass, metallicity, A_V, mass_current, log_L, log_Teff, log_g")
    XCTAssertEqual(try String(contentsOfFile: svg, encoding: .utf8), before)
    XCTAssertEqual(try CLI.run(args + ["--quantities", "log_mass", "--out", svg]).status, 0)
    let after = try String(contentsOfFile: svg, encoding: .utf8)
    XCTAssertNotEqual(after, before)
    XCTAssertEqual(after.components(separatedBy: "R² ").count - 1, 1)
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)),
                   ["rec.svg", "sbc.svg", "rec.csv", "c.json", "held.h5"])
  }

  func testPairsFromThetaAndFromFile() throws {
    XCTAssertTrue(FileManager.default.fileExists(atPath: Self.checkpoint), "tiny model not trained")
    let svg = dir + "/pairs.svg"
    let r = try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,0.3", "--samples", "300", "--derived",
                         "--quantities", "log_age,log_mass,log_L", "--out", svg])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n")
    XCTAssertTrue(lines[0].hasPrefix("observation: ["), r.stdout)
    XCTAssertTrue(lines[1].hasSuffix("truth"), r.stdout)
    XCTAssertEqual(lines.count, 10, r.stdout)
    // The solar twin's truth column: log L = 0.047 at 1 M☉, 4.6 Gyr (docs/stellar-grid.md).
    let logL = lines.first { $0.hasPrefix("log_L ") }!.split(separator: " ").last.map { Double($0)! }!
    XCTAssertEqual(logL, 0.047, accuracy: 0.01)
    let text = try String(contentsOfFile: svg, encoding: .utf8)
    XCTAssertTrue(text.contains("data-kind=\"pairs\""))
    XCTAssertLessThan(text.utf8.count, 300_000)
    // The same observation from a file gives the same summary.
    let y = lines[0].dropFirst("observation: ".count)
    let obs = write("y.json", "{\"observation\": \(y)}")
    let f = try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--observation", obs, "--truth", "9.66,0,0,0.3", "--samples", "300", "--derived",
                         "--predictive"])
    XCTAssertEqual(f.status, 0, f.stderr)
    let fl = f.stdout.split(separator: "\n")
    XCTAssertEqual(fl.count, 16, f.stdout)
    XCTAssertEqual(fl[10], "posterior predictive (300 replicates):")
    XCTAssertTrue(fl[12].hasPrefix("y[0] "), f.stdout)
    XCTAssertEqual(Double(fl[12].split(separator: " ")[1])!, Double(String(y.dropFirst().split(separator: ",")[0]))!, accuracy: 1e-3)
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0"]),
                     "--theta: 3 values given; the model has 4 parameters")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,0.3", "--observation", obs]),
                     "give exactly one of --observation and --theta")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,3,0,0.3"]),
                     "--theta: [9.66, 3.0, 0.0, 0.3] lies outside the prior's support")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--observation", obs, "--index", "1"]),
                     "\(obs): holds 1 observation(s); --index 1 asked")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,0.3", "--samples", "1"]),
                     "--samples must be at least 2, got 1")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,x"]),
                     "--theta: expected comma-separated numbers, got \"9.66,0,0,x\"")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,0.3", "--out", dir + "/p.png"]),
                     "--out must end in .svg, got \(dir)/p.png")
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,0.3", "--out", dir + "/no/p.svg"]),
                     "\(dir)/no/p.svg: cannot write --out: no such directory \(dir)/no")
    // Unknown panels fail before anything is written; the earlier figure stays as it was.
    assertUsageError(try CLI.run(["pairs", "--checkpoint", Self.checkpoint, "--theta", "9.66,0,0,0.3", "--quantities", "log_age,age", "--out", svg]),
                     "--quantities: unknown quantity \"age\"; expected one of log_age, log_mass, metallicity, A_V, mass_current, log_L, log_Teff, log_g")
    XCTAssertEqual(try String(contentsOfFile: svg, encoding: .utf8), text)
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["pairs.svg", "y.json"])
  }
}
