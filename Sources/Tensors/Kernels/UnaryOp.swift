/// Elementwise functions y = f(x) with their derivatives, applied by `Tensor.map(_:)`.
///
/// `alpha`/`beta` parameterise some of them (noted per case). Derivatives are written in terms
/// of x and y = f(x), whichever is cheaper.
public enum UnaryOp: UInt8, Sendable {
  /// eˣ; f′ = y.
  case exp
  /// ln x; f′ = 1/x.
  case log
  /// ln(1 + eˣ); f′ = σ(x).
  case softplus
  /// σ(x) = 1/(1 + e⁻ˣ); f′ = y(1 − y).
  case sigmoid
  /// tanh x; f′ = 1 − y².
  case tanh
  /// arctan x; f′ = 1/(1 + x²).
  case atan
  /// max(x, 0); f′ = [x > 0].
  case relu
  /// x for x > 0, α(eˣ − 1) otherwise; f′ = 1 or y + α.
  case elu
  /// x for x > 0, αx otherwise.
  case leakyRelu
  /// x·σ(x) (SiLU / swish); f′ = σ(x)(1 + x(1 − σ(x))).
  case silu
  /// x·min(max(x + 3, 0), 6)/6 (hard SiLU, Keras `hard_silu`); f′ = 0, (2x + 3)/6 or 1.
  case hardSilu
  /// x·Φ(x), Φ the standard normal CDF (exact GELU); f′ = Φ(x) + x·φ(x).
  case gelu
  /// x·tanh(softplus(x)) (Mish); f′ = tanh(sp) + x·σ(x)(1 − tanh²(sp)).
  case mish
  /// x²; f′ = 2x.
  case square
  /// √x; f′ = 1/(2y).
  case sqrt
  /// |x|; f′ = sign(x) (0 at 0).
  case abs
  /// min(max(x, α), β); f′ = [α ≤ x ≤ β].
  case clamp
  /// αx + β; f′ = α.
  case affine
  /// 1/x; f′ = −y².
  case reciprocal
  /// Soft clamp (2α/π)·atan(x/α) (the seed's affine-coupling clamp, α = 1.9);
  /// f′ = 1/(1 + (x/α)²)·(2/π).
  case softClampAtan
  /// Soft clamp α·tanh(x/α); f′ = 1 − (y/α)².
  case softClampTanh
}

@usableFromInline
enum UnaryKernels {
  /// y = f(x) over n values; the switch is outside the loops, so each loop vectorises.
  @inline(__always)
  static func forward<S: TensorScalar>(_ op: UnaryOp, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>,
                                       _ n: Int, _ a: S, _ b: S) {
    switch op {
    case .exp: for i in 0..<n { y[i] = S.mexp(x[i]) }
    case .log: for i in 0..<n { y[i] = S.mlog(x[i]) }
    case .softplus:
      for i in 0..<n {
        let v = x[i]
        let av = v < 0 ? -v : v
        y[i] = (v > 0 ? v : 0) + S.mlog(1 + S.mexp(-av))
      }
    case .sigmoid: for i in 0..<n { y[i] = 1 / (1 + S.mexp(-x[i])) }
    case .tanh: for i in 0..<n { y[i] = S.mtanh(x[i]) }
    case .atan: for i in 0..<n { y[i] = S.matan(x[i]) }
    case .relu: for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : 0 }
    case .elu: for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : a * (S.mexp(v) - 1) }
    case .leakyRelu: for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : a * v }
    case .silu: for i in 0..<n { let v = x[i]; y[i] = v / (1 + S.mexp(-v)) }
    case .hardSilu:
      for i in 0..<n {
        let v = x[i]
        let r = v + 3
        let c = r < 0 ? 0 : (r > 6 ? 6 : r)
        y[i] = v * c * (1 / 6)
      }
    case .gelu:
      for i in 0..<n {
        let v = x[i]
        y[i] = v * (S.mErfHalf(v))
      }
    case .mish:
      for i in 0..<n {
        let v = x[i]
        let av = v < 0 ? -v : v
        let sp = (v > 0 ? v : 0) + S.mlog(1 + S.mexp(-av))
        y[i] = v * S.mtanh(sp)
      }
    case .square: for i in 0..<n { y[i] = x[i] * x[i] }
    case .sqrt: for i in 0..<n { y[i] = x[i].squareRoot() }
    case .abs: for i in 0..<n { let v = x[i]; y[i] = v < 0 ? -v : v }
    case .clamp: for i in 0..<n { let v = x[i]; y[i] = v < a ? a : (v > b ? b : v) }
    case .affine: for i in 0..<n { y[i] = a * x[i] + b }
    case .reciprocal: for i in 0..<n { y[i] = 1 / x[i] }
    case .softClampAtan:
      let k = 2 * a / S.pi, inv = 1 / a
      for i in 0..<n { y[i] = k * S.matan(x[i] * inv) }
    case .softClampTanh:
      let inv = 1 / a
      for i in 0..<n { y[i] = a * S.mtanh(x[i] * inv) }
    }
  }

  /// Whether the derivative is written with y = f(x) (so y must be kept to differentiate).
  @inline(__always)
  static func derivativeUsesOutput(_ op: UnaryOp) -> Bool {
    switch op {
    case .exp, .sigmoid, .tanh, .elu, .sqrt, .reciprocal, .softClampTanh: return true
    default: return false
    }
  }

  /// Whether the op's derivative is written with σ(x), which the forward pass can save.
  @inline(__always)
  static func savesSigmoid(_ op: UnaryOp) -> Bool { op == .silu || op == .softplus }

  /// y = f(x) and s = σ(x) for `silu` (y = x·s) and `softplus` (y = max(x,0) + log(1 + e^−|x|)).
  @inline(__always)
  static func forwardSavingSigmoid<S: TensorScalar>(_ op: UnaryOp, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>,
                                                    _ s: UnsafeMutablePointer<S>, _ n: Int) {
    switch op {
    case .silu:
      for i in 0..<n {
        let v = x[i]
        let sg = 1 / (1 + S.mexp(-v))
        s[i] = sg
        y[i] = v * sg
      }
    case .softplus:
      for i in 0..<n {
        let v = x[i]
        let av = v < 0 ? -v : v
        let e = S.mexp(-av)
        y[i] = (v > 0 ? v : 0) + S.mlog(1 + e)
        let r = 1 / (1 + e)
        s[i] = v > 0 ? r : e * r
      }
    default:
      preconditionFailure("\(op) does not save σ(x)")
    }
  }

  /// gx += gy·f′(x) from s = σ(x): silu f′ = s(1 + x(1 − s)); softplus f′ = s.
  @inline(__always)
  static func backwardFromSigmoid<S: TensorScalar>(_ op: UnaryOp, _ x: UnsafePointer<S>, _ s: UnsafePointer<S>,
                                                   _ gy: UnsafePointer<S>, _ gx: UnsafeMutablePointer<S>, _ n: Int) {
    switch op {
    case .silu: for i in 0..<n { let sg = s[i]; gx[i] += gy[i] * sg * (1 + x[i] * (1 - sg)) }
    case .softplus: for i in 0..<n { gx[i] += gy[i] * s[i] }
    default: preconditionFailure("\(op) does not save σ(x)")
    }
  }

  /// gx += gy·f′(x) over n values (gx = gy·f′(x) when not `accumulate`).
  @inline(__always)
  static func backward<S: TensorScalar>(_ op: UnaryOp, _ x: UnsafePointer<S>, _ y: UnsafePointer<S>,
                                        _ gy: UnsafePointer<S>, _ gx: UnsafeMutablePointer<S>,
                                        _ n: Int, _ a: S, _ b: S, accumulate: Bool = true) {
    // gxᵢ += v (accumulate) or gxᵢ = v; `accumulate` is constant per call, so each loop is
    // specialised for one of the two.
    @inline(__always) func put(_ i: Int, _ v: S) { if accumulate { gx[i] += v } else { gx[i] = v } }
    switch op {
    case .exp: for i in 0..<n { put(i, gy[i] * y[i]) }
    case .log: for i in 0..<n { put(i, gy[i] / x[i]) }
    case .softplus: for i in 0..<n { put(i, gy[i] / (1 + S.mexp(-x[i]))) }
    case .sigmoid: for i in 0..<n { let s = y[i]; put(i, gy[i] * s * (1 - s)) }
    case .tanh: for i in 0..<n { let t = y[i]; put(i, gy[i] * (1 - t * t)) }
    case .atan: for i in 0..<n { let v = x[i]; put(i, gy[i] / (1 + v * v)) }
    case .relu: for i in 0..<n { put(i, x[i] > 0 ? gy[i] : 0) }
    case .elu: for i in 0..<n { put(i, x[i] > 0 ? gy[i] : gy[i] * (y[i] + a)) }
    case .leakyRelu: for i in 0..<n { put(i, x[i] > 0 ? gy[i] : gy[i] * a) }
    case .silu:
      for i in 0..<n {
        let v = x[i]
        let s = 1 / (1 + S.mexp(-v))
        put(i, gy[i] * s * (1 + v * (1 - s)))
      }
    case .hardSilu:
      for i in 0..<n {
        let v = x[i]
        let d = v < -3 ? 0 : (v > 3 ? 1 : (2 * v + 3) * (1 / 6))
        put(i, gy[i] * d)
      }
    case .gelu:
      let c = 1 / (2 * S.pi).squareRoot()
      for i in 0..<n {
        let v = x[i]
        put(i, gy[i] * (S.mErfHalf(v) + v * c * S.mexp(-v * v / 2)))
      }
    case .mish:
      for i in 0..<n {
        let v = x[i]
        let av = v < 0 ? -v : v
        let sp = (v > 0 ? v : 0) + S.mlog(1 + S.mexp(-av))
        let t = S.mtanh(sp)
        let s = 1 / (1 + S.mexp(-v))
        put(i, gy[i] * (t + v * s * (1 - t * t)))
      }
    case .square: for i in 0..<n { put(i, gy[i] * 2 * x[i]) }
    case .sqrt: for i in 0..<n { put(i, gy[i] / (2 * y[i])) }
    case .abs: for i in 0..<n { let v = x[i]; put(i, v > 0 ? gy[i] : (v < 0 ? -gy[i] : 0)) }
    case .clamp: for i in 0..<n { let v = x[i]; put(i, (v >= a && v <= b) ? gy[i] : 0) }
    case .affine: for i in 0..<n { put(i, a * gy[i]) }
    case .reciprocal: for i in 0..<n { let r = y[i]; put(i, -(gy[i] * r * r)) }
    case .softClampAtan:
      let k = 2 / S.pi, inv = 1 / a
      for i in 0..<n { let u = x[i] * inv; put(i, gy[i] * k / (1 + u * u)) }
    case .softClampTanh:
      let inv = 1 / a
      for i in 0..<n { let u = y[i] * inv; put(i, gy[i] * (1 - u * u)) }
    }
  }
}

extension KernelMath where Self: BinaryFloatingPoint {
  /// Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF.
  @inline(__always) static func mErfHalf(_ x: Self) -> Self {
    (1 + Self.merf(x * 0.70710678118654752440)) * 0.5
  }
}
