import BayesFlow
import Tensors

/// The conjugate normal model behind the diagnostics tests: θ ~ N(0, 1), y | θ ~ N(θ, 1), so the
/// exact posterior is θ | y ~ N(y/2, 1/2). A posterior approximation is simulated by drawing
/// from N(y/2 + shift·√½, (scale·√½)²): scale 1, shift 0 is exact; scale 0.5 is over-confident;
/// shift 1 is biased by one posterior sd.
struct ConjugateNormalFixture {
  var scale = 1.0
  var shift = 0.0

  /// M truths (one parameter) and L posterior draws for each, from `rng`.
  func sample(simulations m: Int, draws l: Int, rng: inout RandomStream) -> (truths: [[Double]], draws: PosteriorDraws) {
    let sd = (0.5).squareRoot()
    var truths: [[Double]] = [], values: [Double] = []
    truths.reserveCapacity(m)
    values.reserveCapacity(m * l)
    for _ in 0..<m {
      let theta = rng.normal()
      let y = theta + rng.normal()
      truths.append([theta])
      let center = y / 2 + shift * sd
      for _ in 0..<l { values.append(center + scale * sd * rng.normal()) }
    }
    return (truths, PosteriorDraws(simulations: m, draws: l, parameters: 1, values: values))
  }
}
