import BayesFlow
import Tensors

/// The ten sbibm benchmark tasks (specs: /work/shared/specs/benchmark_tasks.md), and which of
/// them have an exactly sampleable posterior (closed form, or closed form and rejection on the
/// prior box). The accuracy check (docs/accuracy.md) compares trained posteriors with exact
/// draws by C2ST on those four, and checks the other six by simulation-based calibration.
public enum BenchmarkTasks {
  /// All task names, the four with exact posteriors first.
  public static let names = ["two_moons", "gaussian_linear", "gaussian_linear_uniform", "gaussian_mixture",
                             "slcp", "slcp_distractors", "bernoulli_glm", "bernoulli_glm_raw", "sir", "lotka_volterra"]

  /// The exact posterior sampler of `simulator` (as configured, e.g. its dimension), or nil.
  public static func exactPosterior(for simulator: any Simulator) -> ExactPosteriorSampler? {
    switch simulator {
    case let s as TwoMoons: return { x, n, rng in s.samplePosterior(x, count: n, &rng) }
    case let s as GaussianLinear: return { x, n, rng in s.samplePosterior(x, count: n, &rng) }
    case let s as GaussianLinearUniform: return { x, n, rng in s.samplePosterior(x, count: n, &rng) }
    case let s as GaussianMixture: return { x, n, rng in s.samplePosterior(x, count: n, &rng) }
    default: return nil
    }
  }
}
