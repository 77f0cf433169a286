import XCTest
import BayesFlow
import Tensors

/// A two-channel series y[t, c] = θ + 10t + c + ε, ε ~ N(0, 1), of 5 steps, that fails on
/// purpose: throws for θ < 0, returns a NaN for θ ≥ 100, and only 3 steps for 50 ≤ θ < 100.
struct RampSimulator: Simulator {
  let name = "ramp"
  let about = "a noisy ramp that fails on purpose"
  let parameters = [ParameterSpec("theta")]
  var observationShape: ObservationShape { .timeSeries(length: 5, channels: 2, variableLength: true) }
  func samplePrior(_ rng: inout RandomStream) -> [Double] { [rng.uniform()] }
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let a = theta[0]
    if a < 0 { throw SimulationFailure("negative") }
    let steps = a >= 50 && a < 100 ? 3 : 5
    var v: [Double] = []
    for t in 0..<steps { for c in 0..<2 { v.append(a + 10 * Double(t) + Double(c) + rng.normal()) } }
    if a >= 100 { v[3] = .nan }
    return Observation(v, length: steps)
  }
}

final class PosteriorPredictiveTests: XCTestCase {
  /// Run i is the simulator at θᵢ with the random stream (seed, i), whatever the thread count;
  /// failures (thrown, non-finite) are nil.
  func testSimulateUsesStreamIAndMarksFailures() {
    let sim = RampSimulator()
    let thetas: [[Double]] = [[1], [-1], [2], [150], [60], [3], [4]]
    let one = PosteriorPredictive.simulate(sim, at: thetas, seed: 9, threads: 1)
    let three = PosteriorPredictive.simulate(sim, at: thetas, seed: 9, threads: 3)
    XCTAssertEqual(one, three)
    XCTAssertEqual(one.map { $0 == nil }, [false, true, false, true, false, false, false])
    for i in [0, 2, 4, 5, 6] {
      var rng = RandomStream(seed: 9, stream: UInt64(i))
      XCTAssertEqual(one[i], try sim.simulate(thetas[i], &rng), "run \(i)")
    }
    XCTAssertNotEqual(PosteriorPredictive.simulate(sim, at: thetas, seed: 10, threads: 1)[0], one[0])
  }

  /// rows(of:) keeps the first t rows of every run at least t rows long, as [run][row][channel].
  func testRowsCutToTheObservedLengthAndDropShortRuns() {
    let runs: [Observation?] = [Observation([1, 2, 3, 4, 5, 6], length: 3), nil, Observation([7, 8], length: 1),
                                Observation([9, 10, 11, 12], length: 2)]
    XCTAssertEqual(PosteriorPredictive.rows(of: runs, length: 2, width: 2), [[[1, 2], [3, 4]], [[9, 10], [11, 12]]])
    XCTAssertEqual(PosteriorPredictive.rows(of: runs, length: 1, width: 2), [[[1, 2]], [[7, 8]], [[9, 10]]])
    XCTAssertEqual(PosteriorPredictive.rows(of: runs, length: 4, width: 2), [])
  }

  func testChannelNames() {
    let streams = ObservationShape.streams([ObservationStream("cases"), ObservationStream("xy", channels: 2)],
                                           length: 4, variableLength: false)
    XCTAssertEqual(PosteriorPredictive.channelNames(streams), ["cases", "xy[1]", "xy[2]"])
    XCTAssertEqual(PosteriorPredictive.channelNames(.timeSeries(length: 4, channels: 1, variableLength: false)), ["y"])
    XCTAssertEqual(PosteriorPredictive.channelNames(.timeSeries(length: 4, channels: 2, variableLength: false)),
                   ["channel 1", "channel 2"])
    XCTAssertEqual(PosteriorPredictive.channelNames(.vector(3)), ["y1", "y2", "y3"])
  }
}
