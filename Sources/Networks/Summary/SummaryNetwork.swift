import Tensors

/// A network that compresses one observation per batch row into a fixed-width summary vector,
/// trained jointly with the inference network through the same loss.
///
///     x: [B, D] (vector) | [B, T, C] (time series) | [B, N, D] (set)   →   s: [B, summaryDim]
///
/// `lengths` [B] (Int32, or nil for "all full") gives each row's valid extent along axis 1:
/// the number of valid time steps of a series padded at the end, or the number of elements of
/// a set padded at the end. Padding values must be finite; they never change a summary and
/// receive zero gradient. Networks for fixed vectors ignore `lengths`.
///
/// Parameter keys are written literally by each network (`conv1.branch3.weight`,
/// `lstm.w_input`, `stream_confirmed.lstm.w_hidden`, …).
public protocol SummaryNetwork<Scalar>: Layer {
  associatedtype Scalar
  /// Width of the summary.
  var summaryDim: Int { get }
  /// The summaries [B, summaryDim] of the observations `x`.
  func callAsFunction(_ x: Tensor<Scalar>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<Scalar>
}

extension SummaryNetwork {
  /// The summaries of observations without padding.
  public func callAsFunction(_ x: Tensor<Scalar>) -> Tensor<Scalar> { self(x, lengths: nil) }

  /// The summaries of observations with lengths given as an array.
  public func callAsFunction(_ x: Tensor<Scalar>, lengths: [Int32]) -> Tensor<Scalar> {
    lengths.withUnsafeBufferPointer { self(x, lengths: $0) }
  }
}

/// The "no summary network" case: the observation itself, flattened to [B, D₁·D₂·…].
/// No parameters. Used for fixed-size vector observations (config `{"type": "none"}`).
public final class IdentitySummary<S: TensorScalar>: SummaryNetwork {
  public typealias Scalar = S
  public let summaryDim: Int

  /// - Parameter size: the number of values per observation (D, or T·C, or N·D).
  public init(size: Int) { summaryDim = size }

  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    precondition(x.count == x.shape[0] * summaryDim, "identity summary: input \(x.shape) does not have \(summaryDim) values per row")
    return x.shape.rank == 2 ? x : x.reshaped(Shape(x.shape[0], summaryDim))
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {}
}

/// An MLP over the flattened observation, for fixed-size vectors (config `{"type": "mlp"}`):
///
///     s = W_out·f(… f(W₁·vec(x) + b₁) …) + b_out       [B, summaryDim]
///
/// Keys: `dense1.*`, `dense2.*`, …, `output.*` (those of `MLP`).
public final class MLPSummary<S: TensorScalar>: SummaryNetwork {
  public typealias Scalar = S
  public let mlp: MLP<S>

  public init(input: Int, widths: [Int] = [64, 64], summaryDim: Int, activation: Activation = .silu,
              dropout: Double = 0, rng: inout RandomStream) {
    mlp = MLP(input: input, widths: widths, output: summaryDim, activation: activation, dropout: dropout, rng: &rng)
  }

  public var summaryDim: Int { mlp.outputSize }

  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    let rows = x.shape[0]
    return mlp(x.shape.rank == 2 ? x : x.reshaped(Shape(rows, x.count / max(rows, 1))))
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) { mlp.visitParameters(visit) }
}
