import Tensors

/// A long short-term memory layer over batch-first sequences (Hochreiter & Schmidhuber 1997,
/// with the forget gate of Gers et al. 2000), optionally bidirectional.
///
///     (i, f, g, o) = (σ, σ, tanh, σ)(xₜ·W_x + hₜ₋₁·W_h + b)
///     cₜ = f ⊙ cₜ₋₁ + i ⊙ g,    hₜ = o ⊙ tanh(cₜ),    h₀ = c₀ = 0
///
/// x: [B, T, C] → final states [B, D·H] (`callAsFunction`) or all states [B, T, D·H]
/// (`sequence`), D = 2 when bidirectional (forward block first). Variable lengths: series b
/// is valid for t < L_b; its forward final state is h at t = L_b − 1, its backward direction
/// starts at t = L_b − 1, and padded steps neither change a state nor receive gradient.
/// The whole sequence is one fused graph node (`LSTMFunction`): the input projection of all
/// steps is one gemm, each step one gemm on the still-running series.
///
/// Parameters (Keras layout and initialisation): `w_input` W_x [C, D·4H] Glorot-uniform,
/// `w_hidden` W_h [D, H, 4H] orthogonal, `bias` [D·4H] zero except the forget gate at 1;
/// gate order i, f, g, o in each direction's block.
public final class LSTM<S: TensorScalar>: Layer {
  public let wInput: Parameter<S>
  public let wHidden: Parameter<S>
  public let bias: Parameter<S>
  public let units: Int
  public let bidirectional: Bool
  let final: LSTMFunction<S>
  let all: LSTMFunction<S>

  public init(input: Int, units: Int, bidirectional: Bool = false, rng: inout RandomStream) {
    precondition(input > 0 && units > 0, "LSTM: input size and units must be positive")
    let d = bidirectional ? 2 : 1
    wInput = Parameter(shape: Shape(input, d * 4 * units))
    wHidden = Parameter(shape: Shape(d, units, 4 * units))
    bias = Parameter(shape: Shape(d * 4 * units))
    self.units = units
    self.bidirectional = bidirectional
    final = LSTMFunction(units: units, directions: d, returnSequences: false)
    all = LSTMFunction(units: units, directions: d, returnSequences: true)
    Initializer.glorotUniform.initialize(wInput, fanIn: input, fanOut: 4 * units, rng: &rng)
    Initializer.orthogonal.initialize(wHidden, fanIn: units, fanOut: 4 * units, rng: &rng)
    for k in 0..<d { for u in 0..<units { bias.value[k * 4 * units + units + u] = 1 } }
  }

  public var inputSize: Int { wInput.shape[0] }
  /// D·H, the width of the output.
  public var outputSize: Int { (bidirectional ? 2 : 1) * units }

  /// The final states [B, D·H] of x [B, T, C] (see the type's documentation for `lengths`).
  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>? = nil) -> Tensor<S> {
    let g = x.graph
    return final(x, wInput: g.parameter(wInput), wHidden: g.parameter(wHidden), bias: g.parameter(bias), lengths: lengths)
  }

  /// Every state [B, T, D·H] (zero at padded steps).
  public func sequence(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>? = nil) -> Tensor<S> {
    let g = x.graph
    return all(x, wInput: g.parameter(wInput), wHidden: g.parameter(wHidden), bias: g.parameter(bias), lengths: lengths)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    visit("w_input", wInput)
    visit("w_hidden", wHidden)
    visit("bias", bias)
  }
}
