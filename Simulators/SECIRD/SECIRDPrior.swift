import BayesFlow
import Foundation
import Tensors

/// The 34 independent marginal priors of `SECIRD`, before the constraints (see `SECIRD`).
///
/// Supports, as the standardizer maps them to ℝ: normal priors (change points) are `.real`;
/// log-normal and gamma priors `.positive`; uniform priors their interval; Beta priors (0, 1).
/// The von Mises phases φ are angles, drawn on (−π, π] (mean direction 0, κ = 0.01, so nearly
/// uniform); they get the interval (−π, π), whose logit map is smooth inside. The phase enters
/// the model only through |sin(πk/7 − φ/2)|, which has period 2π in φ, so the wrap at ±π is not
/// a discontinuity of the model, only of the coordinate; a draw of exactly π (probability
/// ≈ 2⁻⁵³) is redrawn.
struct SECIRDPrior: Sendable {
  /// Beta(a, b) moment-matched to mean 0.7, sd 0.17: a = 0.7²·((1 − 0.7)/0.17² − (1 − 0.7)).
  static let betaA = 0.7 * 0.7 * ((1 - 0.7) / (0.17 * 0.17) - (1 - 0.7))
  static let betaB = betaA * (1 / 0.7 - 1)

  static let supports: [ParameterSupport] = {
    let positive = ParameterSupport.positive
    var s = [ParameterSupport](repeating: .real, count: 4)           // t1…t4
    s += [ParameterSupport](repeating: positive, count: 4 + 5 + 1)    // dt, lambda, mu
    s += [ParameterSupport](repeating: .interval(lower: 0, upper: 1), count: 3)  // f
    s += [ParameterSupport](repeating: .interval(lower: -Double.pi, upper: Double.pi), count: 3)
    s += [ParameterSupport](repeating: positive, count: 3 + 1 + 3)    // L, E0, sigma
    s += [.interval(lower: 0.005, upper: 0.9), positive, positive, positive,
          .interval(lower: 1.0 / 14, upper: 1.0 / 3), .interval(lower: 0.01, upper: 0.3),
          .interval(lower: 1.0 / 14, upper: 1.0 / 3)]                   // alpha … d
    precondition(s.count == 34)
    return s
  }()

  let changePoints: [Normal]
  let rampLength: LogNormal
  let contactRates: [LogNormal]
  let mu: LogNormal
  let amplitude: Beta
  let phase: VonMises
  let delay: LogNormal
  let exposed0: Gamma
  let noiseScale: Gamma
  let alpha: Uniform
  let beta: LogNormal
  let gamma: LogNormal
  let eta: LogNormal
  let theta: Uniform
  let delta: Uniform
  let d: Uniform

  init() throws {
    changePoints = try [Normal(mean: 8, sd: 3), Normal(mean: 15, sd: 1),
                        Normal(mean: 22, sd: 1), Normal(mean: 35, sd: 1)]
    rampLength = try LogNormal(mu: log(3), sigma: 0.3)
    contactRates = try [1.2, 0.6, 0.3, 0.1, 0.15].map { try LogNormal(mu: log($0), sigma: 0.5) }
    mu = try LogNormal(mu: log(1.0 / 8), sigma: 0.2)
    amplitude = try Beta(a: SECIRDPrior.betaA, b: SECIRDPrior.betaB)
    phase = try VonMises(mu: 0, kappa: 0.01)
    delay = try LogNormal(mu: log(8), sigma: 0.2)
    exposed0 = try Gamma(shape: 2, scale: 30)
    noiseScale = try Gamma(shape: 1, scale: 5)
    alpha = try Uniform(lower: 0.005, upper: 0.9)
    beta = try LogNormal(mu: log(0.25), sigma: 0.3)
    gamma = try LogNormal(mu: log(1 / 6.5), sigma: 0.5)
    eta = try LogNormal(mu: log(1 / 3.2), sigma: 0.3)
    theta = try Uniform(lower: 1.0 / 14, upper: 1.0 / 3)
    delta = try Uniform(lower: 0.01, upper: 0.3)
    d = try Uniform(lower: 1.0 / 14, upper: 1.0 / 3)
  }

  /// One unconstrained draw of all 34 values, in `SECIRD.parameterNames` order.
  func draw(into v: inout [Double], _ rng: inout RandomStream) {
    for k in 0..<4 { v[k] = changePoints[k].sample(&rng) }
    for k in 4..<8 { v[k] = rampLength.sample(&rng) }
    for k in 0..<5 { v[8 + k] = contactRates[k].sample(&rng) }
    v[13] = mu.sample(&rng)
    for k in 14..<17 { v[k] = amplitude.sample(&rng) }
    for k in 17..<20 { v[k] = phase.sample(&rng) }
    for k in 20..<23 { v[k] = delay.sample(&rng) }
    v[23] = exposed0.sample(&rng)
    for k in 24..<27 { v[k] = noiseScale.sample(&rng) }
    v[27] = alpha.sample(&rng)
    v[28] = beta.sample(&rng)
    v[29] = gamma.sample(&rng)
    v[30] = eta.sample(&rng)
    v[31] = theta.sample(&rng)
    v[32] = delta.sample(&rng)
    v[33] = d.sample(&rng)
  }
}
