import XCTest
import BayesFlow
import Simulators
import Tensors

/// A simulator that fails in ways the engine must survive: throws, NaN, wrong size.
struct FlakySimulator: Simulator {
  var failEvery = 5
  let name = "flaky"
  let about = "fails on purpose"
  let parameters = [ParameterSpec("a")]
  var observationShape: ObservationShape { .vector(2) }
  func samplePrior(_ rng: inout RandomStream) -> [Double] { [rng.uniform()] }
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let k = Int(theta[0] * 1_000_000)
    switch k % failEvery {
    case 0: throw SimulationFailure("boom")
    case 1 where failEvery <= 5: return Observation([.nan, 1])
    case 2 where failEvery <= 5: return Observation([1, 2, 3])
    default: return Observation([theta[0], rng.normal()])
    }
  }
}

final class SimulationEngineTests: XCTestCase {
  /// Simulation i uses stream (seed, i): results are identical for 1 and 2 threads and for any
  /// way of splitting the indices into batches.
  func testReproducibleAcrossThreadsAndBatchSizes() throws {
    let sim = GaussianLinear(dimension: 3)
    let one = try SimulationEngine(simulator: sim, seed: 11, threads: 1).simulate(0..<1000)
    let two = try SimulationEngine(simulator: sim, seed: 11, threads: 2).simulate(0..<1000)
    XCTAssertEqual(one.parameters, two.parameters)
    XCTAssertEqual(one.observations, two.observations)
    let engine = SimulationEngine(simulator: sim, seed: 11, threads: 2)
    var pieces = SimulationBatch(parameterCount: 3, rows: 1, width: 3)
    for r in [0..<7, 7..<300, 300..<301, 301..<1000] { pieces.append(contentsOf: try engine.simulate(r)) }
    XCTAssertEqual(pieces.parameters, one.parameters)
    XCTAssertEqual(pieces.observations, one.observations)
    XCTAssertEqual(pieces.indices, Array(0..<1000))
    let other = try SimulationEngine(simulator: sim, seed: 12, threads: 1).simulate(0..<10)
    XCTAssertNotEqual(other.parameters, Array(one.parameters.prefix(30)))
  }

  func testFailuresAreDroppedAndCounted() throws {
    let engine = SimulationEngine(simulator: FlakySimulator(failEvery: 5), seed: 1, threads: 2)
    let batch = try engine.simulate(0..<2000)
    XCTAssertEqual(batch.count + batch.failures, 2000)
    // 3 of 5 residues fail; the residues of ⌊10⁶θ⌋ mod 5 are uniform: 1200 ± 5·√(2000·0.24).
    XCTAssertEqual(Double(batch.failures), 1200, accuracy: 5 * (2000 * 0.24).squareRoot())
    XCTAssertTrue(batch.observations.allSatisfy(\.isFinite))
    XCTAssertThrowsError(try engine.checkFailures()) { error in
      XCTAssertTrue("\(error)".contains("simulations failed"), "\(error)")
    }
    let mild = SimulationEngine(simulator: FlakySimulator(failEvery: 10), seed: 1, threads: 1)
    _ = try mild.simulate(0..<2000)   // 10% fail (throws only): below the 20% limit
    XCTAssertNoThrow(try mild.checkFailures())
  }
}
