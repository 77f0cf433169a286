import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// Every task is registered, builds with default options, has the documented parameters and
/// shapes, reproduces by seed, and its prior has the documented moments.
final class RegistryTests: XCTestCase {
  static let expected: [String: (parameters: [String], shape: ObservationShape)] = [
    "two_moons": (["theta1", "theta2"], .vector(2)),
    "gaussian_linear": ((1...10).map { "theta\($0)" }, .vector(10)),
    "gaussian_linear_uniform": ((1...10).map { "theta\($0)" }, .vector(10)),
    "gaussian_mixture": (["theta1", "theta2"], .vector(2)),
    "slcp": ((1...5).map { "theta\($0)" }, .set(count: 4, dimension: 2)),
    "slcp_distractors": ((1...5).map { "theta\($0)" }, .vector(100)),
    "bernoulli_glm": ((1...10).map { "theta\($0)" }, .vector(10)),
    "bernoulli_glm_raw": ((1...10).map { "theta\($0)" }, .vector(100)),
    "sir": (["beta", "gamma"], .vector(10)),
    "lotka_volterra": (["alpha", "beta", "gamma", "delta"], .vector(20)),
    "inverse_kinematics": (["x1", "x2", "x3", "x4"], .vector(2)),
  ]

  func make(_ name: String, _ options: JSONValue? = nil) throws -> any Simulator {
    try BuiltinSimulators.registry.make(name: name, options: options)
  }

  func testEveryTaskIsRegisteredAndBuildsWithDefaults() throws {
    let names = Set(BuiltinSimulators.registry.names)
    for (name, spec) in RegistryTests.expected {
      XCTAssertTrue(names.contains(name), "\(name) is not registered")
      let simulator = try make(name)
      XCTAssertEqual(simulator.name, name)
      XCTAssertEqual(simulator.parameterNames, spec.parameters, name)
      XCTAssertEqual(simulator.observationShape, spec.shape, name)
      var rng = RandomStream(seed: 3)
      let theta = simulator.samplePrior(&rng)
      XCTAssertEqual(theta.count, spec.parameters.count, name)
      XCTAssertTrue(simulator.inPriorSupport(theta), name)
      let y = try simulator.simulate(theta, &rng)
      XCTAssertEqual(y.values.count, spec.shape.count, name)
      XCTAssertEqual(y.length, spec.shape.rows, name)
      XCTAssertTrue(y.values.allSatisfy(\.isFinite), name)
      let logPrior = try XCTUnwrap(simulator.priorLogDensity(theta), "\(name): prior log density")
      XCTAssertTrue(logPrior.isFinite, name)
    }
  }

  func testOptionsAreValidated() throws {
    XCTAssertThrowsError(try make("inverse_kinematics", try JSONValue.parse(#"{"noise": -1}"#))) {
      XCTAssertEqual(($0 as? ConfigError)?.path, "simulator.options.noise")
    }
    XCTAssertThrowsError(try make("sir", try JSONValue.parse(#"{"max_step": 5}"#))) {
      XCTAssertEqual(($0 as? ConfigError)?.path, "simulator.options.max_step")
    }
    XCTAssertThrowsError(try make("slcp", try JSONValue.parse(#"{"dimension": 5}"#)))
    let noisy = try make("inverse_kinematics", try JSONValue.parse(#"{"noise": 0.1}"#))
    XCTAssertEqual((noisy as? InverseKinematics)?.noise, 0.1)
    let small = try make("gaussian_linear_uniform", try JSONValue.parse(#"{"dimension": 3}"#))
    XCTAssertEqual(small.observationShape, .vector(3))
  }

  func testReproducibleBySeed() throws {
    for name in RegistryTests.expected.keys.sorted() {
      let simulator = try make(name)
      func draw(_ stream: UInt64) throws -> [Double] {
        var rng = RandomStream(seed: 17, stream: stream)
        let theta = simulator.samplePrior(&rng)
        return theta + (try simulator.simulate(theta, &rng).values)
      }
      XCTAssertEqual(try draw(4), try draw(4), name)
      XCTAssertNotEqual(try draw(4), try draw(5), name)
    }
  }

  /// Prior mean and variance of every coordinate over 10⁵ draws, within 5 SE.
  func testPriorMoments() throws {
    func uniform(_ a: Double, _ b: Double, _ d: Int) -> ([Double], [Double]) {
      ([Double](repeating: (a + b) / 2, count: d), [Double](repeating: (b - a) * (b - a) / 12, count: d))
    }
    func logNormal(_ mu: [Double], _ sigma: [Double]) -> ([Double], [Double]) {
      (zip(mu, sigma).map { exp($0 + $1 * $1 / 2) },
       zip(mu, sigma).map { (exp($1 * $1) - 1) * exp(2 * $0 + $1 * $1) })
    }
    let glmCovariance = try XCTUnwrap(try make("bernoulli_glm") as? BernoulliGLM).constants.prior.covariance
    let glm = ([Double](repeating: 0, count: 10), (0..<10).map { glmCovariance[$0][$0] })
    let moments: [String: ([Double], [Double])] = [
      "two_moons": uniform(-1, 1, 2),
      "gaussian_linear": ([Double](repeating: 0, count: 10), [Double](repeating: 0.1, count: 10)),
      "gaussian_linear_uniform": uniform(-1, 1, 10),
      "gaussian_mixture": uniform(-10, 10, 2),
      "slcp": uniform(-3, 3, 5),
      "slcp_distractors": uniform(-3, 3, 5),
      "bernoulli_glm": glm,
      "bernoulli_glm_raw": glm,
      "sir": logNormal([log(0.4), log(0.125)], [0.5, 0.2]),
      "lotka_volterra": logNormal([-0.125, -3, -0.125, -3], [0.5, 0.5, 0.5, 0.5]),
      "inverse_kinematics": ([0, 0, 0, 0], [0.0625, 0.25, 0.25, 0.25]),
    ]
    XCTAssertEqual(Set(moments.keys), Set(RegistryTests.expected.keys))
    for (name, (mean, variance)) in moments.sorted(by: { $0.key < $1.key }) {
      let simulator = try make(name)
      var rng = RandomStream(seed: 101)
      let draws = (0..<100_000).map { _ in simulator.samplePrior(&rng) }
      Moments.check(draws, mean: mean, variance: variance, "\(name) prior")
      XCTAssertTrue(draws.allSatisfy(simulator.inPriorSupport), name)
    }
  }

  /// The Bernoulli GLM prior's off-diagonal covariances too (its precision is not diagonal).
  func testGLMPriorCovariance() throws {
    let glm = try BernoulliGLM()
    let covariance = glm.constants.prior.covariance
    var rng = RandomStream(seed: 5)
    let n = 100_000
    let draws = (0..<n).map { _ in glm.samplePrior(&rng) }
    for (i, j) in [(1, 2), (2, 3), (1, 9), (5, 6), (0, 1)] {
      let products = draws.map { $0[i] * $0[j] }
      Moments.checkMean(products, covariance[i][j], "Cov[θ\(i + 1), θ\(j + 1)]")
    }
  }
}
