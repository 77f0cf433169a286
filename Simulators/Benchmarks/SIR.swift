import BayesFlow
import Foundation
import ODE
import Tensors

/// The SIR epidemic (sbibm `sir`): contact rate β and recovery rate γ from noisy prevalence.
///
/// Prior: β ~ LogNormal(log 0.4, 0.5), γ ~ LogNormal(log 0.125, 0.2) (independent; the second
/// argument is the sd of log θ). With N = 10⁶ and (S, I, R)(0) = (N − 1, 1, 0),
///
///     dS/dt = −β S I / N,   dI/dt = β S I / N − γ I,   dR/dt = γ I,
///
/// observed on days tₖ = 17k, k = 0…9 (every 17th day of sbibm's daily grid 0…160) as
/// xₖ ~ Binomial(1000, clamp(I(tₖ)/N, 0, 1)). (x₀ is almost always 0, as I(0)/N = 10⁻⁶.)
///
/// sbibm solves with Tsit5 at reltol = abstol = 10⁻⁸ (global error up to ~10⁻⁴ relative on
/// the small late-epidemic I). Here CVODE (Adams) at rtol = 10⁻¹⁰, atol = 10⁻¹² persons, which
/// is as fast on this problem and agrees with a fine-step RK4 to ~10⁻⁹ relative; it integrates
/// up to day 153, the last observed day. A failed solve (more than `maxSteps` steps, …) throws:
/// a failed simulation (sbibm returns NaN). The derived quantity R0 = β/γ is the basic
/// reproduction number.
public struct SIR: Simulator {
  public static let population = 1_000_000.0
  public static let trials = 1000
  /// Observation days 0, 17, …, 153.
  public static let days: [Double] = (0..<10).map { Double(17 * $0) }
  public static let priorMu = [log(0.4), log(0.125)]
  public static let priorSigma = [0.5, 0.2]

  /// The ODE solve's work limit (internal steps); beyond it the simulation fails.
  public let maxSteps: Int
  /// CVODE's rtol and atol (defaults 10⁻¹⁰, 10⁻¹²).
  public let relativeTolerance: Double
  public let absoluteTolerance: Double

  static let solvers = ThreadLocalODESolver(dimension: 3, method: .adams)

  public init(maxSteps: Int = 100_000, relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 1e-12) {
    self.maxSteps = maxSteps
    self.relativeTolerance = relativeTolerance
    self.absoluteTolerance = absoluteTolerance
  }

  public let name = "sir"
  public let about = "sbibm SIR epidemic: β, γ (log-normal priors), binomial prevalence at 10 days (ODE, CVODE)"
  public var parameters: [ParameterSpec] { [ParameterSpec("beta", .positive), ParameterSpec("gamma", .positive)] }
  public var observationShape: ObservationShape { .vector(10) }
  public var derivedQuantityNames: [String] { ["R0"] }
  public func derivedQuantities(_ theta: [Double]) -> [Double] { [theta[0] / theta[1]] }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    (0..<2).map { exp(SIR.priorMu[$0] + SIR.priorSigma[$0] * rng.normal()) }
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let infected = try infectedCurve(theta)
    var x = [Double](repeating: 0, count: SIR.days.count)
    for k in 0..<SIR.days.count {
      let p = min(max(infected[k] / SIR.population, 0), 1)
      guard p.isFinite else { throw SimulationFailure("sir: non-finite I(\(SIR.days[k])) for θ = \(theta)") }
      x[k] = Double(try Binomial(n: SIR.trials, p: p).sample(&rng))
    }
    return Observation(x)
  }

  /// The noise-free I(tₖ) at the 10 observation days; throws `ODEError` if the solve fails.
  public func infectedCurve(_ theta: [Double]) throws -> [Double] {
    let beta = theta[0], gamma = theta[1], n = SIR.population
    let options = ODEOptions(relativeTolerance: relativeTolerance,
                             absoluteTolerance: .scalar(absoluteTolerance), maxSteps: maxSteps)
    let states = try SIR.solvers.solver.solve(from: 0, initial: [n - 1, 1, 0], at: SIR.days,
                                              options: options) { _, y, dy in
      let infections = beta * y[0] * y[1] / n
      dy[0] = -infections
      dy[1] = infections - gamma * y[1]
      dy[2] = gamma * y[1]
    }
    return (0..<SIR.days.count).map { states[3 * $0 + 1] }
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    logNormalLogDensity(theta, mu: SIR.priorMu, sigma: SIR.priorSigma)
  }
}

/// Σᵢ log LogNormal(θᵢ; μᵢ, σᵢ) (−∞ unless every θᵢ > 0).
func logNormalLogDensity(_ theta: [Double], mu: [Double], sigma: [Double]) -> Double {
  var s = 0.0
  for i in 0..<theta.count {
    guard theta[i] > 0 else { return -.infinity }
    let l = log(theta[i]), z = (l - mu[i]) / sigma[i]
    s += -0.5 * z * z - l - log(sigma[i]) - 0.5 * log(2 * Double.pi)
  }
  return s
}
