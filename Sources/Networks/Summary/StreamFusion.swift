import Tensors

/// Several named observation streams, each summarised by its own network, summaries
/// concatenated (the OutbreakFlow layout: separate networks for confirmed, recovered and
/// deceased counts):
///
///     s = [net₁(x[…, channels₁]), net₂(x[…, channels₂]), …]      [B, Σ summaryDimₖ]
///
/// x: [B, T, C] (or [B, N, D], [B, D]): stream k reads the channels (last-axis indices)
/// `channelsₖ` and the shared `lengths`. Streams run in the given order.
///
/// Keys: `stream_<name>.<key of its network>`, e.g. `stream_confirmed.lstm.w_hidden`.
public final class StreamFusion<S: TensorScalar>: SummaryNetwork {
  public typealias Scalar = S

  /// One stream: its name (part of its parameter keys), the input channels it reads and
  /// its network.
  public struct Stream {
    public let name: String
    public let channels: [Int]
    public let network: any SummaryNetwork<S>

    public init(name: String, channels: [Int], network: any SummaryNetwork<S>) {
      self.name = name
      self.channels = channels
      self.network = network
    }
  }

  public let streams: [Stream]
  let indices: [[Int32]]
  public let summaryDim: Int

  public init(streams: [Stream]) {
    precondition(!streams.isEmpty, "stream fusion needs at least one stream")
    precondition(Set(streams.map(\.name)).count == streams.count, "stream names must be distinct")
    precondition(streams.allSatisfy { !$0.channels.isEmpty && $0.channels.allSatisfy { $0 >= 0 } },
                 "every stream needs at least one channel index ≥ 0")
    self.streams = streams
    indices = streams.map { $0.channels.map(Int32.init) }
    summaryDim = streams.reduce(0) { $0 + $1.network.summaryDim }
  }

  public func callAsFunction(_ x: Tensor<S>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    let channels = x.shape[x.shape.rank - 1]
    var parts: [Tensor<S>] = []
    parts.reserveCapacity(streams.count)
    for (stream, idx) in zip(streams, indices) {
      precondition(stream.channels.allSatisfy { $0 < channels }, "stream \(stream.name): channels \(stream.channels) outside 0..<\(channels)")
      let all = stream.channels.elementsEqual(0..<channels)
      parts.append(stream.network(all ? x : x.gatherColumns(idx), lengths: lengths))
    }
    return parts.count == 1 ? parts[0] : concat(parts, axis: 1)
  }

  public func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    for stream in streams {
      stream.network.visitParameters { visit("stream_" + stream.name + "." + $0, $1) }
    }
  }
}
