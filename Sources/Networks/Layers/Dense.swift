import Tensors

/// A fully connected layer: y = f(x·W + b), optionally followed by inverted dropout.
///
/// x [..., I] → y [..., O]; W [I, O], b [O] (zero at initialisation). Keys: `weight`, `bias`.
/// Evaluated as one fused graph node (`Tensors.dense`).
public final class Dense<S: TensorScalar>: Layer {
  public let weight: Parameter<S>
  public let bias: Parameter<S>
  public let activation: Activation

  public init(input: Int, output: Int, activation: Activation = .linear,
              initializer: Initializer? = nil, rng: inout RandomStream) {
    weight = Parameter(shape: Shape(input, output))
    bias = Parameter(shape: Shape(output))
    self.activation = activation
    (initializer ?? activation.defaultInitializer).initialize(weight, fanIn: input, fanOut: output, rng: &rng)
  }

  public var inputSize: Int { weight.shape[0] }
  public var outputSize: Int { weight.shape[1] }

  public func callAsFunction(_ x: Tensor<S>) -> Tensor<S> { self(x, dropout: 0) }

  /// y = dropout(f(x·W + b)) with drop probability `dropout` (active while the graph trains).
  public func callAsFunction(_ x: Tensor<S>, dropout: Double) -> Tensor<S> {
    let g = x.graph
    let f = activation.unaryOp
    return dense(x, weight: g.parameter(weight), bias: g.parameter(bias), activation: f?.op,
                 alpha: S(f?.alpha ?? 0), dropout: dropout)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    visit("weight", weight)
    visit("bias", bias)
  }
}
