import Tensors

/// A multi-layer perceptron: hidden dense layers with an activation, optional dropout after
/// each, optional residual connections, and an optional linear output layer.
///
///     h₀ = x,  hₖ = dropout(f(hₖ₋₁·Wₖ + bₖ)) (+ hₖ₋₁ when residual and widths match)
///     y = h_L·W_out + b_out            (if `output` is given; else y = h_L)
///
/// Keys: `dense1`, `dense2`, … for hidden layers and `output` for the output layer.
/// `outputInitializer: .zeros` makes the network output exactly 0 at initialisation (coupling
/// subnets, so that a fresh coupling block is the identity).
public final class MLP<S: TensorScalar>: Layer {
  public let hidden: [Dense<S>]
  public let output: Dense<S>?
  public let dropout: Double
  public let residual: Bool
  public let inputSize: Int

  public init(input: Int, widths: [Int], output outputSize: Int?, activation: Activation = .silu,
              dropout: Double = 0, residual: Bool = false, initializer: Initializer? = nil,
              outputInitializer: Initializer = .glorotUniform, rng: inout RandomStream) {
    var layers: [Dense<S>] = []
    var width = input
    for w in widths {
      layers.append(Dense(input: width, output: w, activation: activation, initializer: initializer, rng: &rng))
      width = w
    }
    hidden = layers
    output = outputSize.map { Dense(input: width, output: $0, activation: .linear, initializer: outputInitializer, rng: &rng) }
    self.dropout = dropout
    self.residual = residual
    inputSize = input
  }

  /// Size of the last dimension of the result.
  public var outputSize: Int { output?.outputSize ?? hidden.last?.outputSize ?? inputSize }

  public func callAsFunction(_ x: Tensor<S>) -> Tensor<S> {
    var h = x
    for layer in hidden {
      let y = layer(h, dropout: dropout)
      h = residual && layer.inputSize == layer.outputSize ? h + y : y
    }
    return output.map { $0(h) } ?? h
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    for (i, layer) in hidden.enumerated() { self.visit(layer, as: "dense\(i + 1)", visit) }
    if let output { self.visit(output, as: "output", visit) }
  }
}
