import BayesFlow
import Foundation
import Tensors

/// Gaussian mixture (sbibm v1.1.0 `gaussian_mixture`): θ ~ U(−10, 10)², and one component
/// index per simulation, shared by both coordinates:
///
///     x ~ ½ N(θ, I₂) + ½ N(θ, 0.01·I₂)
///
/// (Before sbibm 1.1.0 the index was drawn once per batch; this is the fixed version.)
/// The posterior is ½ N(x, I) + ½ N(x, 0.01 I) truncated to the prior box; `samplePosterior`
/// draws from the untruncated mixture and rejects draws outside the box, which is exact
/// (the weights of the truncated components follow automatically).
public struct GaussianMixture: Simulator {
  public let bound = 10.0
  /// Standard deviations of the two equally weighted components.
  public let componentSDs = [1.0, 0.1]

  public init() {}

  public let name = "gaussian_mixture"
  public let about = "sbibm Gaussian mixture: θ ~ U(−10, 10)², x ~ ½N(θ, I) + ½N(θ, 0.01 I)"
  public var parameters: [ParameterSpec] {
    [ParameterSpec("theta1", .interval(lower: -bound, upper: bound)),
     ParameterSpec("theta2", .interval(lower: -bound, upper: bound))]
  }
  public var observationShape: ObservationShape { .vector(2) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    [rng.uniform(-bound, bound), rng.uniform(-bound, bound)]
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let sd = componentSDs[rng.uniform() < 0.5 ? 0 : 1]
    return Observation([theta[0] + sd * rng.normal(), theta[1] + sd * rng.normal()])
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    theta.allSatisfy({ abs($0) <= bound }) ? -2 * log(2 * bound) : -.infinity
  }

  /// `count` exact posterior draws given observation x (rejection on the prior box). The
  /// acceptance rate is the posterior mass of the box, near 1 for x simulated from the prior;
  /// an x far outside the box (‖x‖∞ ≫ 10) makes this loop very long.
  public func samplePosterior(_ x: [Double], count: Int, _ rng: inout RandomStream) -> [[Double]] {
    var out: [[Double]] = []
    out.reserveCapacity(count)
    while out.count < count {
      let sd = componentSDs[rng.uniform() < 0.5 ? 0 : 1]
      let t1 = x[0] + sd * rng.normal(), t2 = x[1] + sd * rng.normal()
      if abs(t1) <= bound && abs(t2) <= bound { out.append([t1, t2]) }
    }
    return out
  }
}
