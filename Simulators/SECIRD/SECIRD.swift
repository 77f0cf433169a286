import BayesFlow
import ODE
import Tensors

/// The SECIRD COVID-19 model of OutbreakFlow (Radev et al. 2021), as a continuous ODE on CVODE,
/// with the authors' intervention, observation and prior models (specs/secird_covid.md).
///
/// States in persons: susceptible S, exposed E, carrier C, detected infectious I, recovered R,
/// dead D, and the cumulative reported flows I_cum, R_cum, D_cum:
///
///     dS/dt = −λ(t)·(C + βI)/N·S
///     dE/dt =  λ(t)·(C + βI)/N·S − γE
///     dC/dt =  γE − (1−α)ηC − αθC
///     dI/dt =  (1−α)ηC − (1−δ)μI − δ·d·I
///     dR/dt =  αθC + (1−δ)μI
///     dD/dt =  δ·d·I
///     dI_cum/dt = (1−α)ηC,   dR_cum/dt = (1−δ)μI,   dD_cum/dt = δ·d·I
///
/// from S = N − E₀, E = E₀ = max(1, rint(E₀)), all others 0, on simulation days 0…T+ℓ
/// (T observed days, burn-in ℓ; observation day k is simulation day k + ℓ). λ(t) is the
/// `ContactRateSchedule`. CVODE Adams–Moulton, rtol 10⁻⁶, atol 10⁻⁶ persons on every state,
/// restarted at the knots of λ (`Integration.standard`); one solver per thread.
///
/// Observation (`expectedObservation`, then noise): daily new flows
/// newₓ[j] = max(0, Xcum(j+1) − Xcum(j)), j = 0 ..< T+ℓ; for day k = 0 ..< T and stream
/// X ∈ {confirmed (I), recovered (R), deceased (D)} with rounded delay Lₓ ∈ 0…ℓ,
///
///     rawₓ[k]  = newₓ[k + ℓ − Lₓ]
///     modₓ[k]  = (1 − fₓ)·(1 − |sin(πk/7 − φₓ/2)|)
///     meanₓ[k] = (1 − modₓ[k])·rawₓ[k]
///     obsₓ[k]  = max(0, meanₓ[k] + σₓ·√meanₓ[k]·τ),   τ ~ Student-t(4)
///
/// Observation: `.streams([confirmed, recovered, deceased], length: T)`, row k = day k,
/// values[3k + x].
///
/// Prior (34 parameters, in `parameters` order; LN(m, s) means ln X ~ N(m, s²)):
/// t1…t4 ~ N(8, 3), N(15, 1), N(22, 1), N(35, 1); dt1…dt4 ~ LN(ln 3, 0.3);
/// lambda0…lambda4 ~ LN(ln 1.2 / 0.6 / 0.3 / 0.1 / 0.15, 0.5); mu ~ LN(ln(1/8), 0.2);
/// f_I, f_R, f_D ~ Beta(4.9395, 2.1169) (mean 0.7, sd 0.17); phi_I, phi_R, phi_D ~
/// VonMises(0, κ = 0.01) on (−π, π); L_I, L_R, L_D ~ LN(ln 8, 0.2); E0 ~ Gamma(2, scale 30);
/// sigma_I, sigma_R, sigma_D ~ Gamma(1, scale 5); alpha ~ U(0.005, 0.9); beta ~ LN(ln 0.25, 0.3);
/// gamma ~ LN(ln(1/6.5), 0.5); eta ~ LN(ln(1/3.2), 0.3); theta ~ U(1/14, 1/3);
/// delta ~ U(0.01, 0.3); d ~ U(1/14, 1/3). A draw is kept only if its rounded change points,
/// ramps and delays satisfy 1 ≤ t₁ < t₂ < t₃ < t₄, Δtₖ ≥ 1, tₖ₊₁ − tₖ ≥ Δtₖ, T − t₄ ≥ Δt₄ and
/// 0 ≤ Lₓ ≤ ℓ (and every value lies inside its support); otherwise the whole vector is redrawn.
///
/// Differences from the authors' notebook: a continuous ODE instead of the clipped daily
/// difference scheme, and ramp 3 goes to λ₃ (the notebook's ramps 3 and 4 both go to λ₄).
public struct SECIRD: Simulator {
  /// One line for listings.
  public static let summary =
    "SECIRD COVID-19 ODE (OutbreakFlow): 34 parameters, 81 days × [confirmed, recovered, deceased]"

  /// Population size N (persons).
  public let population: Double
  /// Observed days T.
  public let observationDays: Int
  /// Burn-in ℓ: simulation days before observation day 0; also the longest reporting delay.
  public let lag: Int
  /// CVODE method and tolerances (`Integration.standard` unless set for a check).
  public var integration = Integration.standard

  public var name: String { "secird" }
  public var about: String { SECIRD.summary }

  /// Names of the 34 parameters, in θ order.
  public static let parameterNames = [
    "t1", "t2", "t3", "t4",
    "dt1", "dt2", "dt3", "dt4",
    "lambda0", "lambda1", "lambda2", "lambda3", "lambda4",
    "mu",
    "f_I", "f_R", "f_D",
    "phi_I", "phi_R", "phi_D",
    "L_I", "L_R", "L_D",
    "E0",
    "sigma_I", "sigma_R", "sigma_D",
    "alpha", "beta", "gamma", "eta", "theta", "delta", "d",
  ]

  /// The three observed streams, in channel order.
  public static let streamNames = ["confirmed", "recovered", "deceased"]

  public let parameters: [ParameterSpec]
  let prior: SECIRDPrior
  /// Standard Student-t(4) for the observation noise.
  let noise: StudentT

  /// The model for a population of `population` persons, `observationDays` observed days and a
  /// burn-in of `lag` days (the OutbreakFlow setting for Germany is the default). Throws
  /// `ConfigError` for values outside N ∈ [10⁴, 10¹⁰], T ∈ 40…1000, ℓ ∈ 12…60: the change-point
  /// prior puts t₄ near day 35 and the delay prior's 99th percentile is 12.8 days, so smaller
  /// T or ℓ would reject almost every prior draw.
  public init(population: Double = 83e6, observationDays: Int = 81, lag: Int = 15) throws {
    guard population.isFinite, population >= 1e4, population <= 1e10 else {
      throw ConfigError(path: "population", "expected a number in [10000, 1e10], got \(population)")
    }
    guard (40...1000).contains(observationDays) else {
      throw ConfigError(path: "observation_days", "expected an integer in 40...1000, got \(observationDays)")
    }
    guard (12...60).contains(lag) else {
      throw ConfigError(path: "lag", "expected an integer in 12...60, got \(lag)")
    }
    self.population = population
    self.observationDays = observationDays
    self.lag = lag
    prior = try SECIRDPrior()
    noise = try StudentT(df: 4)
    parameters = zip(SECIRD.parameterNames, SECIRDPrior.supports).map { ParameterSpec($0, $1) }
  }

  /// Reads the `simulator.options` of a config: `population` (default 83e6),
  /// `observation_days` (81), `lag` (15).
  public init(options: ConfigObject) throws {
    let population = try options.double("population", default: 83e6, in: 1e4...1e10)
    let days = try options.int("observation_days", default: 81, in: 40...1000)
    let lag = try options.int("lag", default: 15, in: 12...60)
    try self.init(population: population, observationDays: days, lag: lag)
  }

  public var observationShape: ObservationShape {
    .streams(SECIRD.streamNames.map { ObservationStream($0) }, length: observationDays,
             variableLength: false)
  }

  /// Simulated days T + ℓ: the ODE runs on [0, T + ℓ] with output at every integer day.
  public var simulationDays: Int { observationDays + lag }

  // MARK: Prior

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    var theta = [Double](repeating: 0, count: 34)
    repeat {
      prior.draw(into: &theta, &rng)
    } while !satisfiesConstraints(theta)
    return theta
  }

  /// Whether θ (34 values) lies inside every parameter's support and its rounded change points,
  /// ramp lengths and delays satisfy the prior's constraints (see the type's documentation).
  public func satisfiesConstraints(_ theta: [Double]) -> Bool {
    guard theta.count == 34 else { return false }
    for i in 0..<34 where !parameters[i].support.contains(theta[i]) { return false }
    let r = { (i: Int) in theta[i].rounded(.toNearestOrEven) }
    let t = (r(0), r(1), r(2), r(3)), dt = (r(4), r(5), r(6), r(7))
    guard t.0 >= 1, t.0 < t.1, t.1 < t.2, t.2 < t.3 else { return false }
    guard dt.0 >= 1, dt.1 >= 1, dt.2 >= 1, dt.3 >= 1 else { return false }
    guard t.1 - t.0 >= dt.0, t.2 - t.1 >= dt.1, t.3 - t.2 >= dt.2,
          Double(observationDays) - t.3 >= dt.3 else { return false }
    for i in 20..<23 where !(r(i) >= 0 && r(i) <= Double(lag)) { return false }
    return true
  }

  /// Supports and the prior's constraints.
  public func inPriorSupport(_ theta: [Double]) -> Bool { satisfiesConstraints(theta) }

  // MARK: Simulation

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    var observation = try expectedObservation(theta)
    addNoise(to: &observation.values, theta: theta, &rng)
    return observation
  }
}
