import BayesFlow

/// Every simulator the `bayesflow` tool knows by name. Add a new simulator here (see
/// docs/simulators.md).
public enum BuiltinSimulators {
  public static let registry = SimulatorRegistry([
    // sbibm v1.1.0 benchmark tasks (Lueckmann et al. 2021).
    SimulatorFactory(name: "two_moons", about: TwoMoons().about) { _ in TwoMoons() },
    SimulatorFactory(name: "gaussian_linear", about: GaussianLinear().about) { options in
      GaussianLinear(dimension: try options.int("dimension", default: 10, in: 1...1000))
    },
    SimulatorFactory(name: "gaussian_linear_uniform", about: GaussianLinearUniform().about) { options in
      GaussianLinearUniform(dimension: try options.int("dimension", default: 10, in: 1...1000))
    },
    SimulatorFactory(name: "gaussian_mixture", about: GaussianMixture().about) { _ in GaussianMixture() },
    SimulatorFactory(name: "slcp", about: SLCP().about) { _ in SLCP() },
    SimulatorFactory(name: "slcp_distractors", about: SLCPDistractors.summary) { _ in try SLCPDistractors() },
    SimulatorFactory(name: "bernoulli_glm", about: BernoulliGLM.about(raw: false)) { _ in try BernoulliGLM(raw: false) },
    SimulatorFactory(name: "bernoulli_glm_raw", about: BernoulliGLM.about(raw: true)) { _ in try BernoulliGLM(raw: true) },
    SimulatorFactory(name: "sir", about: SIR().about) { options in
      SIR(maxSteps: try options.int("max_steps", default: 100_000, in: 1...10_000_000))
    },
    SimulatorFactory(name: "lotka_volterra", about: LotkaVolterra().about) { options in
      LotkaVolterra(maxSteps: try options.int("max_steps", default: 100_000, in: 1...10_000_000))
    },
    // Kruse et al. (2021) toy inverse problem.
    SimulatorFactory(name: "inverse_kinematics", about: InverseKinematics().about) { options in
      InverseKinematics(noise: try options.double("noise", default: 0, in: 0...1e6))
    },
    // The template of docs/simulators.md.
    SimulatorFactory(name: "exponential_decay", about: ExponentialDecay().about) { options in
      try ExponentialDecay(options: options)
    },
    // Radev et al. (2021) OutbreakFlow: SECIRD COVID-19 model on CVODE.
    SimulatorFactory(name: "secird", about: SECIRD.summary) { options in
      try SECIRD(options: options)
    },
    // Ksoll et al. (2020): stellar parameters from photometry over PARSEC isochrones.
    SimulatorFactory(name: "stellar_tracks", about: StellarTracks.summary) { options in
      try StellarTracks(config: options)
    },
  ])
}
