import Tensors

/// The seed's multi-kernel ("inception") block: parallel convolutions with kernel sizes
/// k₁ … k_K over the same input, concatenated along channels, then an optional 1×1
/// convolution that mixes them:
///
///     u = [f(conv_{k₁}(x)), …, f(conv_{k_K}(x))]      [B, T, K·F]
///     y = f(u·P + c)   (1×1 projection to `projection` channels; y = u without it)
///
/// x: [B, T, C] → y: [B, T, P] (or [B, T, K·F]). Stride 1; `same` or `causal` padding, so all
/// branches keep length T. All branches run as one fused node sharing one im2col matrix
/// (see `ConvolutionFunction`); variable lengths are masked as in `Conv1D`.
/// OutbreakFlow (Radev et al. 2021) uses kernels 2…7, 32 filters, ReLU, causal padding and a
/// 1×1 projection to 64 channels.
///
/// Keys: `branch<k>.weight` [k, C, F], `branch<k>.bias` [F] (k the kernel size),
/// `projection.weight` [1, K·F, P], `projection.bias`.
public final class MultiKernelConv1D<S: TensorScalar>: Layer {
  public let kernelSizes: [Int]
  public let weights: [Parameter<S>]
  public let biases: [Parameter<S>]
  public let projection: Conv1D<S>?
  public let padding: Padding
  public let activation: Activation
  let function: ConvolutionFunction<S>

  /// - Parameters:
  ///   - kernelSizes: distinct positive kernel sizes, one branch each.
  ///   - filters: F, the output channels of each branch.
  ///   - projection: output channels of the 1×1 convolution, or nil for none.
  public init(channels: Int, filters: Int, kernelSizes: [Int], padding: Padding = .causal, dilation: Int = 1,
              activation: Activation = .relu, projection: Int? = nil, initializer: Initializer? = nil,
              rng: inout RandomStream) {
    precondition(!kernelSizes.isEmpty && Set(kernelSizes).count == kernelSizes.count,
                 "multi-kernel convolution: kernel sizes must be distinct, got \(kernelSizes)")
    precondition(kernelSizes.count == 1 || padding != .valid, "multi-kernel convolution: valid padding needs a single kernel size")
    self.kernelSizes = kernelSizes
    self.padding = padding
    self.activation = activation
    let ini = initializer ?? activation.defaultInitializer
    weights = kernelSizes.map { k in
      let w = Parameter<S>(shape: Shape(k, channels, filters))
      ini.initialize(w, fanIn: k * channels, fanOut: k * filters, rng: &rng)
      return w
    }
    biases = kernelSizes.map { _ in Parameter<S>(shape: Shape(filters)) }
    function = ConvolutionFunction(channels: channels, kernels: kernelSizes, filters: kernelSizes.map { _ in filters },
                                   stride: 1, dilation: dilation, padding: padding, activation: activation)
    self.projection = projection.map {
      Conv1D(channels: filters * kernelSizes.count, filters: $0, kernelSize: 1, padding: padding,
             activation: activation, initializer: initializer, rng: &rng)
    }
  }

  public var inputChannels: Int { weights[0].shape[1] }
  public var outputChannels: Int { projection?.outputChannels ?? function.totalFilters }

  /// [B, T, C] → [B, T, P]; lengths as in `Conv1D` (unchanged by this block).
  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>? = nil) -> Tensor<S> {
    let g = x.graph
    let w: Tensor<S>, b: Tensor<S>
    if weights.count == 1 {
      w = g.parameter(weights[0])
      b = g.parameter(biases[0])
    } else {
      w = concat(weights.map { g.parameter($0).reshaped(Shape($0.count)) }, axis: 0)
      b = concat(biases.map { g.parameter($0) }, axis: 0)
    }
    let u = function(x, weight: w, bias: b, lengths: lengths)
    return projection.map { $0(u, lengths: lengths) } ?? u
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    for (k, (w, b)) in zip(kernelSizes, zip(weights, biases)) {
      visit("branch\(k).weight", w)
      visit("branch\(k).bias", b)
    }
    if let projection { self.visit(projection, as: "projection", visit) }
  }
}
