import Tensors

/// Activation functions by their config names (`"silu"`, `"elu"`, …).
public enum Activation: String, Sendable, CaseIterable, Codable {
  case linear, relu, elu, silu, swish, gelu, mish, tanh, sigmoid, softplus
  case hardSilu = "hard_silu"
  case leakyRelu = "leaky_relu"

  /// Applies the activation elementwise.
  public func callAsFunction<S>(_ x: Tensor<S>) -> Tensor<S> {
    switch self {
    case .linear: return x
    case .relu: return x.map(.relu)
    case .elu: return x.map(.elu, alpha: 1)
    case .silu, .swish: return x.map(.silu)
    case .gelu: return x.map(.gelu)
    case .mish: return x.map(.mish)
    case .tanh: return x.map(.tanh)
    case .sigmoid: return x.map(.sigmoid)
    case .softplus: return x.map(.softplus)
    case .hardSilu: return x.map(.hardSilu)
    case .leakyRelu: return x.map(.leakyRelu, alpha: 0.01)
    }
  }

  /// The elementwise op and its parameter (nil for `linear`), for fused layers.
  public var unaryOp: (op: UnaryOp, alpha: Double)? {
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

  /// The initialiser that suits the activation: He for ReLU-like, Glorot otherwise.
  public var defaultInitializer: Initializer {
    switch self {
    case .relu, .leakyRelu: return .heNormal
    default: return .glorotUniform
    }
  }
}
