import XCTest
import BayesFlow
import Tensors

/// `RecoveryStudy` on the exact conjugate posterior (θ ~ N(0, 1), y = θ + N(0, 1), θ | y ~
/// N(y/2, 1/2)): derived quantities, dropped data sets, intervals and the outputs.
final class RecoveryStudyTests: XCTestCase {
  /// With the exact posterior the median is y/2, so R² = 1 − E(θ − y/2)²/Var θ = 1 − 1/2 = 0.5
  /// (SE about 0.04 for M = 500). An increasing affine derived quantity 3θ + 1 has the same
  /// ranks (so the same SBC numbers) and the same R² (R² is invariant under a common affine map
  /// of truths and estimates; the type-7 median commutes with it); θ³ is increasing too, so its
  /// ranks are also identical.
  func testDerivedQuantitiesShareRanksAndAffineRecovery() throws {
    var rng = RandomStream(seed: 11)
    let (truths, draws) = ConjugateNormalFixture().sample(simulations: 500, draws: 200, rng: &rng)
    let s = RecoveryStudy(truths: truths, draws: draws, parameterNames: ["theta"], derivedNames: ["lin", "cube"],
                          derived: { [3 * $0[0] + 1, $0[0] * $0[0] * $0[0]] })
    XCTAssertEqual(s.names, ["theta", "lin", "cube"])
    XCTAssertEqual(s.parameterCount, 1)
    XCTAssertEqual(s.droppedDataSets, 0)
    XCTAssertEqual(s.simulations, 500)
    XCTAssertEqual(s.draws, 200)
    let p = s.diagnostics.parameters
    XCTAssertEqual(p[0].medianRecovery.r2, 0.5, accuracy: 0.15)
    XCTAssertEqual(p[1].medianRecovery.r2, p[0].medianRecovery.r2, accuracy: 1e-9)
    XCTAssertEqual(p[1].ranks.ranks, p[0].ranks.ranks)
    XCTAssertEqual(p[2].ranks.ranks, p[0].ranks.ranks)
    XCTAssertEqual(p[1].truths[7], 3 * truths[7][0] + 1, accuracy: 1e-12)
    XCTAssertTrue(p[0].isCalibrated)
    // Central 90% intervals bracket the medians.
    for j in 0..<3 {
      for m in 0..<500 {
        XCTAssertLessThanOrEqual(s.intervalLower[j][m], p[j].medians[m])
        XCTAssertGreaterThanOrEqual(s.intervalUpper[j][m], p[j].medians[m])
      }
    }
    // Outputs: one row per quantity, derived ones marked.
    let table = s.table().split(separator: "\n")
    XCTAssertEqual(table.count, 5)
    XCTAssertTrue(table[2].hasPrefix("lin*"))
    let csv = s.csv(quantities: try s.indices(of: ["cube", "theta"])).split(separator: "\n")
    XCTAssertEqual(csv.count, 3)
    XCTAssertTrue(csv[1].hasPrefix("cube,true,"))
    XCTAssertTrue(csv[2].hasPrefix("theta,false,"))
    XCTAssertThrowsError(try s.indices(of: ["nope"]))
    let svg = s.figure(maxPoints: 100).svg(id: "r", kind: "recovery")
    XCTAssertEqual(svg.components(separatedBy: "R² ").count - 1, 3)
    XCTAssertLessThan(svg.utf8.count, 100_000)
    XCTAssertTrue(s.sbcFigure().svg(id: "s", kind: "sbc").contains("max |dev|"))
  }

  /// Data sets where a derived quantity is not finite at the truth or at any draw are dropped.
  func testNonFiniteDerivedQuantitiesDropDataSets() {
    var rng = RandomStream(seed: 12)
    let (truths, draws) = ConjugateNormalFixture().sample(simulations: 300, draws: 50, rng: &rng)
    var expected = 0
    for m in 0..<300 {
      if truths[m][0] > 1 || (0..<50).contains(where: { draws[m, $0, 0] > 1 }) { expected += 1 }
    }
    XCTAssertGreaterThan(expected, 0)
    let s = RecoveryStudy(truths: truths, draws: draws, parameterNames: ["theta"], derivedNames: ["capped"],
                          derived: { $0[0] > 1 ? [.nan] : [$0[0]] })
    XCTAssertEqual(s.droppedDataSets, expected)
    XCTAssertEqual(s.simulations, 300 - expected)
    XCTAssertTrue(s.diagnostics.parameters[1].truths.allSatisfy { $0 <= 1 })
    // Without derived quantities nothing is dropped.
    XCTAssertEqual(RecoveryStudy(truths: truths, draws: draws, parameterNames: ["theta"]).simulations, 300)
  }

  /// Held-out simulations skip failures and replace them by later indices: the result is the
  /// first `count` successful simulations in index order, the rows `bayesflow simulate` writes.
  func testHeldOutSimulationsReplaceFailures() throws {
    let sim = NormalFailingBelowSimulator()
    let held = try RecoveryStudy.simulate(sim, count: 50, seed: 3, threads: 2)
    XCTAssertEqual(held.truths.count, 50)
    XCTAssertEqual(held.observations.count, 50)
    XCTAssertEqual(held.indices, held.indices.sorted())
    XCTAssertEqual(Set(held.indices).count, 50)
    let reference = try SimulationEngine(simulator: sim, seed: 3, threads: 1).simulate(0..<400)
    XCTAssertGreaterThan(reference.failures, 10)
    XCTAssertEqual(held.indices, Array(reference.indices.prefix(50)))
    XCTAssertEqual(held.truths.flatMap { $0 }, Array(reference.parameters.prefix(50)))
    XCTAssertEqual(held.observations.map { $0.values[0] }, reference.observations.prefix(50).map(Double.init))
  }
}

/// θ ~ N(0, 1), y = θ + N(0, 1); the simulation fails whenever θ < −1.2 (about 12%).
private struct NormalFailingBelowSimulator: Simulator {
  let name = "flaky"
  let about = "fails for θ < −1.2"
  var parameters: [ParameterSpec] { [ParameterSpec("theta")] }
  var observationShape: ObservationShape { .vector(1) }
  func samplePrior(_ rng: inout RandomStream) -> [Double] { [rng.normal()] }
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    guard theta[0] >= -1.2 else { throw SimulationFailure("θ < −1.2") }
    return Observation([theta[0] + rng.normal()])
  }
}
