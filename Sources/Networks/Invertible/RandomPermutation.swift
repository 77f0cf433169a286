import Tensors

/// A fixed random permutation of the D components (FrEIA `PermuteRandom`).
///
///     zⱼ = x_{π(j)},   x_{π(j)} = zⱼ,   log|det| = 0
///
/// x, z: [B, D]. π is drawn once (Fisher–Yates from the given stream) and stored as the fixed
/// (non-trainable) parameter `indices` [D] (π(j) as a scalar, exact for D < 2²⁴), so a
/// checkpoint rebuilds the same block; the op reads the indices from the parameter on every
/// call, so loaded values take effect at once.
public final class RandomPermutation<S: TensorScalar>: PackedInvertibleBlock {
  public typealias Scalar = S
  public let indices: Parameter<S>
  public let dimension: Int
  private let op = PermutationOp<S>()

  public init(dimension: Int, rng: inout RandomStream) {
    precondition(dimension >= 1, "RandomPermutation needs dimension ≥ 1, got \(dimension)")
    self.dimension = dimension
    var pi = Array(0..<dimension)
    for i in stride(from: dimension - 1, to: 0, by: -1) { pi.swapAt(i, rng.index(below: i + 1)) }
    indices = Parameter(shape: Shape(dimension), values: pi.map { S($0) }, trainable: false)
  }

  /// π as integers.
  public var permutation: [Int] { indices.values.map { Int($0) } }

  public func forward(packed s: Tensor<S>, condition _: Tensor<S>?) -> Tensor<S> {
    op.apply(s, indices: indices, inverse: false)
  }

  public func inverse(packed s: Tensor<S>, condition _: Tensor<S>?) -> Tensor<S> {
    op.apply(s, indices: indices, inverse: true)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    visit("indices", indices)
  }
}

/// Column permutation of a packed state [x | ℓ]; ℓ passes through.
/// Forward z[b, j] = x[b, π(j)], VJP x̄[b, π(j)] += z̄[b, j]; inverse the other way round.
final class PermutationOp<S: TensorScalar>: CustomBackward {
  func apply(_ s: Tensor<S>, indices: Parameter<S>, inverse: Bool) -> Tensor<S> {
    let g = s.graph, d = s.shape[1] - 1
    precondition(indices.count == d, "permutation of \(indices.count) components applied to state \(s.shape)")
    let pi = g.scratchIndices(d)
    for j in 0..<d {
      let v = Int(indices.value[j])
      precondition(v >= 0 && v < d, "permutation index \(v) out of range 0..<\(d)")
      pi[j] = Int32(v)
    }
    let out = g.record(self, shape: s.shape, inputs: s)
    g.setSaved(out, buffer: nil, indices: pi, integers: (inverse ? 1 : 0, 0, 0, 0))
    PermutationKernel(rows: s.shape[0], d: d, pi: pi, from: s.pointer.raw, to: out.pointer.raw,
                      gather: !inverse, accumulate: false).run(specializedFor: S.self)
    return out
  }

  func backward(_ graph: Graph<S>, node id: Int) {
    let ia = graph.input(0, of: id)
    guard graph.requiresGrad(ia) else { return }
    let saved = graph.saved(id), shape = graph.shape(of: id)
    // The transpose of a gather is a scatter: swap the direction.
    PermutationKernel(rows: shape[0], d: shape[1] - 1, pi: saved.indices!, from: graph.gradientBuffer(id).raw,
                      to: graph.gradientBuffer(ia).raw, gather: saved.integers.0 == 1, accumulate: true)
      .run(specializedFor: S.self)
  }
}

/// gather: to[b, j] (+)= from[b, π(j)]; scatter: to[b, π(j)] (+)= from[b, j]; column D copied.
private struct PermutationKernel: ScalarKernel {
  let rows: Int, d: Int, pi: UnsafeMutablePointer<Int32>
  let from: UnsafeMutableRawPointer, to: UnsafeMutableRawPointer
  let gather: Bool, accumulate: Bool

  func run<T: TensorScalar>(_: T.Type) {
    let src = from.typed(T.self), dst = to.typed(T.self), w = d + 1
    for b in 0..<rows {
      let sr = src + b * w, dr = dst + b * w
      switch (gather, accumulate) {
      case (true, false): for j in 0..<d { dr[j] = sr[Int(pi[j])] }
      case (false, false): for j in 0..<d { dr[Int(pi[j])] = sr[j] }
      case (true, true): for j in 0..<d { dr[j] += sr[Int(pi[j])] }
      case (false, true): for j in 0..<d { dr[Int(pi[j])] += sr[j] }
      }
      dr[d] = accumulate ? dr[d] + sr[d] : sr[d]
    }
  }
}
