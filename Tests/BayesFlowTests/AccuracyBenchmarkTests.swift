import XCTest
import Foundation
import BayesFlow
import Simulators
import Tensors

/// The accuracy check's code path (`bayesflow bench --case accuracy`, docs/accuracy.md) on a
/// tiny budget: train offline, draw, C2ST against exact draws, the exact-vs-exact floor, SBC,
/// and the JSON/Markdown reports.
final class AccuracyBenchmarkTests: XCTestCase {
  var dir = ""
  override func setUp() { dir = NSTemporaryDirectory() + "bf-accuracy-\(UUID().uuidString)" }
  override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

  /// A small gaussian_linear config (the budget is set by the check).
  func writeConfig() throws -> String {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/gaussian_linear.json"
    try Data("""
      {"simulator": {"name": "gaussian_linear"},
       "inference_network": {"depth": 2, "subnet": {"widths": [32, 32]}},
       "training": {"mode": "offline", "simulation_budget": 100, "epochs": 6, "batch_size": 128,
                    "learning_rate": 0.002, "validation_simulations": 200, "seed": 3}}
      """.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  func options(budget: Int) -> AccuracyOptions {
    var o = AccuracyOptions()
    o.budgets = [budget]
    o.observations = 1
    o.draws = 2000
    o.testSimulations = 1000
    o.sbcSimulations = 40
    o.sbcDraws = 100
    o.directory = dir + "/runs"
    return o
  }

  /// 2,000 simulations, one observation, 2,000 vs 2,000 draws: the model's C2ST lies in
  /// [0.5, 1] (up to noise), and exact vs exact is 0.5 within 4 binomial sd of the held-out
  /// accuracy under H₀, √(0.25/4000) ≈ 0.008.
  func testC2STPathOnATinyBudget() throws {
    let path = try writeConfig()
    let bench = AccuracyBenchmark(options: options(budget: 2000), registry: BuiltinSimulators.registry,
                                  progress: ProgressReporter(quiet: true))
    bench.log = { _ in }
    let task = AccuracyTask(name: "gaussian_linear", configPath: path,
                            exactPosterior: BenchmarkTasks.exactPosterior(for: GaussianLinear()))
    let results = try bench.run(tasks: [task])
    XCTAssertEqual(results.count, 1)
    let r = try XCTUnwrap(results.first)
    XCTAssertEqual(r.kind, "c2st")
    XCTAssertEqual(r.budget, 2000)
    XCTAssertEqual(r.epochs, 6)
    let c2st = try XCTUnwrap(r.c2stMean), floor = try XCTUnwrap(r.floorMean)
    let sd = (0.25 / 4000.0).squareRoot()
    XCTAssertGreaterThanOrEqual(c2st, 0.5 - 4 * sd, "model vs exact C2ST \(c2st)")
    XCTAssertLessThanOrEqual(c2st, 1)
    XCTAssertEqual(floor, 0.5, accuracy: 4 * sd, "exact vs exact C2ST \(floor)")
    XCTAssertGreaterThan(c2st, floor, "a model trained on 2,000 simulations is distinguishable from the exact posterior")
    XCTAssertTrue(r.testNLL?.isFinite ?? false)
    XCTAssertTrue(r.command.contains("--set training.simulation_budget=2000"), r.command)

    // Reports: the JSON round-trips, the Markdown has the C2ST row and the floor row.
    let (jsonPath, mdPath) = try bench.writeReports(results)
    let decoded = try JSONDecoder().decode([AccuracyResult].self, from: Data(contentsOf: URL(fileURLWithPath: jsonPath)))
    XCTAssertEqual(decoded.first?.c2st, r.c2st)
    let md = try String(contentsOfFile: mdPath, encoding: .utf8)
    XCTAssertTrue(md.contains("| gaussian_linear | 2000 |"), md)
    XCTAssertTrue(md.contains("exact vs exact"), md)
  }

  /// Without an exact sampler the check runs SBC: one verdict and contraction per parameter.
  func testSBCPathOnATinyBudget() throws {
    let path = try writeConfig()
    let bench = AccuracyBenchmark(options: options(budget: 1000), registry: BuiltinSimulators.registry,
                                  progress: ProgressReporter(quiet: true))
    bench.log = { _ in }
    let r = try XCTUnwrap(bench.run(tasks: [AccuracyTask(name: "gaussian_linear", configPath: path, exactPosterior: nil)]).first)
    XCTAssertEqual(r.kind, "sbc")
    let c = try XCTUnwrap(r.calibration)
    XCTAssertEqual(c.map(\.name), GaussianLinear().parameterNames)
    for p in c {
      XCTAssertTrue((0...1).contains(p.maxECDFDeviation), "\(p.name): \(p.maxECDFDeviation)")
      XCTAssertLessThan(p.contraction, 1)
    }
  }
}
