import Tensors

/// A conditional invertible network (cINN): `depth` blocks of ActNorm → fixed permutation →
/// two-sided coupling, mapping parameters θ [B, D] to latents z [B, D] given a condition c [B, C].
///
///     z = f(θ; c) = f_depth ∘ … ∘ f₁,   fᵢ = couplingᵢ(·; c) ∘ permutationᵢ ∘ actnormᵢ
///     log p(θ | c) = log 𝒩(z; 0, I) + log|det ∂z/∂θ| = −½‖z‖² − (D/2)·log 2π + log|det ∂z/∂θ|
///     loss = mean over the batch of ½‖z‖² − log|det ∂z/∂θ|
///
/// The loss is the negative log-likelihood without its constant: NLL = loss + (D/2)·log 2π.
/// Sampling draws z ~ 𝒩(0, I) and returns f⁻¹(z; c). Every coupling starts as the identity and
/// each ActNorm initialises itself on the first finite batch (mean 0, sd 1 per dimension), so
/// a fresh flow standardises that batch (up to the fixed permutations). That first forward pass
/// writes parameters: run it on one thread before training with several graphs in parallel;
/// otherwise blocks are stateless during a pass (per-call state lives in the graph). c is nil
/// when C = 0. BayesFlow's `CouplingFlow`, FrEIA's two-sided coupling blocks.
///
/// Keys: `block1.actnorm.log_scale`, `block1.actnorm.bias`, `block1.actnorm.initialized`,
/// `block1.permutation.indices` (random) or `block1.permutation.weight` (orthogonal),
/// `block1.coupling.subnet1.dense1.weight`, …, `block1.coupling.subnet2.output.bias`, then
/// `block2.…` (blocks counted from 1).
public final class CouplingFlow<S: TensorScalar>: PackedInvertibleBlock {
  public typealias Scalar = S
  public let dimension: Int
  public let conditionDimension: Int
  public let configuration: CouplingFlowConfiguration
  public let blocks: [CouplingFlowBlock<S>]
  private let packOp = PackOp<S>()
  private let energyOp = GaussianEnergyOp<S>()
  /// The trainable parameters, listed once (the training helper checks their gradients).
  public let trainable: [Parameter<S>]

  public init(dimension: Int, conditionDimension: Int = 0,
              configuration: CouplingFlowConfiguration = CouplingFlowConfiguration(), rng: inout RandomStream) {
    precondition(dimension >= 1, "CouplingFlow needs dimension ≥ 1, got \(dimension)")
    if let (key, message) = configuration.problem { preconditionFailure("CouplingFlow configuration: \(key) \(message)") }
    self.dimension = dimension
    self.conditionDimension = conditionDimension
    self.configuration = configuration
    var list: [CouplingFlowBlock<S>] = []
    for _ in 0..<configuration.depth {
      list.append(CouplingFlowBlock(dimension: dimension, conditionDimension: conditionDimension,
                                    configuration: configuration, rng: &rng))
    }
    blocks = list
    var params: [Parameter<S>] = []
    for block in list { block.visitParameters { _, p in if p.isTrainable { params.append(p) } } }
    trainable = params
  }

  public func forward(packed s: Tensor<S>, condition c: Tensor<S>?) -> Tensor<S> {
    var s = s
    for block in blocks { s = block.forward(packed: s, condition: c) }
    return s
  }

  public func inverse(packed s: Tensor<S>, condition c: Tensor<S>?) -> Tensor<S> {
    var s = s
    for i in stride(from: blocks.count - 1, through: 0, by: -1) { s = blocks[i].inverse(packed: s, condition: c) }
    return s
  }

  /// log p(θ | c) [B] under the flow with a standard normal base.
  public func logProb(_ theta: Tensor<S>, condition c: Tensor<S>?) -> Tensor<S> {
    let constant = S(Double(dimension) / 2 * Double.log(2 * Double.pi))
    return -energyOp.apply(forward(packed: packOp.pack(theta), condition: c), mean: false) - constant
  }

  /// mean(½‖z‖² − log|det ∂z/∂θ|) [1]: the NLL per sample minus (D/2)·log 2π.
  public func loss(_ theta: Tensor<S>, condition c: Tensor<S>?) -> Tensor<S> {
    energyOp.apply(forward(packed: packOp.pack(theta), condition: c), mean: true)
  }

  /// `count` draws from p(θ | c) for every row of `c` [M, C]: [M, count, D] (row m uses
  /// condition m); [count, D] when c is nil. z is drawn from `rng` row by row, draw-major
  /// within each condition. All rows go through the network at once, in `graph`.
  public func sample(count: Int, condition c: Tensor<S>?, in graph: Graph<S>, rng: inout RandomStream) -> Tensor<S> {
    precondition(count >= 1, "sample count must be ≥ 1, got \(count)")
    let m = c?.shape[0] ?? 1, rows = m * count
    var conditions: Tensor<S>? = nil
    if let c {
      precondition(c.shape == Shape(m, conditionDimension), "sample: condition \(c.shape), expected [M, \(conditionDimension)]")
      conditions = count == 1 ? c : c.gatherRows((0..<rows).map { Int32($0 / count) })
    } else {
      precondition(conditionDimension == 0, "sample: the flow needs a condition [M, \(conditionDimension)]")
    }
    let z = graph.uninitialized(shape: Shape(rows, dimension + 1))
    let zp = z.pointer
    for r in 0..<rows {
      for j in 0..<dimension { zp[r * (dimension + 1) + j] = S(rng.normal()) }
      zp[r * (dimension + 1) + dimension] = 0
    }
    let theta = PackOp<S>.point(of: inverse(packed: z, condition: conditions))
    return c == nil ? theta : theta.reshaped(Shape(m, count, dimension))
  }

  /// `count` draws for each of the M conditions in `conditions` (row-major [M, C]; nil when
  /// C = 0, then M = 1), as row-major [M, count, D] values, evaluated in chunks of at most
  /// `rowsPerChunk` rows in a private inference graph (memory stays bounded).
  public func sample(count: Int, conditions: [S]?, rng: inout RandomStream, rowsPerChunk: Int = 16_384) -> [S] {
    let c = conditionDimension
    let m = conditions.map { $0.count / max(c, 1) } ?? 1
    precondition(conditions == nil || (c > 0 && conditions!.count == m * c), "sample: conditions must be [M, \(c)]")
    let total = m * count, graph = Graph<S>()
    var out = [S](repeating: 0, count: total * dimension)
    var start = 0
    while start < total {
      let rows = min(rowsPerChunk, total - start)
      graph.reset()
      var cond: Tensor<S>? = nil
      if let conditions {
        let t = graph.uninitialized(shape: Shape(rows, c))
        for r in 0..<rows {
          let src = (start + r) / count * c
          for j in 0..<c { t.pointer[r * c + j] = conditions[src + j] }
        }
        cond = t
      }
      let theta = sample(count: 1, condition: cond, in: graph, rng: &rng)
      let values = theta.pointer
      for i in 0..<(rows * dimension) { out[start * dimension + i] = values[i] }
      start += rows
    }
    return out
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    for (i, block) in blocks.enumerated() { self.visit(block, as: "block\(i + 1)", visit) }
  }
}

/// One block of a `CouplingFlow`: ActNorm (optional) → fixed mixing (optional) → coupling.
/// Keys: `actnorm.…`, `permutation.…`, `coupling.…`.
public final class CouplingFlowBlock<S: TensorScalar>: PackedInvertibleBlock {
  public typealias Scalar = S
  public let actnorm: ActNorm<S>?
  public let permutation: (any PackedInvertibleBlock<S>)?
  public let coupling: any PackedInvertibleBlock<S>

  public init(dimension: Int, conditionDimension: Int, configuration cfg: CouplingFlowConfiguration,
              rng: inout RandomStream) {
    actnorm = cfg.actnorm ? ActNorm(dimension: dimension) : nil
    switch cfg.permutation {
    case .random: permutation = RandomPermutation<S>(dimension: dimension, rng: &rng)
    case .orthogonal: permutation = OrthogonalMixing<S>(dimension: dimension, rng: &rng)
    case .none: permutation = nil
    }
    switch cfg.transform {
    case .affine:
      coupling = AffineCoupling<S>(dimension: dimension, conditionDimension: conditionDimension, subnet: cfg.subnet,
                                   clamp: cfg.softClamp, rng: &rng)
    case .spline:
      coupling = SplineCoupling<S>(dimension: dimension, conditionDimension: conditionDimension, subnet: cfg.subnet,
                                   bins: cfg.bins, bound: cfg.bound, rng: &rng)
    }
  }

  public func forward(packed s: Tensor<S>, condition c: Tensor<S>?) -> Tensor<S> {
    var s = s
    if let actnorm { s = actnorm.forward(packed: s, condition: c) }
    if let permutation { s = permutation.forward(packed: s, condition: c) }
    return coupling.forward(packed: s, condition: c)
  }

  public func inverse(packed s: Tensor<S>, condition c: Tensor<S>?) -> Tensor<S> {
    var s = coupling.inverse(packed: s, condition: c)
    if let permutation { s = permutation.inverse(packed: s, condition: c) }
    if let actnorm { s = actnorm.inverse(packed: s, condition: c) }
    return s
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    if let actnorm { self.visit(actnorm, as: "actnorm", visit) }
    if let permutation { permutation.visitParameters { visit("permutation." + $0, $1) } }
    coupling.visitParameters { visit("coupling." + $0, $1) }
  }
}

/// e_b = ½‖z_b‖² − ℓ_b from a packed state [z | ℓ] [B, D + 1]: [B], or its mean [1].
/// VJP: z̄_b = ē_b·z_b, ℓ̄_b = −ē_b (ē_b = ē/B for the mean).
final class GaussianEnergyOp<S: TensorScalar>: CustomBackward {
  func apply(_ s: Tensor<S>, mean: Bool) -> Tensor<S> {
    let rows = s.shape[0]
    let out = s.graph.record(self, shape: Shape(mean ? 1 : rows), inputs: s)
    s.graph.setSaved(out, buffer: nil, integers: (mean ? 1 : 0, 0, 0, 0))
    EnergyKernel(rows: rows, width: s.shape[1], mean: mean, state: s.pointer.raw, out: out.pointer.raw, gradient: nil)
      .run(specializedFor: S.self)
    return out
  }

  func backward(_ graph: Graph<S>, node id: Int) {
    let iState = graph.input(0, of: id)
    guard graph.requiresGrad(iState) else { return }
    let shape = graph.shape(of: iState)
    EnergyKernel(rows: shape[0], width: shape[1], mean: graph.saved(id).integers.0 == 1,
                 state: graph.value(of: iState).raw, out: graph.gradientBuffer(id).raw,
                 gradient: graph.gradientBuffer(iState).raw).run(specializedFor: S.self)
  }
}

/// Forward (gradient nil): out = e (or its mean). Backward: gradient += VJP given ē in `out`.
private struct EnergyKernel: ScalarKernel {
  let rows: Int, width: Int, mean: Bool
  let state: UnsafeMutableRawPointer, out: UnsafeMutableRawPointer, gradient: UnsafeMutableRawPointer?

  func run<T: TensorScalar>(_: T.Type) {
    let s = state.typed(T.self), o = out.typed(T.self), d = width - 1
    if let g = gradient?.typed(T.self) {
      let scale: T = mean ? 1 / T(rows) : 1
      for b in 0..<rows {
        let ge = (mean ? o[0] : o[b]) * scale, sr = s + b * width, gr = g + b * width
        for j in 0..<d { gr[j] += ge * sr[j] }
        gr[d] -= ge
      }
      return
    }
    var total: T = 0
    for b in 0..<rows {
      let sr = s + b * width
      var q: T = 0
      for j in 0..<d { q += sr[j] * sr[j] }
      let e = q / 2 - sr[d]
      if mean { total += e } else { o[b] = e }
    }
    if mean { o[0] = total / T(rows) }
  }
}
