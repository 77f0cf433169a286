/// The re-simulation error: the mean Euclidean distance between the observation y* and the
/// simulator's output at the posterior draws,
///
///     E = (1/N) Σₙ ‖g(x̂ₙ) − y*‖₂
///
/// (Err_resim of Kruse et al. 2021, arXiv:2101.10763; not squared). `simulate` is g, applied to
/// each draw x̂ₙ.
public func resimulationError(draws: [[Double]], observation: [Double], simulate: ([Double]) -> [Double]) -> Double {
  precondition(!draws.isEmpty, "resimulationError: no draws")
  var total = 0.0
  for draw in draws {
    let y = simulate(draw)
    precondition(y.count == observation.count, "resimulationError: simulator gave \(y.count) values for a \(observation.count)-dimensional observation")
    var s = 0.0
    for (a, b) in zip(y, observation) { s += (a - b) * (a - b) }
    total += s.squareRoot()
  }
  return total / Double(draws.count)
}
