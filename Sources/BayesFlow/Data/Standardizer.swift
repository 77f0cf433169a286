import Foundation

/// How observations are transformed before z-scoring.
/// How parameters with an interval support (a, b) reach the network's ℝ.
public enum IntervalParameterMap: String, Sendable, CaseIterable, Codable {
  /// logit((θ − a)/(b − a)), then z-scored: every value of ℝ is a valid θ.
  case logit
  /// z-scored only (the support counted as ℝ): the flow may put mass outside (a, b), which
  /// `Posterior` rejects at sampling time as neural posterior estimation does; no stretching of
  /// the mass near the bounds. Densities are then those of the untruncated flow.
  case affine

  /// The support the standardizer uses for a parameter of support `support`.
  public func standardizerSupport(_ support: ParameterSupport) -> ParameterSupport {
    if self == .affine, case .interval = support { return .real }
    return support
  }
}

public enum ObservationTransform: String, Sendable, CaseIterable, Codable {
  /// y unchanged.
  case none
  /// sign(y)·log(1 + |y|): compresses counts spanning orders of magnitude; odd, so it is
  /// defined for the occasional negative value of a noisy count.
  case log1p
}

/// The fixed maps between the user's spaces and the network's ("adapter").
///
/// Parameters: θ ↦ u = (g(θ) − m)/s per component, with g the support map (identity for ℝ,
/// log for θ > 0, logit((θ − a)/(b − a)) for θ ∈ (a, b)) and m, s the mean and sd of g(θ) over
/// a pilot batch from the prior. Its inverse maps network output back into the support, and
///
///     log p(θ | y) = log q(u | y) + Σᵢ log|dg/dθᵢ| − Σᵢ log sᵢ
///
/// with log|dg/dθ| = −log θ (positive) or log((b − a)/((θ − a)(b − θ))) (interval).
/// Observations: per channel (last axis), y ↦ (h(y) − μ_c)/σ_c with h from `ObservationTransform`,
/// statistics over the valid rows of the pilot batch; padded rows stay 0.
public struct Standardizer: Sendable, Equatable {
  public var supports: [ParameterSupport]
  public var parameterMean: [Double]
  public var parameterScale: [Double]
  public var observationTransform: ObservationTransform
  public var observationMean: [Double]
  public var observationScale: [Double]

  public init(supports: [ParameterSupport], parameterMean: [Double], parameterScale: [Double],
              observationTransform: ObservationTransform, observationMean: [Double], observationScale: [Double]) {
    self.supports = supports
    self.parameterMean = parameterMean
    self.parameterScale = parameterScale
    self.observationTransform = observationTransform
    self.observationMean = observationMean
    self.observationScale = observationScale
  }

  /// Estimates the statistics from a pilot batch (sd floored at 10⁻⁸·max(1, |mean|) and
  /// replaced by 1 for constant components, so a constant channel maps to 0).
  public init(fitting batch: SimulationBatch, supports: [ParameterSupport], observationTransform: ObservationTransform) {
    precondition(batch.count > 1, "the standardizer needs at least two simulations")
    let p = batch.parameterCount
    var mean = [Double](repeating: 0, count: p), m2 = mean
    for k in 0..<batch.count {
      for j in 0..<p {
        let u = Standardizer.toUnbounded(batch.parameters[k * p + j], supports[j])
        let d = u - mean[j]
        mean[j] += d / Double(k + 1)
        m2[j] += d * (u - mean[j])
      }
    }
    let n = Double(batch.count)
    self.supports = supports
    parameterMean = mean
    parameterScale = zip(m2, mean).map { Standardizer.scale(variance: $0 / (n - 1), mean: $1) }
    self.observationTransform = observationTransform
    let w = batch.width
    var om = [Double](repeating: 0, count: w), os = om, count = 0.0
    for k in 0..<batch.count {
      let base = k * batch.observationSize
      for r in 0..<Int(batch.lengths[k]) {
        count += 1
        for c in 0..<w {
          let v = Standardizer.transform(Double(batch.observations[base + r * w + c]), observationTransform)
          let d = v - om[c]
          om[c] += d / count
          os[c] += d * (v - om[c])
        }
      }
    }
    observationMean = om
    observationScale = zip(os, om).map { Standardizer.scale(variance: $0 / max(count - 1, 1), mean: $1) }
  }

  static func scale(variance: Double, mean: Double) -> Double {
    let sd = variance.squareRoot()
    return sd > 1e-8 * max(1, abs(mean)) && sd.isFinite ? sd : 1
  }

  /// g(θ): the support map to ℝ.
  @inline(__always)
  public static func toUnbounded(_ x: Double, _ support: ParameterSupport) -> Double {
    switch support {
    case .real: return x
    case .positive: return Foundation.log(x)
    case let .interval(a, b):
      let t = (x - a) / (b - a)
      return Foundation.log(t) - Foundation.log1p(-t)
    }
  }

  /// g⁻¹(u).
  @inline(__always)
  public static func fromUnbounded(_ u: Double, _ support: ParameterSupport) -> Double {
    switch support {
    case .real: return u
    case .positive: return Foundation.exp(u)
    case let .interval(a, b):
      let t = u >= 0 ? 1 / (1 + Foundation.exp(-u)) : Foundation.exp(u) / (1 + Foundation.exp(u))
      return a + (b - a) * t
    }
  }

  /// log|dg/dθ| at θ.
  @inline(__always)
  public static func logDerivative(_ x: Double, _ support: ParameterSupport) -> Double {
    switch support {
    case .real: return 0
    case .positive: return -Foundation.log(x)
    case let .interval(a, b): return Foundation.log(b - a) - Foundation.log(x - a) - Foundation.log(b - x)
    }
  }

  @inline(__always)
  static func transform(_ y: Double, _ t: ObservationTransform) -> Double {
    switch t {
    case .none: return y
    case .log1p: return y < 0 ? -Foundation.log1p(-y) : Foundation.log1p(y)
    }
  }

  public var parameterCount: Int { supports.count }

  /// u = (g(θ) − m)/s for θ [n, P] (row-major) into `out` [n, P].
  public func standardizeParameters<S: BinaryFloatingPoint>(_ theta: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<S>) {
    let p = parameterCount
    for k in 0..<(theta.count / p) {
      for j in 0..<p {
        out[k * p + j] = S((Standardizer.toUnbounded(theta[k * p + j], supports[j]) - parameterMean[j]) / parameterScale[j])
      }
    }
  }

  /// θ = g⁻¹(m + s·u) for u [n, P].
  public func unstandardizeParameters<S: BinaryFloatingPoint>(_ u: UnsafeBufferPointer<S>, into out: UnsafeMutableBufferPointer<Double>) {
    let p = parameterCount
    for k in 0..<(u.count / p) {
      for j in 0..<p {
        out[k * p + j] = Standardizer.fromUnbounded(parameterMean[j] + parameterScale[j] * Double(u[k * p + j]), supports[j])
      }
    }
  }

  /// log|∂u/∂θ| = Σⱼ (log|g′(θⱼ)| − log sⱼ) for one θ.
  public func logJacobian(_ theta: ArraySlice<Double>) -> Double {
    var s = 0.0
    for (j, x) in theta.enumerated() {
      s += Standardizer.logDerivative(x, supports[j]) - Foundation.log(parameterScale[j])
    }
    return s
  }

  /// Standardizes observations [n, rows, width] in place; rows at or beyond each length are set to 0.
  public func standardizeObservations(_ y: UnsafeMutableBufferPointer<Float>, lengths: UnsafeBufferPointer<Int32>, rows: Int) {
    let w = observationMean.count
    let size = rows * w
    for k in 0..<lengths.count {
      let base = k * size, valid = Int(lengths[k]) * w
      for i in 0..<valid {
        let c = i % w
        y[base + i] = Float((Standardizer.transform(Double(y[base + i]), observationTransform) - observationMean[c]) / observationScale[c])
      }
      for i in valid..<size { y[base + i] = 0 }
    }
  }
}
