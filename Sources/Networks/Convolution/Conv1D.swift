import Tensors

/// A 1-D convolution over time: y[b, τ] = f(Σⱼ x[b, τ·s − p + j·d]·W[j] + bias).
///
/// x: [B, T, C] (batch-first, channels-last) → y: [B, T_out, F]; W: [k, C, F] (Keras layout),
/// bias [F] (zero at initialisation). `padding` fixes p and T_out (see `Padding`); the
/// activation is fused into the same graph node. Computed as im2col + one gemm, with a
/// hand-written VJP (see `ConvolutionFunction`).
///
/// Variable-length input: pass `lengths` L_b (padding at the end of each series). Inputs at
/// t ≥ L_b are read as zero and outputs at τ ≥ T_out(L_b) are zero, so padding never changes a
/// result; `outputLengths` gives the lengths of the output for the next layer.
/// Padded values must be finite (they meet zero gradients in the weight products).
///
/// Keys: `weight`, `bias`.
public final class Conv1D<S: TensorScalar>: Layer {
  public let weight: Parameter<S>
  public let bias: Parameter<S>
  public let kernelSize: Int
  public let stride: Int
  public let dilation: Int
  public let padding: Padding
  public let activation: Activation
  let function: ConvolutionFunction<S>

  /// A convolution from `channels` to `filters` channels. The initialiser defaults to the
  /// activation's (He for ReLU-like, Glorot otherwise), with fan-in k·C and fan-out k·F.
  public init(channels: Int, filters: Int, kernelSize: Int, stride: Int = 1, dilation: Int = 1,
              padding: Padding = .valid, activation: Activation = .linear, initializer: Initializer? = nil,
              rng: inout RandomStream) {
    weight = Parameter(shape: Shape(kernelSize, channels, filters))
    bias = Parameter(shape: Shape(filters))
    self.kernelSize = kernelSize
    self.stride = stride
    self.dilation = dilation
    self.padding = padding
    self.activation = activation
    function = ConvolutionFunction(channels: channels, kernels: [kernelSize], filters: [filters], stride: stride,
                                   dilation: dilation, padding: padding, activation: activation)
    (initializer ?? activation.defaultInitializer)
      .initialize(weight, fanIn: kernelSize * channels, fanOut: kernelSize * filters, rng: &rng)
  }

  public var inputChannels: Int { weight.shape[1] }
  public var outputChannels: Int { weight.shape[2] }

  /// T_out for an input of length `length`.
  public func outputLength(_ length: Int) -> Int { function.outputLength(length) }

  /// The output lengths for input lengths `lengths` (nil stays nil). Unchanged for stride 1
  /// with `same`/`causal` padding; otherwise new storage of the graph (valid until its reset).
  public func outputLengths(_ lengths: UnsafeBufferPointer<Int32>?, in graph: Graph<S>) -> UnsafeBufferPointer<Int32>? {
    guard let lengths, stride != 1 || padding == .valid else { return lengths }
    let out = graph.scratchIndices(lengths.count)
    for i in 0..<lengths.count { out[i] = Int32(outputLength(Int(lengths[i]))) }
    return UnsafeBufferPointer(start: out, count: lengths.count)
  }

  /// [B, T, C] → [B, T_out, F].
  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>? = nil) -> Tensor<S> {
    let g = x.graph
    return function(x, weight: g.parameter(weight), bias: g.parameter(bias), lengths: lengths)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    visit("weight", weight)
    visit("bias", bias)
  }
}
