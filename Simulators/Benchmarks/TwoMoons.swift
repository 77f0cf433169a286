import BayesFlow
import Foundation
import Tensors

/// Two moons (sbibm `two_moons`; Greenberg et al. 2019): a bimodal, crescent-shaped posterior.
///
/// Prior θ ~ U(−1, 1)². With a ~ U(−π/2, π/2), r ~ N(0.1, 0.01²) and p = (r cos a + 0.25, r sin a):
///
///     x = (p₁ − |θ₁ + θ₂|/√2,  p₂ + (θ₂ − θ₁)/√2)
///
/// Exact posterior sampler (`samplePosterior`): draw p as above with θ = 0, set
/// q = (p₁ − x₁, x₂ − p₂), flip q₁'s sign with probability ½, rotate by π/4:
/// θ = (c q₁ − s q₂, s q₁ + c q₂), c = s = 1/√2, and reject draws outside [−1, 1]².
public struct TwoMoons: Simulator {
  public init() {}
  public let name = "two_moons"
  public let about = "sbibm two moons: 2 parameters, 2-D observation, bimodal crescent posterior"
  public let parameters = [ParameterSpec("theta1", .interval(lower: -1, upper: 1)),
                           ParameterSpec("theta2", .interval(lower: -1, upper: 1))]
  public var observationShape: ObservationShape { .vector(2) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    [rng.uniform(-1, 1), rng.uniform(-1, 1)]
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let (p1, p2) = TwoMoons.crescentPoint(&rng)
    let s = 1 / 2.0.squareRoot()
    return Observation([p1 - abs(theta[0] + theta[1]) * s, p2 + (theta[1] - theta[0]) * s])
  }

  /// p = (r cos a + 0.25, r sin a), a ~ U(−π/2, π/2), r ~ N(0.1, 0.01²).
  static func crescentPoint(_ rng: inout RandomStream) -> (Double, Double) {
    let a = rng.uniform(-Double.pi / 2, Double.pi / 2)
    let r = 0.1 + 0.01 * rng.normal()
    return (r * cos(a) + 0.25, r * sin(a))
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    inPriorSupport(theta) ? -2 * log(2.0) : -.infinity
  }

  /// `count` exact posterior draws given observation x (rejection on the prior box).
  public func samplePosterior(_ x: [Double], count: Int, _ rng: inout RandomStream) -> [[Double]] {
    var out: [[Double]] = []
    let c = 1 / 2.0.squareRoot()
    while out.count < count {
      let (p1, p2) = TwoMoons.crescentPoint(&rng)
      var q1 = p1 - x[0]
      let q2 = x[1] - p2
      if rng.uniform() < 0.5 { q1 = -q1 }
      let t1 = c * q1 - c * q2, t2 = c * q1 + c * q2
      if abs(t1) <= 1 && abs(t2) <= 1 { out.append([t1, t2]) }
    }
    return out
  }
}
