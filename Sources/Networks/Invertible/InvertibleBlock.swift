import Tensors

/// A bijection x ↔ z, optionally conditioned on `c` [B, C].
///
/// `forward` returns log|det ∂z/∂x| [B]; `inverse` returns log|det ∂x/∂z| [B], the negative of
/// the forward value at the matching point (FrEIA's convention). x, z: [B, D].
public protocol InvertibleBlock<Scalar>: Layer {
  associatedtype Scalar
  func forward(_ x: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> (z: Tensor<Scalar>, logDet: Tensor<Scalar>)
  func inverse(_ z: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> (x: Tensor<Scalar>, logDet: Tensor<Scalar>)
}

/// An invertible block that also acts on the packed state [B, D + 1] used inside flows.
///
/// Columns 0..<D of a packed state hold the point, column D the running log-determinant ℓ:
///
///     forward(packed: [x | ℓ]) = [z | ℓ + log|det ∂z/∂x|]
///     inverse(packed: [z | ℓ]) = [x | ℓ + log|det ∂x/∂z|]
///
/// Chaining blocks on packed states needs no slicing, concatenation or per-block log-det
/// additions: each fused op reads the columns it transforms and adds into ℓ. The plain
/// `forward`/`inverse` are provided: they pack with ℓ = 0 and unpack.
public protocol PackedInvertibleBlock<Scalar>: InvertibleBlock {
  func forward(packed s: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> Tensor<Scalar>
  func inverse(packed s: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> Tensor<Scalar>
}

extension PackedInvertibleBlock {
  public func forward(_ x: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> (z: Tensor<Scalar>, logDet: Tensor<Scalar>) {
    let s = forward(packed: PackOp<Scalar>().pack(x), condition: c)
    return (PackOp<Scalar>.point(of: s), PackOp<Scalar>.logDeterminant(of: s))
  }

  public func inverse(_ z: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> (x: Tensor<Scalar>, logDet: Tensor<Scalar>) {
    let s = inverse(packed: PackOp<Scalar>().pack(z), condition: c)
    return (PackOp<Scalar>.point(of: s), PackOp<Scalar>.logDeterminant(of: s))
  }
}

/// x [B, D] → packed state [x | 0] [B, D + 1]. VJP: x̄ += s̄[:, 0..<D].
public final class PackOp<S: TensorScalar>: CustomBackward {
  public init() {}

  /// The packed state [x | 0] of `x` [B, D].
  public func pack(_ x: Tensor<S>) -> Tensor<S> {
    let rows = x.shape.rows, d = x.shape.cols
    let s = x.graph.record(self, shape: Shape(rows, d + 1), inputs: x)
    PackKernel(rows: rows, d: d, x: x.pointer.raw, s: s.pointer.raw, backward: false).run(specializedFor: S.self)
    return s
  }

  public func backward(_ graph: Graph<S>, node id: Int) {
    let ix = graph.input(0, of: id)
    guard graph.requiresGrad(ix) else { return }
    let shape = graph.shape(of: ix)
    PackKernel(rows: shape.rows, d: shape.cols, x: graph.gradientBuffer(ix).raw, s: graph.gradientBuffer(id).raw,
               backward: true).run(specializedFor: S.self)
  }

  /// Columns 0..<D of a packed state [B, D + 1]: the point.
  public static func point(of s: Tensor<S>) -> Tensor<S> { s.slice(axis: 1, start: 0, length: s.shape[1] - 1) }

  /// Column D of a packed state [B, D + 1]: the log-determinant [B].
  public static func logDeterminant(of s: Tensor<S>) -> Tensor<S> {
    s.slice(axis: 1, start: s.shape[1] - 1, length: 1).reshaped(Shape(s.shape[0]))
  }
}

/// Forward: s[b] = [x[b] | 0]. Backward: x̄[b] += s̄[b, 0..<D].
private struct PackKernel: ScalarKernel {
  let rows: Int, d: Int
  let x: UnsafeMutableRawPointer, s: UnsafeMutableRawPointer
  let backward: Bool

  func run<T: TensorScalar>(_: T.Type) {
    let x = x.typed(T.self), s = s.typed(T.self), w = d + 1
    for b in 0..<rows {
      let xr = x + b * d, sr = s + b * w
      if backward {
        for j in 0..<d { xr[j] += sr[j] }
      } else {
        for j in 0..<d { sr[j] = xr[j] }
        sr[d] = 0
      }
    }
  }
}
