import BayesFlow
import Foundation
import Tensors

/// Gaussian linear with a uniform prior (sbibm `gaussian_linear_uniform`):
/// θ ~ U(−1, 1)^D, x ~ N(θ, 0.1·I_D), D = 10 (0.1 is a variance).
///
/// The posterior factorises: each θᵢ | x is N(xᵢ, 0.1) truncated to [−1, 1], so
/// `samplePosterior` draws exactly (per-coordinate truncated normals) and
/// `posteriorLogDensity` is closed form.
public struct GaussianLinearUniform: Simulator {
  public let dimension: Int
  public let noiseVariance = 0.1
  public let bound = 1.0

  public init(dimension: Int = 10) { self.dimension = dimension }

  public let name = "gaussian_linear_uniform"
  public let about = "sbibm Gaussian linear, uniform prior: θ ~ U(−1, 1)^10, x ~ N(θ, 0.1 I), truncated-normal posterior"
  public var parameters: [ParameterSpec] {
    (1...dimension).map { ParameterSpec("theta\($0)", .interval(lower: -bound, upper: bound)) }
  }
  public var observationShape: ObservationShape { .vector(dimension) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    (0..<dimension).map { _ in rng.uniform(-bound, bound) }
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let sd = noiseVariance.squareRoot()
    return Observation(theta.map { $0 + sd * rng.normal() })
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    theta.allSatisfy({ abs($0) <= bound }) ? -Double(dimension) * log(2 * bound) : -.infinity
  }

  /// The posterior of θᵢ given x: N(xᵢ, 0.1) truncated to [−1, 1], independently for each i.
  public func posteriorMarginals(_ x: [Double]) -> [TruncatedNormal] {
    let sd = noiseVariance.squareRoot()
    // The interval has positive mass for any finite x, so the initialiser cannot throw
    // except for a non-finite x.
    return x.map { try! TruncatedNormal(mean: $0, sd: sd, lower: -bound, upper: bound) }
  }

  /// log p(θ | x) in closed form (−∞ outside the box).
  public func posteriorLogDensity(_ theta: [Double], _ x: [Double]) -> Double {
    zip(posteriorMarginals(x), theta).reduce(0) { $0 + $1.0.logDensity($1.1) }
  }

  /// `count` exact posterior draws given observation x (finite values).
  public func samplePosterior(_ x: [Double], count: Int, _ rng: inout RandomStream) -> [[Double]] {
    let marginals = posteriorMarginals(x)
    return (0..<count).map { _ in marginals.map { $0.sample(&rng) } }
  }
}
