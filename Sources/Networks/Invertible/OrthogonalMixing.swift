import Tensors

/// A fixed random rotation of the D components (FrEIA's soft permutation).
///
///     z = x·W,   x = z·Wᵀ,   log|det| = log|det W| = 0
///
/// x, z: [B, D]; W [D, D] is a Haar-random orthogonal matrix (`Initializer.randomOrthogonal`),
/// stored as the fixed (non-trainable) parameter `weight`, so a checkpoint rebuilds it. The
/// inverse uses Wᵀ = W⁻¹; in Float, W is orthogonal to ~1e-7, so the log-det 0 and the round
/// trip are exact to that level. One gemm each way.
public final class OrthogonalMixing<S: TensorScalar>: PackedInvertibleBlock {
  public typealias Scalar = S
  public let weight: Parameter<S>
  public let dimension: Int
  private let op = OrthogonalMixingOp<S>()

  public init(dimension: Int, rng: inout RandomStream) {
    precondition(dimension >= 1, "OrthogonalMixing needs dimension ≥ 1, got \(dimension)")
    self.dimension = dimension
    let q = Initializer.randomOrthogonal(rows: dimension, cols: dimension, rng: &rng)
    weight = Parameter(shape: Shape(dimension, dimension), values: q.map { S($0) }, trainable: false)
  }

  public func forward(packed s: Tensor<S>, condition _: Tensor<S>?) -> Tensor<S> {
    op.apply(s, weight: s.graph.parameter(weight), inverse: false)
  }

  public func inverse(packed s: Tensor<S>, condition _: Tensor<S>?) -> Tensor<S> {
    op.apply(s, weight: s.graph.parameter(weight), inverse: true)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    visit("weight", weight)
  }
}

/// y = x·op(W) on the first D columns of a packed state (op(W) = W forward, Wᵀ inverse); ℓ
/// passes through. VJP: x̄ += ȳ·op(W)ᵀ; W̄ += xᵀȳ (forward) or ȳᵀx (inverse), if W is trainable.
final class OrthogonalMixingOp<S: TensorScalar>: CustomBackward {
  func apply(_ s: Tensor<S>, weight: Tensor<S>, inverse: Bool) -> Tensor<S> {
    let rows = s.shape[0], d = s.shape[1] - 1
    precondition(weight.shape == Shape(d, d), "mixing weight \(weight.shape) for state \(s.shape)")
    let out = s.graph.record(self, shape: s.shape, inputs: s, weight)
    s.graph.setSaved(out, buffer: nil, integers: (inverse ? 1 : 0, 0, 0, 0))
    S.gemm(transA: false, transB: inverse, m: rows, n: d, k: d, alpha: 1, a: s.pointer, lda: d + 1,
           b: weight.pointer, ldb: d, beta: 0, c: out.pointer, ldc: d + 1)
    LogDetColumnKernel(rows: rows, width: d + 1, from: s.pointer.raw, to: out.pointer.raw, accumulate: false)
      .run(specializedFor: S.self)
    return out
  }

  func backward(_ graph: Graph<S>, node id: Int) {
    let iState = graph.input(0, of: id), iWeight = graph.input(1, of: id)
    let inverse = graph.saved(id).integers.0 == 1
    let rows = graph.shape(of: id)[0], d = graph.shape(of: id)[1] - 1
    let gy = graph.gradientBuffer(id), w = graph.value(of: iWeight)
    if graph.requiresGrad(iState) {
      let gs = graph.gradientBuffer(iState)
      S.gemm(transA: false, transB: !inverse, m: rows, n: d, k: d, alpha: 1, a: gy, lda: d + 1,
             b: w, ldb: d, beta: 1, c: gs, ldc: d + 1)
      LogDetColumnKernel(rows: rows, width: d + 1, from: gy.raw, to: gs.raw, accumulate: true).run(specializedFor: S.self)
    }
    if graph.requiresGrad(iWeight) {
      let x = graph.value(of: iState)
      let (a, b) = inverse ? (gy, x) : (x, gy)
      S.gemm(transA: true, transB: false, m: d, n: d, k: rows, alpha: 1, a: a, lda: d + 1,
             b: b, ldb: d + 1, beta: 1, c: graph.gradientBuffer(iWeight), ldc: d)
    }
  }
}

/// to[b, width − 1] (+)= from[b, width − 1]: the log-det column passing through a volume-preserving op.
struct LogDetColumnKernel: ScalarKernel {
  let rows: Int, width: Int
  let from: UnsafeMutableRawPointer, to: UnsafeMutableRawPointer
  let accumulate: Bool

  func run<T: TensorScalar>(_: T.Type) {
    let src = from.typed(T.self), dst = to.typed(T.self), c = width - 1
    if accumulate {
      for b in 0..<rows { dst[b * width + c] += src[b * width + c] }
    } else {
      for b in 0..<rows { dst[b * width + c] = src[b * width + c] }
    }
  }
}
