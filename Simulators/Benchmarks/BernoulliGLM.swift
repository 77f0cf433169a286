import BayesFlow
import Foundation
import Tensors

/// Bernoulli GLM (sbibm `bernoulli_glm` and `bernoulli_glm_raw`): a neuron's spike train under
/// a white-noise stimulus, with an offset and a 9-tap temporal filter.
///
/// Stimulus Iₜ = `np.random.RandomState(42).randn(100)` cast to float32 (t = 0…99, read from
/// `Resources/benchmarks/bernoulli_glm_stimulus.csv`). Design X (100 × 10): X[t, 0] = 1,
/// X[t, j+1] = I_{t−j} for t ≥ j, else 0 (j = 0…8).
///
/// Prior θ ~ N(0, B⁻¹) with precision B[0, 0] = ½ (offset variance 2), B[1:, 1:] = FᵀF,
/// F = D² + diag(√(i/9)), i = 0…8, D = I₉ − (ones on the first sub-diagonal), which favours
/// smooth filters; B[0, 1:] = 0.
///
/// Simulator: ψ = Xθ, yₜ ~ Bernoulli(σ(ψₜ)) (σ logistic). The raw task observes y (100
/// binary values); the summary task observes x = Xᵀy = (Σyₜ, sta₀, …, sta₈),
/// sta_j = Σ_{t≥j} yₜ I_{t−j} (sbibm's conv1d, which equals Xᵀy).
public struct BernoulliGLM: Simulator {
  public static let steps = 100
  public static let filterLength = 9

  /// true: observe the spike train (`bernoulli_glm_raw`); false: the sufficient statistics Xᵀy.
  public let raw: Bool
  public let constants: GLMConstants

  /// Throws a `BenchmarkResources.ResourceError` if the stimulus cannot be read.
  public init(raw: Bool = false) throws {
    self.raw = raw
    constants = try GLMConstants.shared.get()
  }

  public var name: String { raw ? "bernoulli_glm_raw" : "bernoulli_glm" }
  public var about: String { BernoulliGLM.about(raw: raw) }
  /// The registry's one-line description (available without loading the stimulus).
  public static func about(raw: Bool) -> String {
    raw ? "sbibm Bernoulli GLM, raw: 10 parameters (offset + 9-tap filter), 100 binary spikes observed"
        : "sbibm Bernoulli GLM: 10 parameters (offset + 9-tap filter), sufficient statistics Xᵀy (10)"
  }
  public var parameters: [ParameterSpec] { (1...10).map { ParameterSpec("theta\($0)") } }
  public var observationShape: ObservationShape { .vector(raw ? BernoulliGLM.steps : 10) }

  /// θ = L z with L the Cholesky factor of B⁻¹, z ~ N(0, I₁₀).
  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    constants.prior.sample(&rng)
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let y = spikes(theta, &rng)
    return Observation(raw ? y : constants.sufficientStatistics(y))
  }

  /// y ∈ {0, 1}¹⁰⁰: yₜ = [U < σ(ψₜ)], ψ = Xθ (computed from the stimulus directly).
  public func spikes(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
    let stimulus = constants.stimulus
    var y = [Double](repeating: 0, count: BernoulliGLM.steps)
    for t in 0..<BernoulliGLM.steps {
      var psi = theta[0]
      for j in 0...min(t, BernoulliGLM.filterLength - 1) { psi += theta[j + 1] * stimulus[t - j] }
      let p = 1 / (1 + exp(-psi))
      y[t] = rng.uniform() < p ? 1 : 0
    }
    return y
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    constants.prior.logDensity(theta)
  }
}

/// The fixed quantities of the Bernoulli GLM: stimulus, design matrix and prior.
public struct GLMConstants: Sendable {
  /// Iₜ, t = 0…99 (float32 values, exactly).
  public let stimulus: [Double]
  /// X, 100 rows of 10.
  public let designMatrix: [[Double]]
  /// The prior precision B (10 × 10).
  public let priorPrecision: [[Double]]
  /// The prior N(0, B⁻¹).
  public let prior: MultivariateNormal

  /// Loaded once per process.
  static let shared: Result<GLMConstants, Error> = Result { try GLMConstants() }

  init() throws {
    stimulus = try BenchmarkResources.numbers("bernoulli_glm_stimulus.csv", count: BernoulliGLM.steps)
    let stimulus = self.stimulus
    designMatrix = (0..<BernoulliGLM.steps).map { t in
      [1] + (0..<BernoulliGLM.filterLength).map { j in t >= j ? stimulus[t - j] : 0 }
    }
    priorPrecision = GLMConstants.precision()
    prior = try MultivariateNormal(mean: [Double](repeating: 0, count: 10),
                                   covariance: GLMConstants.invert(priorPrecision))
  }

  /// B: B[0, 0] = ½, B[1:, 1:] = FᵀF with F = D·D + diag(√(i/9)), D = I − subdiagonal ones.
  static func precision() -> [[Double]] {
    let m = BernoulliGLM.filterLength
    var d = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0..<m {
      d[i][i] = 1
      if i > 0 { d[i][i - 1] = -1 }
    }
    var f = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0..<m {
      for j in 0..<m {
        f[i][j] = (0..<m).reduce(0) { $0 + d[i][$1] * d[$1][j] }
      }
      f[i][i] += (Double(i) / Double(m)).squareRoot()
    }
    var b = [[Double]](repeating: [Double](repeating: 0, count: m + 1), count: m + 1)
    b[0][0] = 0.5
    for i in 0..<m {
      for j in 0..<m {
        b[i + 1][j + 1] = (0..<m).reduce(0) { $0 + f[$1][i] * f[$1][j] }
      }
    }
    return b
  }

  /// The inverse of a symmetric positive-definite matrix, by Gauss–Jordan elimination with
  /// partial pivoting (10 × 10, once).
  static func invert(_ a: [[Double]]) -> [[Double]] {
    let n = a.count
    var m = a.map { $0 + [Double](repeating: 0, count: n) }
    for i in 0..<n { m[i][n + i] = 1 }
    for c in 0..<n {
      let p = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
      m.swapAt(c, p)
      let pivot = m[c][c]
      for j in 0..<(2 * n) { m[c][j] /= pivot }
      for r in 0..<n where r != c {
        let factor = m[r][c]
        if factor != 0 { for j in 0..<(2 * n) { m[r][j] -= factor * m[c][j] } }
      }
    }
    var inverse = m.map { Array($0[n...]) }
    for i in 0..<n { for j in 0..<i { let s = 0.5 * (inverse[i][j] + inverse[j][i]); inverse[i][j] = s; inverse[j][i] = s } }
    return inverse
  }

  /// x = Xᵀy = (Σ yₜ, sta₀, …, sta₈), sta_j = Σ_{t≥j} yₜ I_{t−j}.
  public func sufficientStatistics(_ y: [Double]) -> [Double] {
    var x = [Double](repeating: 0, count: 10)
    x[0] = y.reduce(0, +)
    for j in 0..<BernoulliGLM.filterLength {
      var s = 0.0
      for t in j..<BernoulliGLM.steps { s += y[t] * stimulus[t - j] }
      x[j + 1] = s
    }
    return x
  }
}
