import Tensors

/// Two-sided affine coupling: each half is scaled and shifted given the other half and `c`.
///
///     z₁ = x₁ ⊙ exp(s₁) + t₁,   (a₁, t₁) = g₁([x₂, c])
///     z₂ = x₂ ⊙ exp(s₂) + t₂,   (a₂, t₂) = g₂([z₁, c])
///     s = (2α/π)·atan(a/α)  (soft clamp, α = 1.9: |s| < α),  or α·tanh(a/α),  or s = a
///     log|det ∂z/∂x| = Σ s₁ + Σ s₂
///     inverse: x₂ = (z₂ − t₂) ⊙ exp(−s₂), then x₁ = (z₁ − t₁) ⊙ exp(−s₁)
///
/// x, z: [B, D]; c: [B, C]. Each subnet outputs [a | t] (P = 2 per component: the n log-scales
/// first, then the n shifts). Subnets' last layers start at zero, so a = t = 0 and the block
/// starts as the identity. Real NVP (Dinh et al. 2017) / GLOW coupling in FrEIA's form; the
/// skeleton (split, conditioning, subnets) is `TwoSidedCoupling`.
public typealias AffineCoupling<S: TensorScalar> = TwoSidedCoupling<AffineTransform<S>>

extension TwoSidedCoupling {
  /// An affine coupling block (see `AffineCoupling`).
  public convenience init<S>(dimension: Int, conditionDimension: Int = 0,
                             subnet: CouplingSubnetConfiguration = CouplingSubnetConfiguration(),
                             clamp: SoftClamp = .atan(1.9), rng: inout RandomStream)
  where Transform == AffineTransform<S> {
    self.init(dimension: dimension, conditionDimension: conditionDimension, transform: AffineTransform(clamp: clamp),
              subnet: subnet, rng: &rng)
  }
}

/// How the raw log-scale a is bounded: s = (2α/π)·atan(a/α), α·tanh(a/α), or not at all.
/// Both soft clamps have slope 1 at 0 and |s| < α.
public enum SoftClamp: Equatable, Sendable {
  case atan(Double)
  case tanh(Double)
  case none
}

/// y = x ⊙ exp(s) + t with s = clamp(a), from parameters [a | t] (P = 2); see `AffineCoupling`.
///
/// VJP (forward): x̄ = ȳ e^s, t̄ = ȳ, ā = (ȳ ⊙ (y − t) + ℓ̄)·s′(a).
/// VJP (inverse, x = (y − t) e^{−s}, log-det −Σs): ȳ = x̄ e^{−s}, t̄ = −x̄ e^{−s}, ā = −(x̄ ⊙ x + ℓ̄)·s′(a).
/// Saves s and e^{±s} per component. The clamp, its derivative and the exponential run as the
/// engine's vectorised unary kernels, one call per row.
public final class AffineTransform<S: TensorScalar>: CouplingTransform {
  public typealias Scalar = S
  public let clamp: SoftClamp

  public init(clamp: SoftClamp = .atan(1.9)) {
    switch clamp {
    case .atan(let a), .tanh(let a): precondition(a > 0, "soft clamp α must be positive, got \(a)")
    case .none: break
    }
    self.clamp = clamp
  }

  public var parametersPerComponent: Int { 2 }
  public var savedScalarsPerComponent: Int { 2 }
  public var savesIndices: Bool { false }
  /// Forward: s and e when not saved; backward: raw a, s̄ and ā.
  public func scratchScalars(rows: Int, count: Int) -> Int { 3 * rows * count }

  public func run(_ k: CouplingKernelArguments) {
    AffineKernel(k: k, clamp: clamp).run(specializedFor: S.self)
  }
}

/// Saved layout: s of every component, then e^{±s} of every component (row-major [B, n] each).
private struct AffineKernel: ScalarKernel {
  let k: CouplingKernelArguments
  let clamp: SoftClamp

  func run<T: TensorScalar>(_: T.Type) {
    let total = k.rows * k.count
    // Forward: s and e (local unless saved). Backward: raw a, s̄ and ā (clamp VJP output).
    let local = k.scratch!.typed(T.self)
    let saved = k.saved?.typed(T.self)
    let s = saved ?? local, e = saved.map { $0 + total } ?? local + total
    if k.pass == .forward { forward(s: s, e: e) } else { backward(s: s, e: e, scratch: local) }
  }

  /// The engine's unary op for the clamp and its α (nil: no clamp).
  private var op: (UnaryOp, Double)? {
    switch clamp {
    case .atan(let a): return (.softClampAtan, a)
    case .tanh(let a): return (.softClampTanh, a)
    case .none: return nil
    }
  }

  /// a [B, n], gathered from the raw parameters [a | t] of every row.
  private func gatherLogScales<T: TensorScalar>(into a: UnsafeMutablePointer<T>) {
    let n = k.count, h = k.parameters.typed(T.self)
    for b in 0..<k.rows { (a + b * n).update(from: h + b * k.parameterStride, count: n) }
  }

  private func forward<T: TensorScalar>(s: UnsafeMutablePointer<T>, e: UnsafeMutablePointer<T>) {
    let n = k.count, w = k.width, total = k.rows * n
    gatherLogScales(into: s)
    if let (op, alpha) = op { T.unaryForward(op, s, s, count: total, alpha: T(alpha), beta: 0) }
    let sign: T = k.inverse ? -1 : 1
    for i in 0..<total { e[i] = sign * s[i] }
    T.unaryForward(.exp, e, e, count: total, alpha: 0, beta: 0)
    let x = k.state.typed(T.self), y = k.output.typed(T.self), h = k.parameters.typed(T.self)
    for b in 0..<k.rows {
      let xr = x + b * w + k.offset, yr = y + b * w + k.offset, t = h + b * k.parameterStride + n
      let sr = s + b * n, er = e + b * n
      var ld: T = 0
      for j in 0..<n { ld += sr[j] }
      if k.inverse {
        for j in 0..<n { yr[j] = (xr[j] - t[j]) * er[j] }
      } else {
        for j in 0..<n { yr[j] = xr[j] * er[j] + t[j] }
      }
      y[b * w + w - 1] += sign * ld
    }
  }

  private func backward<T: TensorScalar>(s: UnsafeMutablePointer<T>, e: UnsafeMutablePointer<T>,
                                         scratch: UnsafeMutablePointer<T>) {
    let n = k.count, w = k.width, total = k.rows * n
    let gy = k.outputGradient!.typed(T.self), y = k.output.typed(T.self), h = k.parameters.typed(T.self)
    if let gx = k.stateGradient?.typed(T.self) {
      for b in 0..<k.rows {
        let gyr = gy + b * w + k.offset, gxr = gx + b * w + k.offset, er = e + b * n
        for j in 0..<n { gxr[j] += gyr[j] * er[j] }
      }
    }
    guard let gh = k.parametersGradient?.typed(T.self) else { return }
    let gs = scratch, a = scratch + total, ga = scratch + 2 * total
    for b in 0..<k.rows {
      let gyr = gy + b * w + k.offset, gl = gy[b * w + w - 1], yr = y + b * w + k.offset
      let t = h + b * k.parameterStride + n, gt = gh + b * k.parameterStride + n, er = e + b * n, gsr = gs + b * n
      if k.inverse {  // x = (y − t)e^{−s}: ∂x/∂s = −x, ∂x/∂t = −e^{−s}; log-det −Σs
        for j in 0..<n { gt[j] -= gyr[j] * er[j]; gsr[j] = -(gyr[j] * yr[j] + gl) }
      } else {  // y = x e^s + t: ∂y/∂s = y − t
        for j in 0..<n { gt[j] += gyr[j]; gsr[j] = gyr[j] * (yr[j] - t[j]) + gl }
      }
    }
    var source = gs  // ā = s̄·s′(a)
    if let (op, alpha) = op {
      gatherLogScales(into: a)
      ga.update(repeating: 0, count: total)
      T.unaryBackward(op, a, s, gs, ga, count: total, alpha: T(alpha), beta: 0)
      source = ga
    }
    for b in 0..<k.rows {
      let gar = gh + b * k.parameterStride, src = source + b * n
      for j in 0..<n { gar[j] += src[j] }
    }
  }
}
