import Tensors

/// How a set of element vectors [B, N, W] is reduced to one vector per set.
public enum Pooling: String, Sendable, Codable, CaseIterable {
  /// Mean over the valid elements, [B, W].
  case mean
  /// Elementwise maximum over the valid elements, [B, W].
  case max
  /// [mean, max], [B, 2W].
  case meanMax = "mean_max"
  /// Σᵢ aᵢ·uᵢ with a = softmaxᵢ(uᵢ·q) over the valid elements (one learned query q [W]), [B, W].
  case attention

  /// Output width for elements of width `width`.
  public func outputWidth(_ width: Int) -> Int { self == .meanMax ? 2 * width : width }
}

/// The masks of a padded set batch: m [B, N, 1] (1 for valid elements), 1/max(n_b, 1) [B, 1]
/// and a large negative number at padded elements [B, N, 1] for max and softmax.
struct SetMask<S: TensorScalar> {
  let keep: Tensor<S>
  let inverseCount: Tensor<S>
  let penalty: Tensor<S>
  /// 1 for non-empty sets, 0 for empty ones [B, 1] (nil when no set is empty).
  let nonEmpty: Tensor<S>?

  init?(_ graph: Graph<S>, batch: Int, size: Int, lengths: UnsafeBufferPointer<Int32>?) {
    guard let lengths else { return nil }
    precondition(lengths.count == batch, "\(lengths.count) set sizes for a batch of \(batch)")
    keep = graph.uninitialized(shape: Shape(batch, size, 1))
    penalty = graph.uninitialized(shape: Shape(batch, size, 1))
    inverseCount = graph.uninitialized(shape: Shape(batch, 1))
    var anyEmpty = false
    for b in 0..<batch {
      let n = Int(lengths[b])
      precondition(n >= 0 && n <= size, "set size \(n) outside 0...\(size)")
      anyEmpty = anyEmpty || n == 0
      for i in 0..<size {
        keep.pointer[b * size + i] = i < n ? 1 : 0
        penalty.pointer[b * size + i] = i < n ? 0 : -1e30
      }
      inverseCount.pointer[b] = 1 / S(Swift.max(n, 1))
    }
    if anyEmpty {
      let t = graph.uninitialized(shape: Shape(batch, 1))
      for b in 0..<batch { t.pointer[b] = lengths[b] > 0 ? 1 : 0 }
      nonEmpty = t
    } else {
      nonEmpty = nil
    }
  }
}

extension Pooling {
  /// Pools u [B, N, W] over its valid elements; `query` [W, 1] for attention.
  func pool<S>(_ u: Tensor<S>, mask: SetMask<S>?, query: Tensor<S>?) -> Tensor<S> {
    func mean() -> Tensor<S> {
      guard let mask else { return u.mean(axis: 1) }
      return (u * mask.keep).sum(axis: 1) * mask.inverseCount
    }
    func maximum() -> Tensor<S> {
      guard let mask else { return u.max(axis: 1) }
      let m = (u + mask.penalty).max(axis: 1)
      return mask.nonEmpty.map { m * $0 } ?? m
    }
    switch self {
    case .mean: return mean()
    case .max: return maximum()
    case .meanMax: return concat(mean(), maximum(), axis: 1)
    case .attention:
      let s = u.shape
      var logits = matmul(u, query!).reshaped(Shape(s[0], s[1]))
      if let mask { logits = logits + mask.penalty.reshaped(Shape(s[0], s[1])) }
      let weights = (logits - logits.logSumExp(keepingDimension: true)).exp().reshaped(Shape(s[0], s[1], 1))
      let pooled = (u * weights).sum(axis: 1)
      return mask?.nonEmpty.map { pooled * $0 } ?? pooled
    }
  }
}

/// A permutation-equivariant layer of a deep set (Zaheer et al. 2017): each element is
/// transformed together with a pooled summary of the whole set,
///
///     c = mean_valid φ(hⱼ)                     [B, W_φ]   (φ an MLP applied per element)
///     h′ᵢ = f(hᵢ·A + c·Γ + b)                  [B, N, W]
///
/// so permuting the elements permutes the outputs. Keys: `inner.*` (φ), `w_element` A,
/// `w_context` Γ, `bias`.
public final class EquivariantLayer<S: TensorScalar>: Layer {
  public let inner: MLP<S>
  public let wElement: Parameter<S>
  public let wContext: Parameter<S>
  public let bias: Parameter<S>
  public let activation: Activation

  public init(input: Int, widths: [Int], output: Int, activation: Activation, rng: inout RandomStream) {
    inner = MLP(input: input, widths: widths, output: nil, activation: activation, rng: &rng)
    wElement = Parameter(shape: Shape(input, output))
    wContext = Parameter(shape: Shape(inner.outputSize, output))
    bias = Parameter(shape: Shape(output))
    self.activation = activation
    // Glorot over the concatenation [h, c] → output, as one dense layer on it would be.
    activation.defaultInitializer.initialize(wElement, fanIn: input + inner.outputSize, fanOut: output, rng: &rng)
    activation.defaultInitializer.initialize(wContext, fanIn: input + inner.outputSize, fanOut: output, rng: &rng)
  }

  public var outputSize: Int { wElement.shape[1] }

  func callAsFunction(_ h: Tensor<S>, mask: SetMask<S>?) -> Tensor<S> {
    let g = h.graph, s = h.shape
    let c = Pooling.mean.pool(inner(h), mask: mask, query: nil)
    let context = linear(c, weight: g.parameter(wContext), bias: g.parameter(bias)).reshaped(Shape(s[0], 1, outputSize))
    return activation(matmul(h, g.parameter(wElement)) + context)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    self.visit(inner, as: "inner", visit)
    visit("w_element", wElement)
    visit("w_context", wContext)
    visit("bias", bias)
  }
}

/// A deep set: a permutation-invariant summary network for exchangeable sets (Zaheer et al.
/// 2017; BayesFlow's `DeepSet`):
///
///     h = E_depth(… E₁(x))                   equivariant layers, [B, N, W]
///     s = ρ(pool(φ(h)))                      φ per element, pooled over elements, then ρ
///
/// x: [B, N, D]; `lengths` n_b mark sets padded at the end (padded elements are excluded from
/// every pooling, so they change nothing and receive zero gradient). Invariant to any
/// permutation of each set's valid elements by construction (sums, maxima and softmax
/// weights commute with permutations).
///
/// Keys: `equivariant1.*` (see `EquivariantLayer`), …, `invariant.inner.*` (φ),
/// `attention.query` (attention pooling), `invariant.outer.*` (ρ, ending in `output.*`).
public final class DeepSet<S: TensorScalar>: SummaryNetwork {
  public typealias Scalar = S
  public let equivariant: [EquivariantLayer<S>]
  public let invariantInner: MLP<S>
  public let query: Parameter<S>?
  public let invariantOuter: MLP<S>
  public let pooling: Pooling
  public let inputSize: Int

  /// - Parameters:
  ///   - widths: hidden widths of every per-element MLP (φ of each layer and of the pooling)
  ///     and of ρ; the equivariant layers have width `widths.last`.
  ///   - depth: number of equivariant layers.
  public init(input: Int, widths: [Int] = [64, 64], depth: Int = 2, pooling: Pooling = .mean,
              activation: Activation = .silu, summaryDim: Int = 16, rng: inout RandomStream) {
    precondition(!widths.isEmpty && widths.allSatisfy { $0 > 0 }, "deep set: widths must be positive, got \(widths)")
    var width = input
    var layers: [EquivariantLayer<S>] = []
    for _ in 0..<depth {
      let layer = EquivariantLayer<S>(input: width, widths: widths, output: widths.last!, activation: activation, rng: &rng)
      layers.append(layer)
      width = layer.outputSize
    }
    equivariant = layers
    invariantInner = MLP(input: width, widths: widths, output: nil, activation: activation, rng: &rng)
    if pooling == .attention {
      let q = Parameter<S>(shape: Shape(invariantInner.outputSize, 1))
      Initializer.glorotUniform.initialize(q, fanIn: invariantInner.outputSize, fanOut: 1, rng: &rng)
      query = q
    } else {
      query = nil
    }
    invariantOuter = MLP(input: pooling.outputWidth(invariantInner.outputSize), widths: widths, output: summaryDim,
                         activation: activation, rng: &rng)
    self.pooling = pooling
    inputSize = input
  }

  public var summaryDim: Int { invariantOuter.outputSize }

  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    let s = x.shape
    precondition(s.rank == 3 && s[2] == inputSize, "deep set: input \(s) is not [B, N, \(inputSize)]")
    let mask = SetMask(x.graph, batch: s[0], size: s[1], lengths: lengths)
    var h = x
    for layer in equivariant { h = layer(h, mask: mask) }
    let pooled = pooling.pool(invariantInner(h), mask: mask, query: query.map { x.graph.parameter($0) })
    return invariantOuter(pooled)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    for (i, layer) in equivariant.enumerated() { self.visit(layer, as: "equivariant\(i + 1)", visit) }
    self.visit(invariantInner, as: "invariant.inner", visit)
    if let query { visit("attention.query", query) }
    self.visit(invariantOuter, as: "invariant.outer", visit)
  }
}
