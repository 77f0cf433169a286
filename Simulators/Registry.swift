import BayesFlow

/// Every simulator the `bayesflow` tool knows by name. Add a new simulator here (see
/// docs/simulators.md).
public enum BuiltinSimulators {
  public static let registry = SimulatorRegistry([
    SimulatorFactory(name: "two_moons", about: TwoMoons().about) { _ in TwoMoons() },
    SimulatorFactory(name: "gaussian_linear", about: GaussianLinear().about) { options in
      GaussianLinear(dimension: try options.int("dimension", default: 10, in: 1...1000))
    },
    SimulatorFactory(name: "stellar_tracks", about: StellarTracks.summary) { options in
      try StellarTracks(config: options)
    },
  ])
}
