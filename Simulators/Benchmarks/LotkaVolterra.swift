import BayesFlow
import Foundation
import ODE
import Tensors

/// Lotka–Volterra predator–prey dynamics (sbibm `lotka_volterra`).
///
/// Prior: α, β, γ, δ independent LogNormal(μ, 0.5) with μ = (−0.125, −3, −0.125, −3)
/// (medians 0.8825, 0.0498, 0.8825, 0.0498). With (x, y)(0) = (30, 1) (prey, predator),
///
///     dx/dt = α x − β x y,   dy/dt = −γ y + δ x y,
///
/// observed at tₖ = 2.1k, k = 0…9 (every 21st point of sbibm's grid 0, 0.1, …, 20), with
/// multiplicative log-normal noise: obs = uₖ·e^{0.1 εₖ} with uₖ clamped to [10⁻¹⁰, 10⁴]
/// (i.e. LogNormal(log clamp(uₖ), 0.1)). Observation: the 10 prey values, then the 10 predator
/// values (20).
///
/// sbibm solves with Tsit5 at reltol = abstol = 10⁻⁸ (global error ~10⁻⁶–10⁻⁵ relative after
/// several cycles). Here CVODE (Adams) at rtol = 10⁻¹⁰, atol = 10⁻¹², which agrees with a
/// fine-step RK4 to ~10⁻⁸ relative at about 1.4× the cost of 10⁻⁸; it integrates up to
/// t = 18.9, the last observed time. A failed solve (more than `maxSteps` steps, overflow, …)
/// throws: a failed simulation (sbibm returns NaN).
public struct LotkaVolterra: Simulator {
  public static let initialState = [30.0, 1.0]
  /// Observation times 0, 2.1, …, 18.9.
  public static let times: [Double] = (0..<10).map { Double(21 * $0) / 10 }
  public static let priorMu = [-0.125, -3, -0.125, -3]
  public static let priorSigma = [0.5, 0.5, 0.5, 0.5]
  public static let noiseSD = 0.1

  /// The ODE solve's work limit (internal steps); beyond it the simulation fails.
  public let maxSteps: Int
  /// CVODE's rtol and atol (defaults 10⁻¹⁰, 10⁻¹²).
  public let relativeTolerance: Double
  public let absoluteTolerance: Double

  static let solvers = ThreadLocalODESolver(dimension: 2, method: .adams)

  public init(maxSteps: Int = 100_000, relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 1e-12) {
    self.maxSteps = maxSteps
    self.relativeTolerance = relativeTolerance
    self.absoluteTolerance = absoluteTolerance
  }

  public let name = "lotka_volterra"
  public let about = "sbibm Lotka–Volterra: α, β, γ, δ (log-normal priors), log-normal noisy populations at 10 times (ODE, CVODE)"
  public var parameters: [ParameterSpec] { ["alpha", "beta", "gamma", "delta"].map { ParameterSpec($0, .positive) } }
  public var observationShape: ObservationShape { .vector(20) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    (0..<4).map { exp(LotkaVolterra.priorMu[$0] + LotkaVolterra.priorSigma[$0] * rng.normal()) }
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    var u = try populations(theta)
    for k in 0..<u.count {
      guard u[k].isFinite else { throw SimulationFailure("lotka_volterra: non-finite population for θ = \(theta)") }
      u[k] = min(max(u[k], 1e-10), 1e4) * exp(LotkaVolterra.noiseSD * rng.normal())
    }
    return Observation(u)
  }

  /// The noise-free populations in observation order (prey at the 10 times, then predator);
  /// throws `ODEError` if the solve fails.
  public func populations(_ theta: [Double]) throws -> [Double] {
    let alpha = theta[0], beta = theta[1], gamma = theta[2], delta = theta[3]
    let options = ODEOptions(relativeTolerance: relativeTolerance,
                             absoluteTolerance: .scalar(absoluteTolerance), maxSteps: maxSteps)
    let states = try LotkaVolterra.solvers.solver.solve(from: 0, initial: LotkaVolterra.initialState,
                                                        at: LotkaVolterra.times, options: options) { _, u, du in
      let x = u[0], y = u[1]
      du[0] = alpha * x - beta * x * y
      du[1] = -gamma * y + delta * x * y
    }
    let m = LotkaVolterra.times.count
    return (0..<m).map { states[2 * $0] } + (0..<m).map { states[2 * $0 + 1] }
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    logNormalLogDensity(theta, mu: LotkaVolterra.priorMu, sigma: LotkaVolterra.priorSigma)
  }
}
