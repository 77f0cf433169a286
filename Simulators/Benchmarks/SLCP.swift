import BayesFlow
import Foundation
import Tensors

/// SLCP, simple likelihood and complex posterior (sbibm `slcp`; Papamakarios et al. 2019).
///
/// θ ~ U(−3, 3)⁵. With m = (θ₁, θ₂), s₁ = θ₃², s₂ = θ₄² (standard deviations), ρ = tanh θ₅,
///
///     S = [[s₁² + 10⁻⁶, ρ s₁ s₂], [ρ s₁ s₂, s₂² + 10⁻⁶]],    v_k ~ N(m, S), k = 1…4 i.i.d.,
///
/// and x = (v₁ₐ, v₁ᵦ, v₂ₐ, v₂ᵦ, v₃ₐ, v₃ᵦ, v₄ₐ, v₄ᵦ), point-major as in sbibm. The observation
/// is exposed as a set of 4 points in ℝ² (rows v_k), so a permutation-invariant summary
/// network fits it; its flat values are exactly sbibm's x. The posterior has four symmetric
/// modes (the signs of θ₃ and θ₄).
public struct SLCP: Simulator {
  public let bound = 3.0
  public static let points = 4

  public init() {}

  public let name = "slcp"
  public let about = "sbibm SLCP: θ ~ U(−3, 3)^5, 4 i.i.d. 2-D Gaussian points (a set), four-mode posterior"
  public var parameters: [ParameterSpec] {
    (1...5).map { ParameterSpec("theta\($0)", .interval(lower: -bound, upper: bound)) }
  }
  public var observationShape: ObservationShape { .set(count: SLCP.points, dimension: 2) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    (0..<5).map { _ in rng.uniform(-bound, bound) }
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    var x = [Double](repeating: 0, count: 2 * SLCP.points)
    SLCP.simulatePoints(theta, &rng, into: &x, at: 0)
    return Observation(x, length: SLCP.points)
  }

  /// Writes the 8 values of sbibm's x for θ into `x[offset ..< offset + 8]`.
  ///
  /// Each point is m + C z with z ~ N(0, I₂) and C the Cholesky factor of S:
  /// C₁₁ = √S₁₁, C₂₁ = S₁₂/C₁₁, C₂₂ = √(S₂₂ − C₂₁²) (S is positive definite: its diagonal
  /// exceeds s² by 10⁻⁶ and |ρ| < 1).
  static func simulatePoints(_ theta: [Double], _ rng: inout RandomStream,
                             into x: inout [Double], at offset: Int) {
    let s1 = theta[2] * theta[2], s2 = theta[3] * theta[3]
    let rho = tanh(theta[4])
    let c11 = (s1 * s1 + 1e-6).squareRoot()
    let c21 = rho * s1 * s2 / c11
    let c22 = max(s2 * s2 + 1e-6 - c21 * c21, 0).squareRoot()
    for k in 0..<SLCP.points {
      let z1 = rng.normal(), z2 = rng.normal()
      x[offset + 2 * k] = theta[0] + c11 * z1
      x[offset + 2 * k + 1] = theta[1] + c21 * z1 + c22 * z2
    }
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    theta.allSatisfy({ abs($0) <= bound }) ? -5 * log(2 * bound) : -.infinity
  }
}

/// SLCP with 92 distractors (sbibm `slcp_distractors`): the same prior and parameters as
/// `SLCP`, and x ∈ ℝ¹⁰⁰ is the 8 SLCP values followed by 92 noise values, permuted:
///
///     x[i] = concat(slcp_x, noise)[perm[i]]   (0-based),
///
/// noise ~ uniform mixture of 20 multivariate Student-t components (df = 2) in ℝ⁹²:
/// k ~ U{0…19}, z ~ N(0, I₉₂), w ~ χ²(2), noise = loc_k + L_k z √(2/w).
///
/// loc, L (lower triangular, 3·(tril(A) + diag(e^b))) and perm are sbibm's constants,
/// regenerated with legacy numpy (seed 42) by `scripts/benchmarks/export_sbibm_constants.py`
/// and read once from `Resources/benchmarks/`. The noise carries no information about θ, so
/// the reference posterior is SLCP's.
public struct SLCPDistractors: Simulator {
  public static let noiseDimension = 92
  public static let components = 20
  public static let dimension = 100

  /// The noise mixture and permutation.
  public let constants: DistractorConstants

  /// Throws a `BenchmarkResources.ResourceError` if the constants cannot be read.
  public init() throws {
    constants = try DistractorConstants.shared.get()
  }

  public let name = "slcp_distractors"
  public var about: String { SLCPDistractors.summary }
  /// The registry's one-line description (available without loading the constants).
  public static let summary = "sbibm SLCP with distractors: SLCP's 8 values among 92 Student-t mixture noise values (100, permuted)"
  public var parameters: [ParameterSpec] { SLCP().parameters }
  public var observationShape: ObservationShape { .vector(SLCPDistractors.dimension) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] { SLCP().samplePrior(&rng) }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    var joined = [Double](repeating: 0, count: SLCPDistractors.dimension)
    SLCP.simulatePoints(theta, &rng, into: &joined, at: 0)
    constants.sampleNoise(&rng, into: &joined, at: 8)
    let perm = constants.permutation
    return Observation((0..<SLCPDistractors.dimension).map { joined[perm[$0]] })
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? { SLCP().priorLogDensity(theta) }
}

/// The fixed constants of `slcp_distractors`: the Student-t mixture of the noise and the
/// permutation of the 100 values.
public struct DistractorConstants: Sendable {
  /// loc[k][i], 20 × 92.
  public let loc: [[Double]]
  /// The lower-triangular scale factors L_k packed by rows: L_k[i, j] (j ≤ i) at
  /// k·4278 + i(i+1)/2 + j.
  public let packedScaleTril: [Double]
  /// perm[i]: x[i] = concat(slcp_x, noise)[perm[i]].
  public let permutation: [Int]
  /// Degrees of freedom of each Student-t component.
  public let degreesOfFreedom = 2.0

  static let triangle = 92 * 93 / 2

  /// Loaded once per process.
  static let shared: Result<DistractorConstants, Error> = Result { try DistractorConstants() }

  init() throws {
    let d = SLCPDistractors.noiseDimension, k = SLCPDistractors.components
    let values = try BenchmarkResources.float64s("slcp_distractors_noise.f64", count: k * d + k * DistractorConstants.triangle)
    loc = (0..<k).map { Array(values[($0 * d)..<($0 * d + d)]) }
    packedScaleTril = Array(values[(k * d)...])
    let perm = try BenchmarkResources.numbers("slcp_distractors_permutation.csv", count: SLCPDistractors.dimension)
    permutation = perm.map { Int($0) }
    guard Set(permutation) == Set(0..<SLCPDistractors.dimension), perm.allSatisfy({ $0 == $0.rounded() }) else {
      throw BenchmarkResources.ResourceError(file: "slcp_distractors_permutation.csv", reason: "not a permutation of 0..<100")
    }
  }

  /// L_k[i, j] (0 above the diagonal).
  public func scaleTril(_ k: Int, _ i: Int, _ j: Int) -> Double {
    j > i ? 0 : packedScaleTril[k * DistractorConstants.triangle + i * (i + 1) / 2 + j]
  }

  /// The inverse permutation: concat(slcp_x, noise)[j] = x[inversePermutation[j]].
  public var inversePermutation: [Int] {
    var inverse = [Int](repeating: 0, count: permutation.count)
    for (i, p) in permutation.enumerated() { inverse[p] = i }
    return inverse
  }

  /// One noise draw into `out[offset ..< offset + 92]`: k ~ U{0…19}, then
  /// loc_k + L_k z √(2/w), z ~ N(0, I), w ~ χ²(2) = −2 log U.
  public func sampleNoise(_ rng: inout RandomStream, into out: inout [Double], at offset: Int) {
    let d = SLCPDistractors.noiseDimension
    let k = rng.index(below: SLCPDistractors.components)
    var z = [Double](repeating: 0, count: d)
    for i in 0..<d { z[i] = rng.normal() }
    let w = -2 * log(rng.uniformOpen())
    let scale = (degreesOfFreedom / w).squareRoot()
    let locK = loc[k]
    packedScaleTril.withUnsafeBufferPointer { packed in
      var row = k * DistractorConstants.triangle
      for i in 0..<d {
        var s = 0.0
        for j in 0...i { s += packed[row + j] * z[j] }
        out[offset + i] = locK[i] + scale * s
        row += i + 1
      }
    }
  }
}
