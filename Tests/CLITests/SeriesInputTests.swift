import XCTest
import Foundation

/// Observation files for a time-series model: rows × channels, variable length, limits.
final class SeriesInputTests: CLITestCase {
  static var modelDir = ""
  static var checkpoint: String { modelDir + "/checkpoint.h5" }

  override class func setUp() {
    modelDir = NSTemporaryDirectory() + "bf-cli-series-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
    let config = modelDir + "/decay.json"
    try? """
      {"simulator": {"name": "exponential_decay", "options": {"min_length": 5, "max_length": 30}},
       "summary_network": {"type": "time_series", "filters": 4, "kernel_sizes": [1, 3], "conv_blocks": 1,
                           "block_channels": 4, "units": 8, "summary_dim": 4},
       "inference_network": {"depth": 2, "subnet": {"widths": [16, 16]}},
       "training": {"mode": "online", "epochs": 1, "batches_per_epoch": 20, "batch_size": 32, "validation_simulations": 50}}
      """.write(toFile: config, atomically: true, encoding: .utf8)
    _ = try? CLI.run(["fit", config, "--out", modelDir, "--quiet"])
  }

  override class func tearDown() { try? FileManager.default.removeItem(atPath: modelDir) }

  func testSeriesOfAnyValidLengthInEveryFormat() throws {
    let json = write("y.json", #"{"observation": [[1.0], [0.9], [0.8], [0.7], [0.6], [0.55]]}"#)
    let flat = write("flat.json", "[1.0, 0.9, 0.8, 0.7, 0.6, 0.55, 0.5]")
    let csv = write("y.csv", "y\n1.0\n0.9\n0.8\n0.7\n0.6\n")
    for file in [json, flat, csv] {
      let r = try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", file, "--samples", "10"])
      XCTAssertEqual(r.status, 0, "\(file): \(r.stderr)")
      XCTAssertEqual(r.stdout.split(separator: "\n").first, "k")
    }
  }

  func testTooLongSeriesAndWrongChannelsAreErrors() throws {
    let long = write("long.csv", (0..<31).map { "\(Double($0) / 31)" }.joined(separator: "\n"))
    assertUsageError(try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", long]),
                     "\(dir)/long.csv: series of 31 steps; the model supports 1 to 30 steps of 1 channel")
    let wide = write("wide.csv", "1,2\n3,4\n")
    assertUsageError(try CLI.run(["sample", "--checkpoint", Self.checkpoint, "--observation", wide]),
                     "\(dir)/wide.csv: row 1 has 2 values; expected up to 30 rows × 1 column (series(≤30×1))")
  }
}
