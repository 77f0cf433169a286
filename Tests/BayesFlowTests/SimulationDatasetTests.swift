import XCTest
import Foundation
import BayesFlow
import Simulators
import Tensors

final class SimulationDatasetTests: XCTestCase {
  var dir: String = ""
  override func setUp() {
    dir = NSTemporaryDirectory() + "bf-ds-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }
  override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

  func testWriteReadRoundTripInChunks() throws {
    let path = dir + "/tm.h5"
    let engine = SimulationEngine(simulator: TwoMoons(), seed: 5, threads: 2)
    let written = try SimulationDataset.write(to: path, engine: engine, count: 2500, chunk: 1000)
    XCTAssertEqual(written, 2500)
    let reader = try SimulationDatasetReader(path: path)
    XCTAssertEqual(reader.count, 2500)
    XCTAssertEqual(reader.parameterNames, ["theta1", "theta2"])
    XCTAssertEqual(reader.simulatorName, "two_moons")
    let direct = try SimulationEngine(simulator: TwoMoons(), seed: 5, threads: 1).simulate(0..<2500)
    let all = try reader.read(0..<2500)
    XCTAssertEqual(all.parameters, direct.parameters)
    XCTAssertEqual(all.observations, direct.observations)
    // A shuffled epoch visits every simulation exactly once.
    var rng = RandomStream(seed: 1)
    var seen: [Int] = []
    try reader.shuffledBatches(batchSize: 256, rng: &rng) { b in
      XCTAssertLessThanOrEqual(b.count, 256)
      seen += b.indices
      for k in 0..<b.count { XCTAssertEqual(Array(b.theta(k)), Array(direct.theta(b.indices[k]))) }
    }
    XCTAssertEqual(seen.sorted(), Array(0..<2500))
    XCTAssertNotEqual(seen, Array(0..<2500))
  }

  /// The file opens in the HDF5 command-line tools with the documented names and attributes.
  func testReadableByH5dump() throws {
    guard let h5dump = ["/usr/bin/h5dump", "/usr/local/bin/h5dump"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw XCTSkip("h5dump not installed (make deps installs hdf5-tools)")
    }
    let path = dir + "/gl.h5"
    try SimulationDataset.write(to: path, engine: SimulationEngine(simulator: GaussianLinear(), seed: 1), count: 100)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: h5dump)
    p.arguments = ["-H", "-A", path]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    for needle in ["DATASET \"parameters\"", "DATASET \"observations\"", "SIMPLE { ( 100, 10 )", "H5T_IEEE_F64LE", "H5T_IEEE_F32LE",
                   "ATTRIBUTE \"parameter_names\"", "ATTRIBUTE \"simulator\"", "ATTRIBUTE \"format_version\"", "ATTRIBUTE \"seed\""] {
      XCTAssertTrue(out.contains(needle), "h5dump output lacks \(needle)")
    }
  }

  func testFailedRunLeavesNoFile() throws {
    let path = dir + "/bad.h5"
    XCTAssertThrowsError(try SimulationDataset.write(to: path, engine: SimulationEngine(simulator: FlakySimulator(), seed: 1), count: 500, chunk: 100))
    XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
  }
}
