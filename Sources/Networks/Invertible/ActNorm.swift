import Tensors

/// Activation normalisation: a learned per-dimension affine map (Kingma & Dhariwal 2018, Glow).
///
///     z = x ⊙ exp(σ) + β,              log|det ∂z/∂x| = Σⱼ σⱼ
///     x = (z − β) ⊙ exp(−σ),           log|det ∂x/∂z| = −Σⱼ σⱼ
///
/// x, z: [B, D]; σ (log-scale, so the scale e^σ is always positive) and β: [D]. Initial state:
/// σ = β = 0 (the identity) and not yet initialised. The first `forward` on a batch of at least
/// two rows, all finite, then sets, per dimension j, σⱼ = −log sⱼ and βⱼ = −mⱼ/sⱼ from the batch
/// mean mⱼ and standard deviation sⱼ (1/n), so that batch is mapped to mean 0 and sd 1
/// (data-dependent initialisation; a constant dimension, sⱼ = 0, keeps σⱼ = 0). A batch with a
/// NaN or ±∞ does not initialise (the next finite one does), so it cannot reach the weights.
/// That first call writes the parameters: make it on one thread.
///
/// Keys: `log_scale` [D], `bias` [D], `initialized` [1] (fixed; 1 once initialised, saved so a
/// reloaded block is not initialised again).
public final class ActNorm<S: TensorScalar>: PackedInvertibleBlock {
  public typealias Scalar = S
  public let logScale: Parameter<S>
  public let bias: Parameter<S>
  /// 1 once the data-dependent initialisation has run (or weights were loaded), else 0.
  public let initializedFlag: Parameter<S>
  public let dimension: Int
  private let op = ActNormOp<S>()

  public init(dimension: Int) {
    precondition(dimension >= 1, "ActNorm needs dimension ≥ 1, got \(dimension)")
    self.dimension = dimension
    logScale = Parameter(shape: Shape(dimension))
    bias = Parameter(shape: Shape(dimension))
    initializedFlag = Parameter(shape: Shape(1), trainable: false)
  }

  /// Whether the data-dependent initialisation has run; set to true to keep the current values.
  public var isInitialized: Bool {
    get { initializedFlag.value[0] != 0 }
    set { initializedFlag.value[0] = newValue ? 1 : 0 }
  }

  public func forward(packed s: Tensor<S>, condition _: Tensor<S>?) -> Tensor<S> {
    if !isInitialized { initialize(from: s) }
    return op.apply(s, logScale: s.graph.parameter(logScale), bias: s.graph.parameter(bias), inverse: false)
  }

  public func inverse(packed s: Tensor<S>, condition _: Tensor<S>?) -> Tensor<S> {
    op.apply(s, logScale: s.graph.parameter(logScale), bias: s.graph.parameter(bias), inverse: true)
  }

  /// Sets σ, β from the batch in `s` [B, D + 1] (once, and only from a finite batch).
  private func initialize(from s: Tensor<S>) {
    let rows = s.shape[0], width = dimension + 1
    guard rows >= 2 else { return }
    let p = s.pointer
    var mean = [Double](repeating: 0, count: dimension), meanSquare = mean
    for b in 0..<rows {
      for j in 0..<dimension {
        let v = Double(p[b * width + j])
        guard v.isFinite else { return }
        mean[j] += v / Double(rows)
        meanSquare[j] += v * v / Double(rows)
      }
    }
    for j in 0..<dimension {
      let sd = max(meanSquare[j] - mean[j] * mean[j], 0).squareRoot()
      let sigma = sd > 0 ? -Double.log(sd) : 0
      logScale.value[j] = S(sigma)
      bias.value[j] = S(-mean[j] * Double.exp(sigma))
    }
    isInitialized = true
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    visit("log_scale", logScale)
    visit("bias", bias)
    visit("initialized", initializedFlag)
  }
}

/// The fused ActNorm op on a packed state [x | ℓ] (inputs: state, σ, β).
///
/// Forward: z = x ⊙ e^σ + β, ℓ' = ℓ + Σσ. VJP: x̄ = z̄ ⊙ e^σ, β̄ = Σ_b z̄, σ̄ = Σ_b z̄ ⊙ (z − β) + Σ_b ℓ̄'.
/// Inverse: x = (z − β) ⊙ e^−σ, ℓ' = ℓ − Σσ. VJP: z̄ = x̄ ⊙ e^−σ, β̄ = −Σ_b z̄, σ̄ = −Σ_b x̄ ⊙ x − Σ_b ℓ̄'.
/// e^{±σ} [D] is saved for the backward pass.
final class ActNormOp<S: TensorScalar>: CustomBackward {
  func apply(_ s: Tensor<S>, logScale: Tensor<S>, bias: Tensor<S>, inverse: Bool) -> Tensor<S> {
    let g = s.graph, rows = s.shape[0], d = s.shape[1] - 1
    precondition(logScale.count == d, "ActNorm: state \(s.shape) for dimension \(logScale.count)")
    let out = g.record(self, shape: s.shape, inputs: s, logScale, bias)
    let scale = g.scratch(d)
    g.setSaved(out, buffer: scale, integers: (inverse ? 1 : 0, 0, 0, 0))
    var k = ActNormKernel(rows: rows, d: d, inverse: inverse, state: s.pointer.raw, logScale: logScale.pointer.raw,
                          bias: bias.pointer.raw, out: out.pointer.raw, scale: scale.raw)
    k.pass = .forward
    k.run(specializedFor: S.self)
    return out
  }

  func backward(_ graph: Graph<S>, node id: Int) {
    let saved = graph.saved(id)
    let (iState, iScale, iBias) = (graph.input(0, of: id), graph.input(1, of: id), graph.input(2, of: id))
    let shape = graph.shape(of: id)
    var k = ActNormKernel(rows: shape[0], d: shape[1] - 1, inverse: saved.integers.0 == 1,
                          state: graph.value(of: iState).raw, logScale: graph.value(of: iScale).raw,
                          bias: graph.value(of: iBias).raw, out: graph.value(of: id).raw, scale: saved.buffer!.raw)
    k.outGradient = graph.gradientBuffer(id).raw
    k.stateGradient = graph.requiresGrad(iState) ? graph.gradientBuffer(iState).raw : nil
    k.logScaleGradient = graph.requiresGrad(iScale) ? graph.gradientBuffer(iScale).raw : nil
    k.biasGradient = graph.requiresGrad(iBias) ? graph.gradientBuffer(iBias).raw : nil
    k.pass = .backward
    k.run(specializedFor: S.self)
  }
}

private struct ActNormKernel: ScalarKernel {
  enum Pass { case forward, backward }
  let rows: Int, d: Int, inverse: Bool
  let state: UnsafeMutableRawPointer, logScale: UnsafeMutableRawPointer, bias: UnsafeMutableRawPointer
  let out: UnsafeMutableRawPointer, scale: UnsafeMutableRawPointer
  var outGradient: UnsafeMutableRawPointer? = nil, stateGradient: UnsafeMutableRawPointer? = nil
  var logScaleGradient: UnsafeMutableRawPointer? = nil, biasGradient: UnsafeMutableRawPointer? = nil
  var pass = Pass.forward

  func run<T: TensorScalar>(_: T.Type) {
    let w = d + 1, sign: T = inverse ? -1 : 1
    let x = state.typed(T.self), y = out.typed(T.self), sigma = logScale.typed(T.self), beta = bias.typed(T.self)
    let e = scale.typed(T.self)  // e^{±σ}
    if pass == .forward {
      var total: T = 0
      for j in 0..<d { e[j] = T.mexp(sign * sigma[j]); total += sigma[j] }
      for b in 0..<rows {
        let xr = x + b * w, yr = y + b * w
        if inverse {
          for j in 0..<d { yr[j] = (xr[j] - beta[j]) * e[j] }
        } else {
          for j in 0..<d { yr[j] = xr[j] * e[j] + beta[j] }
        }
        yr[d] = xr[d] + sign * total
      }
      return
    }
    let gy = outGradient!.typed(T.self)
    if let gs = stateGradient?.typed(T.self) {
      for b in 0..<rows {
        let gr = gy + b * w, gx = gs + b * w
        for j in 0..<d { gx[j] += gr[j] * e[j] }
        gx[d] += gr[d]
      }
    }
    if let gBias = biasGradient?.typed(T.self) {
      for b in 0..<rows {
        let gr = gy + b * w
        if inverse { for j in 0..<d { gBias[j] -= gr[j] * e[j] } } else { for j in 0..<d { gBias[j] += gr[j] } }
      }
    }
    if let gSigma = logScaleGradient?.typed(T.self) {
      var gl: T = 0
      for b in 0..<rows {
        let gr = gy + b * w, yr = y + b * w
        // forward: ∂z/∂σ = z − β;  inverse: ∂x/∂σ = −x.
        if inverse { for j in 0..<d { gSigma[j] -= gr[j] * yr[j] } } else { for j in 0..<d { gSigma[j] += gr[j] * (yr[j] - beta[j]) } }
        gl += gr[d]
      }
      for j in 0..<d { gSigma[j] += sign * gl }
    }
  }
}
