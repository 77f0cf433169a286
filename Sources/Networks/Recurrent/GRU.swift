import Tensors

/// A gated recurrent unit layer over batch-first sequences (Cho et al. 2014), in the
/// "reset after" form of Keras (default) and PyTorch, optionally bidirectional.
///
///     z = σ(xₜW_xz + hₜ₋₁W_hz + b),  r = σ(xₜW_xr + hₜ₋₁W_hr + b),
///     n = tanh(xₜW_xn + b_xn + r ⊙ (hₜ₋₁W_hn + b_hn)),   hₜ = z ⊙ hₜ₋₁ + (1 − z) ⊙ n,  h₀ = 0
///
/// Shapes, variable lengths, bidirectionality and outputs as in `LSTM`; one fused node
/// (`GRUFunction`).
///
/// Parameters (Keras layout and initialisation): `w_input` W_x [C, D·3H] Glorot-uniform,
/// `w_hidden` W_h [D, H, 3H] orthogonal, `bias` [2, D·3H] zero (row 0 input bias, row 1
/// recurrent bias); gate order z, r, n in each direction's block.
public final class GRU<S: TensorScalar>: Layer {
  public let wInput: Parameter<S>
  public let wHidden: Parameter<S>
  public let bias: Parameter<S>
  public let units: Int
  public let bidirectional: Bool
  let final: GRUFunction<S>
  let all: GRUFunction<S>

  public init(input: Int, units: Int, bidirectional: Bool = false, rng: inout RandomStream) {
    precondition(input > 0 && units > 0, "GRU: input size and units must be positive")
    let d = bidirectional ? 2 : 1
    wInput = Parameter(shape: Shape(input, d * 3 * units))
    wHidden = Parameter(shape: Shape(d, units, 3 * units))
    bias = Parameter(shape: Shape(2, d * 3 * units))
    self.units = units
    self.bidirectional = bidirectional
    final = GRUFunction(units: units, directions: d, returnSequences: false)
    all = GRUFunction(units: units, directions: d, returnSequences: true)
    Initializer.glorotUniform.initialize(wInput, fanIn: input, fanOut: 3 * units, rng: &rng)
    Initializer.orthogonal.initialize(wHidden, fanIn: units, fanOut: 3 * units, rng: &rng)
  }

  public var inputSize: Int { wInput.shape[0] }
  /// D·H, the width of the output.
  public var outputSize: Int { (bidirectional ? 2 : 1) * units }

  /// The final states [B, D·H] of x [B, T, C].
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
