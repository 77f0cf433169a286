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

    // Reports: the JSON round-trips; the Markdown has the budget section, the C2ST row, the floor column and the command.
    let (jsonPath, mdPath) = try bench.writeReports(results)
    let decoded = try JSONDecoder().decode([AccuracyResult].self, from: Data(contentsOf: URL(fileURLWithPath: jsonPath)))
    XCTAssertEqual(decoded.first?.c2st, r.c2st)
    let md = try String(contentsOfFile: mdPath, encoding: .utf8)
    XCTAssertTrue(md.contains("### 2000 simulations"), md)
    XCTAssertTrue(md.contains("| gaussian_linear | " + String(format: "%.3f", c2st) + " | "), md)
    XCTAssertTrue(md.contains("exact vs exact"), md)
    XCTAssertTrue(md.contains("`" + r.command + "`"), md)
  }

  /// Without an exact sampler the check runs SBC: one verdict and contraction per parameter.
  /// A budget-specific override (here 2 epochs instead of the config's 6) applies at its budget
  /// and is part of the reported command.
  func testSBCPathOnATinyBudget() throws {
    let path = try writeConfig()
    let bench = AccuracyBenchmark(options: options(budget: 1000), registry: BuiltinSimulators.registry,
                                  progress: ProgressReporter(quiet: true))
    bench.log = { _ in }
    let task = AccuracyTask(name: "gaussian_linear", configPath: path, exactPosterior: nil,
                            budgetOverrides: [1000: ["training.epochs=2"], 5000: ["training.epochs=9"]])
    let r = try XCTUnwrap(bench.run(tasks: [task]).first)
    XCTAssertEqual(r.kind, "sbc")
    XCTAssertEqual(r.epochs, 2)
    XCTAssertEqual(r.epochsPlanned, 2)
    XCTAssertTrue(r.command.hasSuffix("--set training.simulation_budget=1000 --set training.epochs=2"), r.command)
    let c = try XCTUnwrap(r.calibration)
    XCTAssertEqual(c.map(\.name), GaussianLinear().parameterNames)
    for p in c {
      XCTAssertTrue((0...1).contains(p.maxECDFDeviation), "\(p.name): \(p.maxECDFDeviation)")
      XCTAssertLessThan(p.contraction, 1)
    }
  }

  /// Configs/accuracy-overrides.json parses into task → budget → overrides, and a malformed
  /// entry is an error naming the file and the entry.
  func testBudgetOverridesFile() throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    func load(_ text: String) throws -> [String: [Int: [String]]] {
      let path = dir + "/overrides.json"
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      return try AccuracyOverrides.load(path, tasks: BenchmarkTasks.names)
    }
    let ok = try load(#"{"two_moons": {"10000": ["training.epochs=100", "training.batch_size=128"]}, "slcp": {}}"#)
    XCTAssertEqual(ok["two_moons"]?[10_000], ["training.epochs=100", "training.batch_size=128"])
    XCTAssertEqual(ok["slcp"], [:])
    for (text, message) in [
      (#"{"moons": {"10000": ["training.epochs=1"]}}"#, "moons: unknown task"),
      (#"{"two_moons": {"1e4": ["training.epochs=1"]}}"#, "two_moons.1e4: expected a positive integer budget"),
      (#"{"two_moons": {"10000": ["training.epochs"]}}"#, #"two_moons.10000: expected an array of "key=value" strings"#),
      (#"{"two_moons": {"10000": "training.epochs=1"}}"#, #"two_moons.10000: expected an array of "key=value" strings"#),
      (#"["two_moons"]"#, "expected an object"),
      ("{", "not valid JSON"),
    ] {
      XCTAssertThrowsError(try load(text), text) { error in
        let description = "\(error)"
        XCTAssertTrue(description.hasPrefix(self.dir + "/overrides.json: "), description)
        XCTAssertTrue(description.contains(message), "\(description) lacks \(message)")
      }
    }
  }

  /// The repository's task configs: each of the ten is an offline config of its simulator whose
  /// budget is set by `training.simulation_budget`; the overrides file is valid and names only
  /// budgets of the check.
  func testRepositoryConfigsAndOverridesFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    for name in BenchmarkTasks.names {
      let json = try ConfigFile.load(root + "/Configs/\(name).json", overrides: ["training.simulation_budget=1234"])
      let config = try RunConfig(json)
      XCTAssertEqual(config.simulatorName, name)
      XCTAssertEqual(config.training.mode, .offline, name)
      XCTAssertEqual(config.training.simulationBudget, 1234, name)
      XCTAssertNoThrow(try BuiltinSimulators.registry.make(name: config.simulatorName, options: config.simulatorOptions), name)
    }
    let table = try AccuracyOverrides.load(root + "/Configs/accuracy-overrides.json", tasks: BenchmarkTasks.names)
    XCTAssertFalse(table.isEmpty)
    for (task, byBudget) in table {
      XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/Configs/\(task).json"), task)
      XCTAssertTrue(Set(byBudget.keys).isSubset(of: [10_000, 100_000]), "\(task): \(byBudget.keys)")
    }
  }
}
