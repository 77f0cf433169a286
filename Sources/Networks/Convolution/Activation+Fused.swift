import Tensors

extension Activation {
  /// The elementwise op (and its α) that fused layers apply in place of `callAsFunction`,
  /// or nil for `linear`. Same functions as `callAsFunction(_:)`.
  func fused<S: TensorScalar>(_: S.Type) -> (op: UnaryOp, alpha: S)? {
    switch self {
    case .linear: return nil
    case .relu: return (.relu, 0)
    case .elu: return (.elu, 1)
    case .silu, .swish: return (.silu, 0)
    case .gelu: return (.gelu, 0)
    case .mish: return (.mish, 0)
    case .tanh: return (.tanh, 0)
    case .sigmoid: return (.sigmoid, 0)
    case .softplus: return (.softplus, 0)
    case .hardSilu: return (.hardSilu, 0)
    case .leakyRelu: return (.leakyRelu, 0.01)
    }
  }
}
