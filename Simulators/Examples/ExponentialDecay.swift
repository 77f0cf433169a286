import BayesFlow
import Foundation
import Tensors

/// A template simulator: a noisy exponential decay observed for a random number of steps.
///
///     k ~ U(0.1, 2),   T ~ U{min_length, …, max_length}
///     y_t = exp(−k·t/10) + σ·ε_t,   ε_t ~ N(0, 1),   t = 0 … T−1
///
/// One parameter with interval support, a single-channel series of variable length (so it
/// needs a `time_series` summary network). docs/simulators.md walks through this file as the
/// example of writing a simulator.
public struct ExponentialDecay: Simulator {
  public let minLength: Int
  public let maxLength: Int
  public let noise: Double

  public init(minLength: Int = 20, maxLength: Int = 100, noise: Double = 0.05) {
    self.minLength = minLength
    self.maxLength = maxLength
    self.noise = noise
  }

  /// Reads the options of `simulator.options`; each accessor validates and names the JSON path.
  public init(options: ConfigObject) throws {
    let minLength = try options.int("min_length", default: 20, in: 1...100_000)
    let maxLength = try options.int("max_length", default: 100, in: minLength...100_000)
    let noise = try options.double("noise", default: 0.05, in: 0...1e6)
    self.init(minLength: minLength, maxLength: maxLength, noise: noise)
  }

  public let name = "exponential_decay"
  public let about = "template: noisy exponential decay exp(−k t/10) + noise, observed for 20–100 steps"
  public let parameters = [ParameterSpec("k", .interval(lower: 0.1, upper: 2))]
  public var observationShape: ObservationShape { .timeSeries(length: maxLength, channels: 1, variableLength: true) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    [rng.uniform(0.1, 2)]
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let length = minLength + rng.index(below: maxLength - minLength + 1)
    let values = (0..<length).map { t in Foundation.exp(-theta[0] * Double(t) / 10) + noise * rng.normal() }
    return Observation(values, length: length)
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    inPriorSupport(theta) ? -Foundation.log(1.9) : -.infinity
  }
}
