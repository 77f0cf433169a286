import Tensors

/// Two-sided rational-quadratic spline coupling (Durkan et al. 2019, Neural Spline Flows).
///
///     z₁ = RQS(x₁; h₁),  h₁ = g₁([x₂, c]);   z₂ = RQS(x₂; h₂),  h₂ = g₂([z₁, c])
///     log|det ∂z/∂x| = Σ log RQS′(x₁; h₁) + Σ log RQS′(x₂; h₂)
///
/// Each component has its own monotone spline on [−B, B] with K bins (defaults K = 16, B = 5)
/// and the identity outside (see `RationalQuadraticTransform` for the spline). Subnets' last
/// layers start at zero, which gives equal bins and unit derivatives: the identity. x, z: [B, D];
/// c: [B, C]. The skeleton (split, conditioning, subnets) is `TwoSidedCoupling`.
public typealias SplineCoupling<S: TensorScalar> = TwoSidedCoupling<RationalQuadraticTransform<S>>

extension TwoSidedCoupling {
  /// A rational-quadratic spline coupling block (see `SplineCoupling`).
  public convenience init<S>(dimension: Int, conditionDimension: Int = 0,
                             subnet: CouplingSubnetConfiguration = CouplingSubnetConfiguration(),
                             bins: Int = 16, bound: Double = 5, rng: inout RandomStream)
  where Transform == RationalQuadraticTransform<S> {
    self.init(dimension: dimension, conditionDimension: conditionDimension,
              transform: RationalQuadraticTransform(bins: bins, bound: bound), subnet: subnet, rng: &rng)
  }
}

/// A monotone rational-quadratic spline per component, one fused op with a hand-written VJP.
///
/// Parameters per component (P = 3K − 1): raw widths uʷ [K], heights uʰ [K], derivatives uᵈ [K−1].
///
///     wₖ = m_w + (1 − K·m_w)·softmax(uʷ)ₖ,  knots xₖ = −B + 2B·Σ_{i<k} wᵢ   (x₀ = −B, x_K = B)
///     hₖ = m_h + (1 − K·m_h)·softmax(uʰ)ₖ,  knots yₖ = −B + 2B·Σ_{i<k} hᵢ
///     δₖ = m_d + softplus(uᵈₖ + ln(e^{1−m_d} − 1))  (k = 1…K−1),  δ₀ = δ_K = 1
///
/// (m_w = m_h = m_d = 10⁻³; the shift makes uᵈ = 0 give δ = 1, boundary slopes 1 match the
/// identity tails, so the map is C¹ on ℝ.) For x in bin k, with Wₖ = x_{k+1} − xₖ,
/// Hₖ = y_{k+1} − yₖ, s = Hₖ/Wₖ, ξ = (x − xₖ)/Wₖ, θ = ξ(1 − ξ):
///
///     y = yₖ + Hₖ·(sξ² + δₖθ) / (s + (δₖ₊₁ + δₖ − 2s)θ)
///     dy/dx = s²·(δₖ₊₁ξ² + 2sθ + δₖ(1 − ξ)²) / (s + (δₖ₊₁ + δₖ − 2s)θ)²
///
/// Inverse: for y in bin k (found among the yₖ), Δ = y − yₖ solves aξ² + bξ + c = 0 with
///
///     a = Hₖ(s − δₖ) + Δ(δₖ₊₁ + δₖ − 2s),  b = Hₖδₖ − Δ(δₖ₊₁ + δₖ − 2s),  c = −sΔ
///     ξ = 2c / (−b − √(b² − 4ac))          (the root in [0, 1], free of cancellation)
///
/// and x = xₖ + ξWₖ, log-det −log dy/dx at that ξ. Outside [−B, B] the map is the identity.
///
/// VJP: the partial derivatives of y (or of the implicit ξ in the inverse) and of log dy/dx
/// with respect to (ξ, s, Hₖ, δₖ, δₖ₊₁) are chained into x, the knots and the softmax and
/// softplus of the raw parameters. Saved per component: softmax(uʷ), softmax(uʰ), ξ, xₖ, Wₖ,
/// yₖ, Hₖ, δₖ, δₖ₊₁ and the bin k (−1 outside [−B, B]).
public final class RationalQuadraticTransform<S: TensorScalar>: CouplingTransform {
  public typealias Scalar = S
  /// K and B.
  public let bins: Int, bound: Double
  /// m_w, m_h, m_d.
  public let minimumBinWidth: Double, minimumBinHeight: Double, minimumDerivative: Double

  public init(bins: Int = 16, bound: Double = 5, minimumBinWidth: Double = 1e-3, minimumBinHeight: Double = 1e-3,
              minimumDerivative: Double = 1e-3) {
    precondition(bins >= 2, "a spline needs at least 2 bins, got \(bins)")
    precondition(bound > 0, "spline bound must be positive, got \(bound)")
    precondition(minimumBinWidth * Double(bins) < 1 && minimumBinHeight * Double(bins) < 1,
                 "minimum bin size × \(bins) bins must be < 1")
    precondition(minimumDerivative > 0 && minimumDerivative < 1, "minimum derivative must be in (0, 1)")
    self.bins = bins
    self.bound = bound
    self.minimumBinWidth = minimumBinWidth
    self.minimumBinHeight = minimumBinHeight
    self.minimumDerivative = minimumDerivative
  }

  public var parametersPerComponent: Int { 3 * bins - 1 }
  public var savedScalarsPerComponent: Int { 2 * bins + 7 }
  public var savesIndices: Bool { true }
  /// One tile's probabilities and tails (used when nothing is saved) and its function
  /// arguments and values.
  public func scratchScalars(rows: Int, count: Int) -> Int {
    let e = min(RationalQuadraticKernel.tile, rows * count)
    return e * (2 * bins + 7) + 4 * e
  }

  public func run(_ k: CouplingKernelArguments) {
    RationalQuadraticKernel(k: k, bins: bins, bound: bound, minWidth: minimumBinWidth, minHeight: minimumBinHeight,
                            minDerivative: minimumDerivative).run(specializedFor: S.self)
  }
}

/// The spline kernel, over tiles of `tile` components at a time: per-component arithmetic in
/// plain loops, and the transcendental functions (the softmax exponentials, softplus of the
/// two derivatives, log of dy/dx, the sigmoids of the VJP) gathered into contiguous buffers and
/// evaluated by the engine's `unaryForward` kernels, one call per tile rather than per value.
///
/// Saved layout (when gradients are needed): [softmax(uʷ), softmax(uʰ)] of every component
/// (2K each), then [ξ, xₖ, Wₖ, yₖ, Hₖ, δₖ, δₖ₊₁] of every component (7 each).
private struct RationalQuadraticKernel: ScalarKernel {
  let k: CouplingKernelArguments
  let bins: Int, bound: Double, minWidth: Double, minHeight: Double, minDerivative: Double
  /// Components per tile.
  static let tile = 128
  var tile: Int { Self.tile }

  func run<T: TensorScalar>(_: T.Type) {
    let c = constants(T.self), total = k.rows * k.count, e = Swift.min(tile, total)
    let local = k.saved == nil ? e * (2 * bins + 7) : 0
    let base = k.scratch!.typed(T.self)  // scratchScalars(rows:count:) ≥ local + 4e
    var areas = Areas<T>(probabilities: base, tails: base + e * 2 * bins, args: base + local, values: base + local + 2 * e,
                         first: 0)
    for e0 in stride(from: 0, to: total, by: tile) {
      let e1 = Swift.min(e0 + tile, total)
      if let saved = k.saved?.typed(T.self) {
        areas.probabilities = saved + e0 * 2 * bins
        areas.tails = saved + total * 2 * bins + e0 * 7
      }
      areas.first = e0
      if k.pass == .forward { forward(c, e0, e1, areas) } else { backward(c, e0, e1, areas) }
    }
  }

  /// Where a tile keeps its intermediates: probabilities and tails (saved, or local), and
  /// arguments and values of the vectorised function calls; `first` is the tile's first component.
  private struct Areas<T: TensorScalar> {
    var probabilities: UnsafeMutablePointer<T>, tails: UnsafeMutablePointer<T>
    let args: UnsafeMutablePointer<T>, values: UnsafeMutablePointer<T>
    var first: Int
  }

  /// The constants in T: K, B, 2B, m_w, 1 − K·m_w, m_h, 1 − K·m_h, m_d and the softplus shift.
  private struct Constants<T: TensorScalar> {
    let k: Int, b: T, twoB: T, minW: T, scaleW: T, minH: T, scaleH: T, minD: T, shift: T
  }

  private func constants<T: TensorScalar>(_: T.Type) -> Constants<T> {
    let kk = Double(bins)
    return Constants(k: bins, b: T(bound), twoB: T(2 * bound), minW: T(minWidth), scaleW: T(1 - kk * minWidth),
                     minH: T(minHeight), scaleH: T(1 - kk * minHeight), minD: T(minDerivative),
                     shift: T(Double.log(Double.exp(1 - minDerivative) - 1)))
  }

  /// Raw parameters of component e (row e / n, component e % n).
  @inline(__always)
  private func raw<T>(_ h: UnsafeMutablePointer<T>, _ e: Int) -> UnsafeMutablePointer<T> {
    h + (e / k.count) * k.parameterStride + (e % k.count) * (3 * bins - 1)
  }

  /// Column of component e in a packed row-major state.
  @inline(__always)
  private func column(_ e: Int) -> Int { (e / k.count) * k.width + k.offset + e % k.count }

  /// Geometry of one bin: s = H/W, and y − yₖ, the argument of log dy/dx, the inverse root at ξ.
  private struct Bin<T: TensorScalar> {
    let xk: T, w: T, yk: T, h: T, dk: T, dk1: T
    var s: T { h / w }

    /// y − yₖ = H(sξ² + δₖθ)/den and dy/dx = s²N/den².
    @inline(__always) func value(_ xi: T) -> (f: T, slope: T) {
      let s = self.s, theta = xi * (1 - xi)
      let den = s + (dk + dk1 - 2 * s) * theta
      let n = dk1 * xi * xi + 2 * s * theta + dk * (1 - xi) * (1 - xi)
      return (h * (s * xi * xi + dk * theta) / den, s * s * n / (den * den))
    }

    /// The root ξ ∈ [0, 1] of y − yₖ = F(ξ) (cancellation-free form).
    @inline(__always) func root(_ delta: T) -> T {
      let s = self.s, sum = dk + dk1 - 2 * s
      let a = h * (s - dk) + delta * sum
      let b = h * dk - delta * sum
      let c = -s * delta
      let disc = b * b - 4 * a * c
      return 2 * c / (-b - (disc > 0 ? disc : 0).squareRoot())
    }
  }

  private func forward<T: TensorScalar>(_ c: Constants<T>, _ e0: Int, _ e1: Int, _ a: Areas<T>) {
    let kk = c.k, m = e1 - e0, d = k.width - 1
    let x = k.state.typed(T.self), y = k.output.typed(T.self), h = k.parameters.typed(T.self)
    let binIndex = k.savedIndices
    // 1. Shifted raw widths and heights (0 outside [−B, B], where the spline is not used).
    for l in 0..<m {
      let e = e0 + l, v = x[column(e)], u = raw(h, e), p = a.probabilities + l * 2 * kk
      guard v >= -c.b && v <= c.b else {  // identity tails (a NaN lands here and passes through)
        for i in 0..<(2 * kk) { p[i] = 0 }
        continue
      }
      var mw = u[0], mh = u[kk]
      for i in 1..<kk { mw = u[i] > mw ? u[i] : mw; mh = u[kk + i] > mh ? u[kk + i] : mh }
      for i in 0..<kk { p[i] = u[i] - mw; p[kk + i] = u[kk + i] - mh }
    }
    T.unaryForward(.exp, a.probabilities, a.probabilities, count: m * 2 * kk, alpha: 0, beta: 0)
    // 2. Softmax, bin search, knots; the raw arguments of the two interior derivatives.
    for l in 0..<m {
      let e = e0 + l, v = x[column(e)], u = raw(h, e), p = a.probabilities + l * 2 * kk, t = a.tails + l * 7
      a.args[2 * l] = 0
      a.args[2 * l + 1] = 0
      guard v >= -c.b && v <= c.b else { binIndex?[e] = -1; t[0] = -1; continue }
      var sw: T = 0, sh: T = 0
      for i in 0..<kk { sw += p[i]; sh += p[kk + i] }
      let iw = 1 / sw, ih = 1 / sh
      for i in 0..<kk { p[i] *= iw; p[kk + i] *= ih }
      let search = k.inverse ? p + kk : p
      let (minS, scaleS) = k.inverse ? (c.minH, c.scaleH) : (c.minW, c.scaleW)
      var knot = -c.b, bk = 0
      for i in 0..<kk {
        if i > 0 && v >= knot { bk = i }
        knot += c.twoB * (minS + scaleS * search[i])
      }
      var xk = -c.b, yk = -c.b
      for i in 0..<bk {
        xk += c.twoB * (c.minW + c.scaleW * p[i])
        yk += c.twoB * (c.minH + c.scaleH * p[kk + i])
      }
      binIndex?[e] = Int32(bk)
      (t[0], t[1], t[2], t[3], t[4]) = (T(bk), xk, c.twoB * (c.minW + c.scaleW * p[bk]), yk,
                                        c.twoB * (c.minH + c.scaleH * p[kk + bk]))
      if bk > 0 { a.args[2 * l] = u[2 * kk + bk - 1] + c.shift }
      if bk < kk - 1 { a.args[2 * l + 1] = u[2 * kk + bk] + c.shift }
    }
    T.unaryForward(.softplus, a.args, a.values, count: 2 * m, alpha: 0, beta: 0)
    // 3. The spline (or its inverse) and dy/dx.
    for l in 0..<m {
      let e = e0 + l, col = column(e), t = a.tails + l * 7
      a.args[l] = 1
      guard t[0] >= 0 else { y[col] = x[col]; continue }
      let bk = Int(t[0])
      let dk = bk == 0 ? 1 : c.minD + a.values[2 * l], dk1 = bk == c.k - 1 ? 1 : c.minD + a.values[2 * l + 1]
      let bin = Bin(xk: t[1], w: t[2], yk: t[3], h: t[4], dk: dk, dk1: dk1)
      let v = x[col], xi: T
      if k.inverse {
        xi = bin.root(v - bin.yk)
        y[col] = bin.xk + xi * bin.w
      } else {
        xi = (v - bin.xk) / bin.w
        y[col] = bin.yk + bin.value(xi).f
      }
      a.args[l] = bin.value(xi).slope
      (t[0], t[5], t[6]) = (xi, dk, dk1)
    }
    T.unaryForward(.log, a.args, a.values, count: m, alpha: 0, beta: 0)
    let sign: T = k.inverse ? -1 : 1
    for l in 0..<m { y[(e0 + l) / k.count * k.width + d] += sign * a.values[l] }
  }

  private func backward<T: TensorScalar>(_ c: Constants<T>, _ e0: Int, _ e1: Int, _ a: Areas<T>) {
    let kk = c.k, m = e1 - e0, w = k.width, d = w - 1
    let gy = k.outputGradient!.typed(T.self), binIndex = k.savedIndices!
    let gx = k.stateGradient?.typed(T.self), gh = k.parametersGradient?.typed(T.self), h = k.parameters.typed(T.self)
    if gh != nil {  // σ of the derivatives' raw arguments: ∂δ/∂uᵈ
      for l in 0..<m {
        let e = e0 + l, bk = Int(binIndex[e]), u = raw(h, e)
        a.args[2 * l] = bk > 0 ? u[2 * kk + bk - 1] + c.shift : 0
        a.args[2 * l + 1] = bk >= 0 && bk < kk - 1 ? u[2 * kk + bk] + c.shift : 0
      }
      T.unaryForward(.sigmoid, a.args, a.values, count: 2 * m, alpha: 0, beta: 0)
    }
    for l in 0..<m {
      let e = e0 + l, col = column(e), g = gy[col], gl = gy[e / k.count * w + d], bk = Int(binIndex[e])
      guard bk >= 0 else { gx?[col] += g; continue }
      let p = a.probabilities + l * 2 * kk, t = a.tails + l * 7
      let xi = t[0], bin = Bin(xk: t[1], w: t[2], yk: t[3], h: t[4], dk: t[5], dk1: t[6])
      let s = bin.s, theta = xi * (1 - xi), dTheta = 1 - 2 * xi, sum = bin.dk + bin.dk1 - 2 * s
      let den = s + sum * theta, num = bin.h * (s * xi * xi + bin.dk * theta)
      let nn = bin.dk1 * xi * xi + 2 * s * theta + bin.dk * (1 - xi) * (1 - xi)
      let den2 = den * den
      // Partials of F = y − yₖ and of L = log dy/dx in (ξ, s, H, δₖ, δₖ₊₁).
      let fXi = bin.h * s * nn / den2
      let fS = (bin.h * xi * xi * den - num * (1 - 2 * theta)) / den2
      let fH = (s * xi * xi + bin.dk * theta) / den
      let fDk = theta * (bin.h * den - num) / den2
      let fDk1 = -num * theta / den2
      let lXi = (2 * bin.dk1 * xi + 2 * s * dTheta - 2 * bin.dk * (1 - xi)) / nn - 2 * sum * dTheta / den
      let lS = 2 / s + 2 * theta / nn - 2 * (1 - 2 * theta) / den
      let lDk = (1 - xi) * (1 - xi) / nn - 2 * theta / den
      let lDk1 = xi * xi / nn - 2 * theta / den
      // Gradients with respect to the input v, the knots xₖ, yₖ, sizes W, H and δₖ, δₖ₊₁.
      var gv: T, gxk: T, gW: T, gyk: T, gH: T, gS: T, gDk: T, gDk1: T
      if k.inverse {  // x = xₖ + Wξ, ξ implicit in y; output log-det −L
        gxk = g
        gW = g * xi
        let r = (g * bin.w - gl * lXi) / fXi
        gv = r
        gyk = -r
        gS = -gl * lS - r * fS
        gH = -r * fH
        gDk = -gl * lDk - r * fDk
        gDk1 = -gl * lDk1 - r * fDk1
      } else {  // y = yₖ + F(ξ), ξ = (x − xₖ)/W; output log-det L
        gv = (g * fXi + gl * lXi) / bin.w
        gxk = -gv
        gW = -gv * xi
        gyk = g
        gS = g * fS + gl * lS
        gH = g * fH
        gDk = g * fDk + gl * lDk
        gDk1 = g * fDk1 + gl * lDk1
      }
      gH += gS / bin.w
      gW -= gS * s / bin.w
      gx?[col] += gv
      guard let gh else { continue }
      let gu = raw(gh, e)
      Self.softmaxPullback(p, bin: bk, gLeft: gxk, gSize: gW, scale: c.scaleW * c.twoB, into: gu, kk)
      Self.softmaxPullback(p + kk, bin: bk, gLeft: gyk, gSize: gH, scale: c.scaleH * c.twoB, into: gu + kk, kk)
      if bk > 0 { gu[2 * kk + bk - 1] += gDk * a.values[2 * l] }
      if bk < kk - 1 { gu[2 * kk + bk] += gDk1 * a.values[2 * l + 1] }
    }
  }

  /// ū += VJP of (left knot, bin size) of bin k through sizes = m + scale·softmax(u)/(2B):
  /// with ḡᵢ = ḡ_left·[i < k] + ḡ_size·[i = k], ūⱼ += scale·pⱼ·(ḡⱼ − Σᵢ pᵢḡᵢ).
  @inline(__always)
  private static func softmaxPullback<T: TensorScalar>(_ pr: UnsafeMutablePointer<T>, bin bk: Int, gLeft: T, gSize: T,
                                                       scale: T, into gu: UnsafeMutablePointer<T>, _ kk: Int) {
    var below: T = 0
    for i in 0..<bk { below += pr[i] }
    let mean = gLeft * below + gSize * pr[bk]
    for i in 0..<kk {
      let gi: T = i < bk ? gLeft : (i == bk ? gSize : 0)
      gu[i] += scale * pr[i] * (gi - mean)
    }
  }
}
