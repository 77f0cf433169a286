import XCTest
import BayesFlow
import Simulators
import Tensors

/// θ ~ U(0, 4), y = ⌊θ⌋ + ⌊4·u⌋/4 (u ~ U(0, 1)): few distinct observations, so distances tie
/// often and the tie-break by simulation index decides what is kept.
private struct LatticeSimulator: Simulator {
  let name = "lattice"
  let about = "integer-valued observations (ties)"
  let parameters = [ParameterSpec("a")]
  var observationShape: ObservationShape { .vector(1) }
  func samplePrior(_ rng: inout RandomStream) -> [Double] { [4 * rng.uniform()] }
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    Observation([theta[0].rounded(.down) + (4 * rng.uniform()).rounded(.down) / 4])
  }
}

/// A variable-length series: needs summary statistics.
private struct RaggedSimulator: Simulator {
  let name = "ragged"
  let about = "variable-length series"
  let parameters = [ParameterSpec("a")]
  var observationShape: ObservationShape { .timeSeries(length: 5, channels: 1, variableLength: true) }
  func samplePrior(_ rng: inout RandomStream) -> [Double] { [rng.normal()] }
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let n = 1 + rng.index(below: 5)
    return Observation((0..<n).map { _ in theta[0] + rng.normal() }, length: n)
  }
}

final class RejectionABCTests: XCTestCase {
  private struct Entry {
    var d2: Double
    var i: Int
    var theta: [Double]
  }

  /// Every simulation of 0..<n, as the contract says: stream (seed, i), samplePrior, simulate.
  private func allSimulations(_ sim: any Simulator, seed: UInt64, n: Int) -> [(theta: [Double], y: [Double])] {
    (0..<n).map { i in
      var rng = RandomStream(seed: seed, stream: UInt64(i))
      let theta = sim.samplePrior(&rng)
      return (theta, try! sim.simulate(theta, &rng).values)
    }
  }

  /// The K kept draws are exactly the first K of all N simulations sorted by (distance, index),
  /// computed here with the same arithmetic; the (K+1)-th distance is reported; the result is
  /// identical for 1, 2 and 3 threads and any chunk size.
  func testKeepsExactlyTheKNearestAndIsDeterministicAcrossThreads() throws {
    let cases: [(any Simulator, Observation, ABCScaling)] = [
      (GaussianLinear(dimension: 2), Observation([0.3, -0.2]), .standardized),
      (GaussianLinear(dimension: 2), Observation([0.3, -0.2]), .raw),
      (LatticeSimulator(), Observation([2]), .raw),   // heavy ties
    ]
    let n = 3000, k = 40
    for (sim, y, scaling) in cases {
      var abc = RejectionABC(simulator: sim, seed: 7, scaling: scaling)
      abc.pilotSimulations = 500
      let scale = try abc.scale()
      let inverse = scale.map { 1 / $0 }
      var reference: [Entry] = []
      for (i, s) in allSimulations(sim, seed: 7, n: n).enumerated() {
        var d2 = 0.0
        for c in 0..<y.values.count { let u = (s.y[c] - y.values[c]) * inverse[c]; d2 += u * u }
        reference.append(Entry(d2: d2, i: i, theta: s.theta))
      }
      reference.sort { $0.d2 < $1.d2 || ($0.d2 == $1.d2 && $0.i < $1.i) }
      let nearest = Array(reference.prefix(k))
      var results: [RejectionABCResult] = []
      for (threads, chunk) in [(1, 16_384), (2, 97), (3, 1000)] {
        abc.threads = threads
        abc.chunkSize = chunk
        let r = try abc.run(y, budget: n, keep: k)
        XCTAssertEqual(r.indices, nearest.map { $0.i }, "\(sim.name) \(scaling) threads \(threads)")
        XCTAssertEqual(r.parameters, nearest.flatMap { $0.theta })
        XCTAssertEqual(r.distances, nearest.map { $0.d2.squareRoot() })
        XCTAssertEqual(r.nextDistance, reference[k].d2.squareRoot())
        XCTAssertEqual(r.tolerance, r.distances.last)
        XCTAssertEqual(r.acceptanceRate, Double(k) / Double(n))
        XCTAssertEqual(r.scale, scale)
        results.append(r)
      }
      XCTAssertEqual(Set(results.map(\.indices)).count, 1)
    }
    // The lattice case does tie: the reported (K+1)-th distance equals the K-th.
    let lattice = try RejectionABC(simulator: LatticeSimulator(), seed: 7, scaling: .raw).run(Observation([2]), budget: n, keep: k)
    XCTAssertEqual(lattice.tolerance, lattice.nextDistance)
  }

  /// Several observations in one pass give what separate runs give; keep = budget keeps every
  /// simulation and has no (K+1)-th distance.
  func testManyObservationsAndKeepingEverything() throws {
    var abc = RejectionABC(simulator: GaussianLinear(dimension: 2), seed: 3)
    abc.pilotSimulations = 500
    let ys = [Observation([0.1, 0.1]), Observation([-0.5, 0.4]), Observation([0, 0])]
    let together = try abc.run(ys, budget: 2000, keep: 25)
    for (y, r) in zip(ys, together) {
      let alone = try abc.run(y, budget: 2000, keep: 25)
      XCTAssertEqual(r.indices, alone.indices)
      XCTAssertEqual(r.distances, alone.distances)
    }
    let all = try abc.run(ys[0], budget: 300, keep: 300)
    XCTAssertNil(all.nextDistance)
    XCTAssertEqual(Set(all.indices), Set(0..<300))
    XCTAssertEqual(all.acceptanceRate, 1)
  }

  /// Conjugate Gaussian (gaussian_linear, D = 1 raw and D = 2 standardized): θ ~ N(0, 0.1),
  /// y ~ N(θ, 0.1), so θ | y ~ N(y/2, 0.05). ABC keeps θ | ‖y − y*‖ ≤ ε, a mixture of N(y/2, 0.05)
  /// over the accepted y; as |yⱼ − y*ⱼ| ≤ ε·σⱼ (σ: the distance scale), its mean is within
  /// ε·σⱼ/2 of y*ⱼ/2 and its variance between 0.05 and 0.05 + (ε·σⱼ/2)². Allowed: that bias plus
  /// 4 standard errors of the K draws (mean: sd/√K; sd: sd/√(2K)).
  func testRecoversTheConjugateGaussianPosterior() throws {
    for (d, scaling, y) in [(1, ABCScaling.raw, [0.3]), (2, .standardized, [0.3, -0.45])] {
      let sim = GaussianLinear(dimension: d)
      let abc = RejectionABC(simulator: sim, seed: 11, scaling: scaling)
      let k = 2000
      let r = try abc.run(Observation(y), budget: 400_000, keep: k)
      XCTAssertLessThan(r.tolerance, 0.2, "the test needs a small tolerance")
      for j in 0..<d {
        let column = (0..<k).map { r.parameters[$0 * d + j] }
        let mean = column.reduce(0, +) / Double(k)
        let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k - 1)).squareRoot()
        let halfWidth = r.tolerance * r.scale[j] / 2
        let exactSD = 0.05.squareRoot(), widestSD = (0.05 + halfWidth * halfWidth).squareRoot()
        XCTAssertLessThan(abs(mean - y[j] / 2), halfWidth + 4 * widestSD / Double(k).squareRoot(), "mean θ\(j + 1), D = \(d)")
        XCTAssertGreaterThan(sd, exactSD - 4 * exactSD / Double(2 * k).squareRoot(), "sd θ\(j + 1), D = \(d)")
        XCTAssertLessThan(sd, widestSD + 4 * widestSD / Double(2 * k).squareRoot(), "sd θ\(j + 1), D = \(d)")
      }
    }
  }

  /// Summary statistics: s(y) = y₁ alone informs θ₁ (posterior N(y₁*/2, 0.05)) and leaves θ₂ at
  /// its prior N(0, 0.1); the identity as a closure keeps what the built-in path keeps.
  func testSummaryStatistics() throws {
    let sim = GaussianLinear(dimension: 2)
    let y = Observation([0.4, 0.9])
    let first = RejectionABC(simulator: sim, seed: 5, scaling: .raw, summaries: ABCSummaryStatistics(dimension: 1) { [$0.values[0]] })
    let k = 2000
    let r = try first.run(y, budget: 200_000, keep: k)
    for (j, mean, sd) in [(0, 0.2, 0.05.squareRoot()), (1, 0, 0.1.squareRoot())] {
      let column = (0..<k).map { r.parameters[$0 * 2 + j] }
      let m = column.reduce(0, +) / Double(k)
      let s = (column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(k - 1)).squareRoot()
      XCTAssertEqual(m, mean, accuracy: r.tolerance / 2 + 4 * sd / Double(k).squareRoot(), "mean θ\(j + 1)")
      XCTAssertEqual(s, sd, accuracy: r.tolerance / 2 + 4 * sd / Double(2 * k).squareRoot(), "sd θ\(j + 1)")
    }
    var identity = RejectionABC(simulator: sim, seed: 5, summaries: ABCSummaryStatistics(dimension: 2) { $0.values })
    var plain = RejectionABC(simulator: sim, seed: 5)
    identity.pilotSimulations = 500
    plain.pilotSimulations = 500
    XCTAssertEqual(try identity.run(y, budget: 5000, keep: 50).indices, try plain.run(y, budget: 5000, keep: 50).indices)
  }

  /// Failed simulations are counted and never kept; too many stop the run; variable-length
  /// series without summary statistics and too few successes are refused with a message.
  func testFailuresAndRefusals() throws {
    var mild = RejectionABC(simulator: FlakySimulator(failEvery: 10), seed: 1, scaling: .raw)
    mild.pilotSimulations = 200
    let r = try mild.run(Observation([0.5, 0]), budget: 4000, keep: 100)
    XCTAssertEqual(Double(r.failures), 400, accuracy: 5 * (4000 * 0.09).squareRoot())
    XCTAssertTrue(r.distances.allSatisfy(\.isFinite))
    var flaky = RejectionABC(simulator: FlakySimulator(failEvery: 5), seed: 1, scaling: .raw)
    flaky.pilotSimulations = 200
    XCTAssertThrowsError(try flaky.run(Observation([0.5, 0]), budget: 2000, keep: 10)) { error in
      XCTAssertTrue("\(error)".contains("simulations failed"), "\(error)")
    }
    flaky.maxFailureFraction = 1
    XCTAssertThrowsError(try flaky.run(Observation([0.5, 0]), budget: 100, keep: 90)) { error in
      XCTAssertTrue("\(error)".contains("simulations succeeded; cannot keep 90"), "\(error)")
    }
    XCTAssertThrowsError(try RejectionABC(simulator: RaggedSimulator(), seed: 1).run(Observation([1, 2], length: 2), budget: 10, keep: 1)) { error in
      XCTAssertTrue("\(error)".contains("need summary statistics"), "\(error)")
    }
    let mean = ABCSummaryStatistics(dimension: 1) { y in [y.values.reduce(0, +) / Double(y.length)] }
    var ragged = RejectionABC(simulator: RaggedSimulator(), seed: 1, summaries: mean)
    ragged.pilotSimulations = 200
    XCTAssertEqual(try ragged.run(Observation([1, 2], length: 2), budget: 1000, keep: 10).keep, 10)
  }

  /// The kinematics simulator exposes its end point as a forward model, deterministic only
  /// without observation noise.
  func testKinematicsForwardModel() {
    let model: any Simulator = InverseKinematics()
    XCTAssertEqual((model as? any ForwardModel)?.isDeterministic, true)
    XCTAssertEqual((InverseKinematics(noise: 0.1) as any ForwardModel).isDeterministic, false)
    XCTAssertNil(GaussianLinear() as Any as? any ForwardModel)
  }
}
