import BayesFlow
import Foundation
import Tensors

/// Gaussian linear (sbibm `gaussian_linear`): θ ~ N(0, 0.1·I_D), x ~ N(θ, 0.1·I_D), D = 10.
///
/// (0.1 is a variance, as in sbibm's code.) Conjugate: the exact posterior for one observation is
/// θ | x ~ N(0.5·x, 0.05·I), with log p(θ|x) = −½‖θ − 0.5x‖²/0.05 − (D/2)·log(2π·0.05).
public struct GaussianLinear: Simulator {
  public let dimension: Int
  public let priorVariance = 0.1
  public let noiseVariance = 0.1

  public init(dimension: Int = 10) { self.dimension = dimension }

  public let name = "gaussian_linear"
  public let about = "sbibm Gaussian linear: θ ~ N(0, 0.1 I), x ~ N(θ, 0.1 I), closed-form posterior"
  public var parameters: [ParameterSpec] { (1...dimension).map { ParameterSpec("theta\($0)") } }
  public var observationShape: ObservationShape { .vector(dimension) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    let sd = priorVariance.squareRoot()
    return (0..<dimension).map { _ in sd * rng.normal() }
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let sd = noiseVariance.squareRoot()
    return Observation(theta.map { $0 + sd * rng.normal() })
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    -0.5 * theta.reduce(0) { $0 + $1 * $1 } / priorVariance - 0.5 * Double(dimension) * log(2 * Double.pi * priorVariance)
  }

  /// Posterior mean and variance (per coordinate) for observation x.
  public func posterior(_ x: [Double]) -> (mean: [Double], variance: Double) {
    let v = 1 / (1 / priorVariance + 1 / noiseVariance)
    return (x.map { v * $0 / noiseVariance }, v)
  }

  /// log p(θ | x) in closed form.
  public func posteriorLogDensity(_ theta: [Double], _ x: [Double]) -> Double {
    let (m, v) = posterior(x)
    let q = zip(theta, m).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return -0.5 * q / v - 0.5 * Double(dimension) * log(2 * Double.pi * v)
  }

  /// Exact posterior draws.
  public func samplePosterior(_ x: [Double], count: Int, _ rng: inout RandomStream) -> [[Double]] {
    let (m, v) = posterior(x)
    let sd = v.squareRoot()
    return (0..<count).map { _ in m.map { $0 + sd * rng.normal() } }
  }
}
