import Foundation
import Tensors
import Networks
import TestSupport

/// Shared helpers of the invertible-network tests: a catalogue of blocks, weight randomisation
/// and evaluation on plain arrays.

/// Every kind of invertible block (and small flows) for dimension d and condition size cd.
func invertibleBlocks<S: TensorScalar>(_: S.Type, dimension d: Int, condition cd: Int, seed: UInt64)
  -> [(name: String, block: any PackedInvertibleBlock<S>)] {
  var rng = RandomStream(seed: seed)
  let subnet = CouplingSubnetConfiguration(widths: [8, 8], activation: .silu)
  var list: [(String, any PackedInvertibleBlock<S>)] = [
    ("actnorm", ActNorm<S>(dimension: d)),
    ("permutation", RandomPermutation<S>(dimension: d, rng: &rng)),
    ("orthogonal", OrthogonalMixing<S>(dimension: d, rng: &rng)),
    ("affine-atan", AffineCoupling<S>(dimension: d, conditionDimension: cd, subnet: subnet, clamp: .atan(1.9), rng: &rng)),
    ("affine-tanh", AffineCoupling<S>(dimension: d, conditionDimension: cd, subnet: subnet, clamp: .tanh(1.9), rng: &rng)),
    ("affine-noclamp", AffineCoupling<S>(dimension: d, conditionDimension: cd, subnet: subnet, clamp: .none, rng: &rng)),
    ("spline", SplineCoupling<S>(dimension: d, conditionDimension: cd, subnet: subnet, bins: 8, bound: 3, rng: &rng)),
  ]
  let flowSubnet = CouplingSubnetConfiguration(widths: [8], activation: .silu, residual: false)
  for transform in CouplingFlowConfiguration.TransformKind.allCases {
    for permutation in [CouplingFlowConfiguration.PermutationKind.random, .orthogonal] {
      let cfg = CouplingFlowConfiguration(depth: 3, transform: transform, subnet: flowSubnet, permutation: permutation,
                                          bins: 6, bound: 3)
      list.append(("flow-\(transform)-\(permutation)",
                   CouplingFlow<S>(dimension: d, conditionDimension: cd, configuration: cfg, rng: &rng)))
    }
  }
  return list
}

/// Makes the zero-initialised parameters non-trivial (output layers of subnets, biases,
/// ActNorm): sets them to scale·N(0, 1), and marks ActNorms initialised. Hidden weights keep
/// their random initialisation.
func randomize<L: Layer>(_ layer: L, seed: UInt64, scale: Double = 0.3) {
  var rng = RandomStream(seed: seed, stream: 77)
  for (name, p) in layer.namedParameters {
    if name.hasSuffix("initialized") { p.value[0] = 1; continue }
    guard p.isTrainable, p.values.allSatisfy({ $0 == 0 }) else { continue }
    for i in 0..<p.count { p.value[i] = L.Scalar(scale * rng.normal()) }
  }
}

/// forward (or inverse) of `block` on rows x [B, d] with condition c [B, cd] in a fresh graph.
func evaluate<S: TensorScalar>(_ block: any PackedInvertibleBlock<S>, _ x: [S], dimension d: Int, condition c: [S]?,
                               conditionDimension cd: Int, inverse: Bool = false) -> (z: [S], logDet: [S]) {
  let g = Graph<S>()
  let rows = x.count / d
  let xt = g.constant(x, shape: Shape(rows, d))
  let ct = c.map { g.constant($0, shape: Shape(rows, cd)) }
  if inverse {
    let r = block.inverse(xt, condition: ct)
    return (r.x.scalars, r.logDet.scalars)
  }
  let r = block.forward(xt, condition: ct)
  return (r.z.scalars, r.logDet.scalars)
}

/// Test inputs: half standard normal, half uniform on [−10, 10] (identity tails of the spline).
func mixedInputs(_ n: Int, seed: UInt64) -> [Double] {
  let normal = randomValues(n, seed: seed), wide = uniformValues(n, seed: seed + 1, -10, 10)
  return (0..<n).map { $0 % 2 == 0 ? normal[$0] : wide[$0] }
}

/// [z | log-det] [B, D + 1] of forward (or inverse), through the public (unpacked) API.
func outputAndLogDet<S>(_ block: any PackedInvertibleBlock<S>, _ x: Tensor<S>, condition c: Tensor<S>?,
                        inverse: Bool) -> Tensor<S> {
  let (z, ld): (Tensor<S>, Tensor<S>)
  if inverse {
    (z, ld) = block.inverse(x, condition: c)
  } else {
    (z, ld) = block.forward(x, condition: c)
  }
  return concat(z, ld.reshaped(Shape(x.shape[0], 1)), axis: 1)
}
