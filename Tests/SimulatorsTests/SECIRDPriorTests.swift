import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// The prior of `secird` (constraints, marginal moments), its parameter list and supports,
/// and the options.
final class SECIRDPriorTests: XCTestCase {
  static let draws: [[Double]] = {
    let model = try! SECIRD()
    var rng = RandomStream(seed: 404)
    return (0..<20_000).map { _ in model.samplePrior(&rng) }
  }()

  func column(_ name: String) -> [Double] {
    let i = SECIRDFixture.index(name)
    return SECIRDPriorTests.draws.map { $0[i] }
  }

  /// Every draw satisfies the constraints, written out again here on the rounded values, and
  /// lies inside every support.
  func testDrawsSatisfyTheConstraints() throws {
    let model = try SECIRD()
    for theta in SECIRDPriorTests.draws {
      let r = theta.map { $0.rounded(.toNearestOrEven) }
      let t = Array(r[0..<4]), dt = Array(r[4..<8])
      XCTAssertTrue(t[0] >= 1 && t[0] < t[1] && t[1] < t[2] && t[2] < t[3], "\(t)")
      XCTAssertTrue(dt.allSatisfy { $0 >= 1 }, "\(dt)")
      for k in 0..<3 { XCTAssertGreaterThanOrEqual(t[k + 1] - t[k], dt[k]) }
      XCTAssertGreaterThanOrEqual(81 - t[3], dt[3])
      XCTAssertTrue(r[20..<23].allSatisfy { $0 >= 0 && $0 <= 15 }, "delays \(r[20..<23])")
      for (spec, value) in zip(model.parameters, theta) {
        XCTAssertTrue(spec.support.contains(value), "\(spec.name) = \(value)")
      }
      XCTAssertTrue(model.inPriorSupport(theta))
    }
  }

  /// Parameters outside the constraints are independent of those inside, so redrawing the whole
  /// vector leaves their marginals untouched: means (and variances where the fourth moment is
  /// known) within 4 standard errors of the exact values.
  func testMarginalMoments() {
    let n = Double(SECIRDPriorTests.draws.count)
    func checkMean(_ name: String, _ mean: Double, _ variance: Double) {
      let (m, _) = meanAndVariance(column(name))
      XCTAssertLessThan(abs(m - mean), 4 * (variance / n).squareRoot(), "mean of \(name): \(m) vs \(mean)")
    }
    /// s² against σ² with SE √((μ₄ − σ⁴)/n).
    func checkVariance(_ name: String, _ variance: Double, fourthMoment mu4: Double) {
      let (_, v) = meanAndVariance(column(name))
      XCTAssertLessThan(abs(v - variance), 4 * ((mu4 - variance * variance) / n).squareRoot(),
                        "variance of \(name): \(v) vs \(variance)")
    }
    // LN(m, s): mean e^{m + s²/2}, variance (e^{s²} − 1) e^{2m + s²}.
    func logNormal(_ m: Double, _ s: Double) -> (Double, Double) {
      (exp(m + s * s / 2), (exp(s * s) - 1) * exp(2 * m + s * s))
    }
    let (muMean, muVar) = logNormal(log(1.0 / 8), 0.2)
    checkMean("mu", muMean, muVar)
    let (lambdaMean, lambdaVar) = logNormal(log(0.3), 0.5)
    checkMean("lambda2", lambdaMean, lambdaVar)
    // Uniform(a, b): mean (a + b)/2, variance w²/12, μ₄ = w⁴/80.
    let w = 0.9 - 0.005
    checkMean("alpha", (0.9 + 0.005) / 2, w * w / 12)
    checkVariance("alpha", w * w / 12, fourthMoment: pow(w, 4) / 80)
    let wd = 0.3 - 0.01
    checkMean("delta", 0.155, wd * wd / 12)
    // Gamma(k, θ): mean kθ, variance kθ², μ₄ = (3 + 6/k) k² θ⁴.
    checkMean("E0", 60, 1800)
    checkVariance("E0", 1800, fourthMoment: 6 * 4 * pow(30, 4))
    checkMean("sigma_D", 5, 25)
    checkVariance("sigma_R", 25, fourthMoment: 9 * pow(5, 4))
    // Beta moment-matched to mean 0.7, sd 0.17.
    checkMean("f_R", 0.7, 0.17 * 0.17)
    // Von Mises(0, κ = 0.01): E cos φ = I₁(κ)/I₀(κ) ≈ κ/2, E sin φ = 0, each variance ≈ 1/2.
    checkMean("phi_I", 0, pow(Double.pi, 2) / 3)
    let cosMean = column("phi_D").map(cos).reduce(0, +) / n
    XCTAssertLessThan(abs(cosMean - 0.005), 4 * (0.5 / n).squareRoot())
  }

  func testParametersAndShape() throws {
    let model = try SECIRD()
    XCTAssertEqual(model.name, "secird")
    XCTAssertEqual(model.parameterNames, [
      "t1", "t2", "t3", "t4", "dt1", "dt2", "dt3", "dt4",
      "lambda0", "lambda1", "lambda2", "lambda3", "lambda4", "mu",
      "f_I", "f_R", "f_D", "phi_I", "phi_R", "phi_D", "L_I", "L_R", "L_D", "E0",
      "sigma_I", "sigma_R", "sigma_D", "alpha", "beta", "gamma", "eta", "theta", "delta", "d",
    ])
    let support = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.support) })
    XCTAssertEqual(support["t3"], .real)
    XCTAssertEqual(support["dt2"], .positive)
    XCTAssertEqual(support["lambda0"], .positive)
    XCTAssertEqual(support["f_D"], .interval(lower: 0, upper: 1))
    XCTAssertEqual(support["phi_R"], .interval(lower: -Double.pi, upper: Double.pi))
    XCTAssertEqual(support["L_I"], .positive)
    XCTAssertEqual(support["E0"], .positive)
    XCTAssertEqual(support["sigma_I"], .positive)
    XCTAssertEqual(support["alpha"], .interval(lower: 0.005, upper: 0.9))
    XCTAssertEqual(support["theta"], .interval(lower: 1.0 / 14, upper: 1.0 / 3))
    XCTAssertEqual(support["delta"], .interval(lower: 0.01, upper: 0.3))
    XCTAssertEqual(support["d"], .interval(lower: 1.0 / 14, upper: 1.0 / 3))
    XCTAssertEqual(model.observationShape,
                   .streams([ObservationStream("confirmed"), ObservationStream("recovered"),
                             ObservationStream("deceased")], length: 81, variableLength: false))
    var rng = RandomStream(seed: 3)
    let y = try model.simulate(model.samplePrior(&rng), &rng)
    XCTAssertEqual(y.length, 81)
    XCTAssertEqual(y.values.count, 243)
  }

  func testOptions() throws {
    func make(_ json: String) throws -> SECIRD {
      try SECIRD(options: try ConfigObject(try JSONValue.parse(json), path: "simulator.options"))
    }
    let defaults = try make("{}")
    XCTAssertEqual(defaults.population, 83e6)
    XCTAssertEqual(defaults.observationDays, 81)
    XCTAssertEqual(defaults.lag, 15)
    let custom = try make(#"{"population": 1e6, "observation_days": 60, "lag": 20}"#)
    XCTAssertEqual(custom.population, 1e6)
    XCTAssertEqual(custom.observationShape.rows, 60)
    var rng = RandomStream(seed: 9)
    let theta = custom.samplePrior(&rng)
    XCTAssertEqual(try custom.simulate(theta, &rng).values.count, 180)
    XCTAssertEqual(try custom.trajectory(theta).count, 81)  // days 0…60 + 20
    XCTAssertEqual(try custom.trajectory(theta).totalPopulation.last!, 1e6, accuracy: 1e-6)
    // The default-sized thread workspace is resized back.
    XCTAssertEqual(try defaults.trajectory(theta).count, 97)

    XCTAssertThrowsError(try make(#"{"lag": 5}"#)) {
      XCTAssertEqual("\($0)", "simulator.options.lag: expected an integer in 12...60, got 5")
    }
    XCTAssertThrowsError(try make(#"{"population": -1}"#)) {
      XCTAssertTrue("\($0)".hasPrefix("simulator.options.population: "), "\($0)")
    }
    XCTAssertThrowsError(try make(#"{"observation_days": 81.5}"#)) {
      XCTAssertTrue("\($0)".hasPrefix("simulator.options.observation_days: "), "\($0)")
    }
    XCTAssertThrowsError(try SECIRD(lag: 100))
  }
}
