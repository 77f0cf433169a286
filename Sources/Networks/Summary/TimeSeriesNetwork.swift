import Tensors

/// The recurrent cell of a `TimeSeriesNetwork`.
public enum RecurrentKind: String, Sendable, Codable, CaseIterable {
  case lstm
  case gru
}

/// An LSTM or a GRU behind one interface (final states of a batch of sequences).
public enum RecurrentLayer<S: TensorScalar> {
  case lstm(LSTM<S>)
  case gru(GRU<S>)

  public init(_ kind: RecurrentKind, input: Int, units: Int, bidirectional: Bool, rng: inout RandomStream) {
    switch kind {
    case .lstm: self = .lstm(LSTM(input: input, units: units, bidirectional: bidirectional, rng: &rng))
    case .gru: self = .gru(GRU(input: input, units: units, bidirectional: bidirectional, rng: &rng))
    }
  }

  /// D·H.
  public var outputSize: Int {
    switch self {
    case .lstm(let l): return l.outputSize
    case .gru(let l): return l.outputSize
    }
  }

  /// The key of the layer in its parent (`lstm` or `gru`).
  public var key: String {
    switch self {
    case .lstm: return "lstm"
    case .gru: return "gru"
    }
  }

  /// Final states [B, D·H] of x [B, T, C].
  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    switch self {
    case .lstm(let l): return l(x, lengths: lengths)
    case .gru(let l): return l(x, lengths: lengths)
    }
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    switch self {
    case .lstm(let l): l.visitParameters(visit)
    case .gru(let l): l.visitParameters(visit)
    }
  }
}

/// A convolutional–recurrent summary network for (multivariate, variable-length) time series:
///
///     h = block_K(… block₁(x))            multi-kernel conv blocks, [B, T, P]
///     r = RNN(dropout(h))                  final LSTM/GRU state(s), [B, D·H]
///     r ← [r, RNN_skip(conv_skip(h))]      optional skip path (stride = kernel = skip_steps)
///     s = r·W + b                          [B, summaryDim]
///
/// x: [B, T, C] batch-first, channels-last. `lengths` L_b mark series padded at the end; every
/// layer masks them (conv outputs beyond the length are zero, recurrences stop at each series'
/// last valid step), so a padded series has exactly the summary of the unpadded one.
///
/// Defaults follow OutbreakFlow (Radev et al. 2021): three blocks of causal convolutions with
/// 32 filters per kernel size and a 1×1 projection to 64 channels, ReLU, then an LSTM.
/// `TimeSeriesNetworkConfig.bayesFlowDefault` has the layers of BayesFlow 2's default
/// `TimeSeriesNetwork` (LSTNet-style skip GRU, checked against bayesflow 2.0.12): one `same`
/// convolution (kernel 3, 32 filters, Mish), GRU(128 per direction) in both directions, a skip
/// path (stride-4 convolution to 4·32 channels, then the same GRU), summary 16. Differences:
/// BayesFlow sums the four final states where we concatenate them, and its GRU dropout masks
/// the recurrence inputs once per series, ours per element.
///
/// Keys: `conv1.branch3.weight`, …, `conv1.projection.weight`, …, `lstm.w_input` (or `gru.*`),
/// `skip_conv.*`, `skip_lstm.*` (or `skip_gru.*`), `output.weight`, `output.bias`.
public final class TimeSeriesNetwork<S: TensorScalar>: SummaryNetwork {
  public typealias Scalar = S
  public let blocks: [MultiKernelConv1D<S>]
  public let recurrent: RecurrentLayer<S>
  public let skipConv: Conv1D<S>?
  public let skipRecurrent: RecurrentLayer<S>?
  public let output: Dense<S>
  public let dropout: Double
  public let inputChannels: Int

  public init(channels: Int, config c: TimeSeriesNetworkConfig = TimeSeriesNetworkConfig(), rng: inout RandomStream) {
    precondition(channels > 0, "time-series network: channels must be positive")
    var width = channels
    var list: [MultiKernelConv1D<S>] = []
    for _ in 0..<c.convBlocks {
      let block = MultiKernelConv1D<S>(channels: width, filters: c.filters, kernelSizes: c.kernelSizes, padding: c.padding,
                                       activation: c.activation, projection: c.blockChannels > 0 ? c.blockChannels : nil,
                                       rng: &rng)
      list.append(block)
      width = block.outputChannels
    }
    blocks = list
    recurrent = RecurrentLayer(c.recurrent, input: width, units: c.units, bidirectional: c.bidirectional, rng: &rng)
    var features = recurrent.outputSize
    if c.skipSteps > 0 {
      let conv = Conv1D<S>(channels: width, filters: width * c.skipSteps, kernelSize: c.skipSteps, stride: c.skipSteps,
                           padding: .same, rng: &rng)
      let rnn = RecurrentLayer<S>(c.recurrent, input: conv.outputChannels, units: c.units, bidirectional: c.bidirectional, rng: &rng)
      skipConv = conv
      skipRecurrent = rnn
      features += rnn.outputSize
    } else {
      skipConv = nil
      skipRecurrent = nil
    }
    output = Dense(input: features, output: c.summaryDim, rng: &rng)
    dropout = c.dropout
    inputChannels = channels
  }

  public var summaryDim: Int { output.outputSize }

  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    precondition(x.shape.rank == 3 && x.shape[2] == inputChannels,
                 "time-series network: input \(x.shape) is not [B, T, \(inputChannels)]")
    var h = x
    for block in blocks { h = block(h, lengths: lengths) }
    if dropout > 0 { h = h.dropout(rate: dropout) }
    var r = recurrent(h, lengths: lengths)
    if let skipConv, let skipRecurrent {
      let u = skipConv(h, lengths: lengths)
      r = concat(r, skipRecurrent(u, lengths: skipConv.outputLengths(lengths, in: x.graph)), axis: 1)
    }
    return output(r)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    for (i, block) in blocks.enumerated() { self.visit(block, as: "conv\(i + 1)", visit) }
    recurrent.visitParameters { visit(recurrent.key + "." + $0, $1) }
    if let skipConv { self.visit(skipConv, as: "skip_conv", visit) }
    if let skipRecurrent { skipRecurrent.visitParameters { visit("skip_" + skipRecurrent.key + "." + $0, $1) } }
    self.visit(output, as: "output", visit)
  }
}
