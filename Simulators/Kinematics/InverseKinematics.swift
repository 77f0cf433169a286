import BayesFlow
import Foundation
import Tensors

/// Inverse kinematics of a planar arm on a vertical rail (Kruse et al. 2021, "Benchmarking
/// invertible architectures on inverse problems"; `vislearn/inn_toy_data` kinematics.py).
///
/// Parameters x = (x₁ rail height, x₂, x₃, x₄ joint angles in radians), prior
/// x ~ N(0, diag(0.25², 0.5², 0.5², 0.5²)). Segment lengths l = (0.5, 0.5, 1). The arm starts
/// at (0, x₁); its end point is
///
///     y_h = l₁ cos x₂ + l₂ cos(x₂ + x₃) + l₃ cos(x₂ + x₃ + x₄)
///     y_v = x₁ + l₁ sin x₂ + l₂ sin(x₂ + x₃) + l₃ sin(x₂ + x₃ + x₄)
///
/// Observation y = (y_h, y_v), inn_toy_data's order (BayesFlow's benchmark uses (y_v, y_h));
/// the standard test point is y* = (1.5, 0). The benchmark is noise-free; the option `noise`
/// (σ ≥ 0, default 0) adds N(0, σ²) to each coordinate. `forward` is the deterministic g,
/// for the re-simulation error ‖g(x̂) − y*‖.
public struct InverseKinematics: Simulator {
  public static let priorSD = [0.25, 0.5, 0.5, 0.5]
  public static let lengths = (0.5, 0.5, 1.0)

  /// Standard deviation of the optional Gaussian observation noise (0: none).
  public let noise: Double

  public init(noise: Double = 0) {
    precondition(noise >= 0 && noise.isFinite, "InverseKinematics: noise must be finite and ≥ 0")
    self.noise = noise
  }

  public let name = "inverse_kinematics"
  public let about = "Planar arm on a rail (Kruse et al.): 4 parameters (height, 3 angles), end point (horizontal, vertical)"
  public var parameters: [ParameterSpec] { (1...4).map { ParameterSpec("x\($0)") } }
  public var observationShape: ObservationShape { .vector(2) }

  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    let s = InverseKinematics.priorSD
    let a = rng.normal(), b = rng.normal(), c = rng.normal(), d = rng.normal()
    return [s[0] * a, s[1] * b, s[2] * c, s[3] * d]
  }

  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    let (h, v) = InverseKinematics.endPoint(theta[0], theta[1], theta[2], theta[3])
    if noise > 0 {
      let eh = rng.normal(), ev = rng.normal()
      return Observation([h + noise * eh, v + noise * ev])
    }
    return Observation([h, v])
  }

  /// g(x) = (y_h, y_v), noise-free.
  public func forward(_ x: [Double]) -> [Double] {
    let (h, v) = InverseKinematics.endPoint(x[0], x[1], x[2], x[3])
    return [h, v]
  }

  /// g(x) without allocation, for the ABC baseline's inner loop.
  @inlinable
  public static func endPoint(_ x1: Double, _ x2: Double, _ x3: Double, _ x4: Double)
    -> (horizontal: Double, vertical: Double) {
    let a1 = x2, a2 = x2 + x3, a3 = a2 + x4
    let h = 0.5 * cos(a1) + 0.5 * cos(a2) + cos(a3)
    let v = x1 + 0.5 * sin(a1) + 0.5 * sin(a2) + sin(a3)
    return (h, v)
  }

  public func priorLogDensity(_ theta: [Double]) -> Double? {
    var s = 0.0
    for (x, sd) in zip(theta, InverseKinematics.priorSD) {
      s += -0.5 * (x / sd) * (x / sd) - log(sd) - 0.5 * log(2 * Double.pi)
    }
    return s
  }
}
