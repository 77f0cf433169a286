import XCTest
import Foundation

/// `bayesflow predict`: posterior predictive quantiles of one observation, on a tiny `secird`
/// model and the bundled Germany observation (Configs/data/germany_2020.csv).
final class PredictCommandTests: CLITestCase {
  static var checkpoint = ""
  static var modelDir = ""
  static var germany: String { CLI.root + "/Configs/data/germany_2020.csv" }

  override class func setUp() {
    modelDir = NSTemporaryDirectory() + "bf-cli-predict-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
    let config = modelDir + "/secird.json"
    try? """
      {"simulator": {"name": "secird"},
       "summary_network": {"type": "streams",
         "network": {"type": "time_series", "filters": 4, "kernel_sizes": [3], "conv_blocks": 1, "block_channels": 0,
                     "units": 8, "summary_dim": 4},
         "streams": {"confirmed": {"channels": [0]}, "recovered": {"channels": [1]}, "deceased": {"channels": [2]}}},
       "inference_network": {"depth": 2, "subnet": {"widths": [16]}},
       "training": {"mode": "online", "epochs": 1, "batches_per_epoch": 10, "batch_size": 16, "validation_simulations": 50},
       "adapter": {"observation_transform": "log1p", "pilot_simulations": 200}}
      """.write(toFile: config, atomically: true, encoding: .utf8)
    _ = try? CLI.run(["fit", config, "--out", modelDir, "--quiet"])
    checkpoint = modelDir + "/checkpoint.h5"
  }

  override class func tearDown() { try? FileManager.default.removeItem(atPath: modelDir) }

  func testGermanyQuantilesNextToTheData() throws {
    let r = try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--samples", "200", "--seed", "5"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "row,channel,observed,q0.025,q0.25,q0.5,q0.75,q0.975")
    XCTAssertEqual(lines.count, 1 + 81 * 3)
    let data = try String(contentsOfFile: Self.germany, encoding: .utf8).split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",").map { Double($0)! } }
    for (i, line) in lines.dropFirst().enumerated() {
      let f = line.split(separator: ",").map(String.init)
      XCTAssertEqual(f.count, 8)
      XCTAssertEqual(Int(f[0]), i / 3)
      XCTAssertEqual(f[1], ["confirmed", "recovered", "deceased"][i % 3])
      XCTAssertEqual(Double(f[2]), data[i / 3][i % 3], "observed value of line \(i + 2)")
      let q = f[3...].map { Double($0)! }
      XCTAssertEqual(q, q.sorted(), "quantiles increase along the levels (line \(i + 2))")
      XCTAssertGreaterThanOrEqual(q[0], 0, "the simulator's counts are ≥ 0")
    }
    XCTAssertTrue(r.stderr.contains("predict: 200 posterior draws, 200 simulations used"), r.stderr)
    // The fractions on stderr are those of the CSV: observed values inside [q0.25, q0.75] and [q0.025, q0.975].
    for (c, name) in ["confirmed", "recovered", "deceased"].enumerated() {
      let rows = lines.dropFirst().enumerated().filter { $0.offset % 3 == c }.map { $0.element.split(separator: ",").map(String.init) }
      func inside(_ lo: Int, _ hi: Int) -> Double {
        Double(rows.filter { Double($0[lo])! <= Double($0[2])! && Double($0[2])! <= Double($0[hi])! }.count) / Double(rows.count)
      }
      let expected = String(format: "  %@: observed inside 50%% band %.3f, 95%% band %.3f", name, inside(4, 6), inside(3, 7))
      XCTAssertTrue(r.stderr.contains(expected), "expected \(expected) in \(r.stderr)")
    }
    // Same seed, same output; another seed, other quantiles.
    XCTAssertEqual(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--samples", "200",
                                "--seed", "5", "--threads", "1"]).stdout, r.stdout)
    XCTAssertNotEqual(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--samples", "200",
                                   "--seed", "6"]).stdout, r.stdout)
  }

  func testLevelsAndOutputFile() throws {
    let out = dir + "/q.csv"
    let r = try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--samples", "50",
                         "--levels", "0.1,0.9", "--out", out])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "")
    let text = try String(contentsOfFile: out, encoding: .utf8)
    XCTAssertTrue(text.hasPrefix("row,channel,observed,q0.1,q0.9\n"), text)
    XCTAssertFalse(r.stderr.contains("band"), "no 50%/95% bands without their quantiles: \(r.stderr)")
  }

  func testInputErrors() throws {
    let missing = dir + "/none/checkpoint.h5"
    assertUsageError(try CLI.run(["predict", "--checkpoint", missing, "--observation", Self.germany]),
                     "\(missing): no such checkpoint file")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--levels", "0.9,0.1"]),
                     "--levels must be increasing, got 0.9,0.1")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--levels", "0.5,x"]),
                     "--levels must be comma-separated numbers in (0, 1), got 0.5,x")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--threads", "0"]),
                     "--threads must be at least 1, got 0")
    let nowhere = dir + "/no/such/dir/q.csv"
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--out", nowhere]),
                     "\(nowhere): cannot write --out: no such directory \(dir)/no/such/dir")
    let row = "[" + Array(repeating: "[1, 2, 3]", count: 81).joined(separator: ", ") + "]"
    let two = write("two.json", "{\"observations\": [\(row), \(row)]}")
    let out = dir + "/never.csv"
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", two, "--out", out]),
                     "\(two): 2 observations given; predict takes one")
    XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written on an error")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--levels", "0.5,1"]),
                     "--levels must be comma-separated numbers in (0, 1), got 0.5,1")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--samples", "0"]),
                     "--samples must be a positive integer, got 0")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", Self.germany, "--out", dir + "/q.txt"]),
                     "--out must end in .csv, got \(dir)/q.txt")
    let short = write("short.csv", "1,2,3\n4,5,6\n")
    assertUsageError(try CLI.run(["predict", "--checkpoint", Self.checkpoint, "--observation", short]),
                     "\(short): 2 rows of 3 values given; expected 81 rows × 3 columns (streams(81×[confirmed,recovered,deceased]))")
  }
}
