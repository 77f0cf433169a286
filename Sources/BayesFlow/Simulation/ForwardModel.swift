/// A simulator that exposes its forward model g: θ ↦ y without noise, so that posterior draws
/// can be checked by re-simulation, ‖g(θ̂) − y*‖ (`resimulationError`).
///
/// `isDeterministic` says whether `simulate` is exactly g (no observation noise as configured);
/// the re-simulation error is only reported when it is.
public protocol ForwardModel: Simulator {
  /// Whether `simulate(θ, rng)` returns `forward(θ)` whatever the random stream.
  var isDeterministic: Bool { get }
  /// g(θ), the noise-free observation, as its values (row-major, `observationShape.count`).
  func forward(_ theta: [Double]) -> [Double]
}
