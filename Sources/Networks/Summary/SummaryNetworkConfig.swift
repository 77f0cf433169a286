import Tensors

// The `summary_network` section of a run configuration (DESIGN.md §7), decoded strictly:
// a missing key takes its default, an unknown key is an error naming its path.
//
//     {"type": "none"}
//     {"type": "mlp", "widths": [64, 64], "activation": "silu", "dropout": 0, "summary_dim": 16}
//     {"type": "time_series", "filters": 32, "kernel_sizes": [1, 2, 3, 4, 5, 6, 7], "conv_blocks": 3,
//      "block_channels": 64, "padding": "causal", "activation": "relu", "recurrent": "lstm",
//      "units": 128, "bidirectional": false, "skip_steps": 0, "dropout": 0, "summary_dim": 32}
//     {"type": "deep_set", "widths": [64, 64], "depth": 2, "pooling": "mean", "activation": "silu",
//      "summary_dim": 16}
//     {"type": "streams", "network": {…shared default…},
//      "streams": {"confirmed": {"channels": [0]}, "recovered": {"channels": [1], "network": {…}}, …}}

/// A configuration error with the JSON path of the offending value.
public struct SummaryConfigError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let message: String

  public init(path: String, _ message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): \(message)" }
}

/// The type of a summary network and its settings.
public enum SummaryNetworkConfig: Equatable, Sendable, Codable {
  /// No network: the flattened observation is the summary (`IdentitySummary`).
  case none
  /// An MLP over the flattened observation (`MLPSummary`).
  case mlp(MLPSummaryConfig)
  /// Convolutions and a recurrence over a time series (`TimeSeriesNetwork`).
  case timeSeries(TimeSeriesNetworkConfig)
  /// A permutation-invariant network over a set (`DeepSet`).
  case deepSet(DeepSetConfig)
  /// Separate networks over named channel groups, summaries concatenated (`StreamFusion`).
  case streams(StreamFusionConfig)

  /// The `type` value in JSON.
  public var type: String {
    switch self {
    case .none: return "none"
    case .mlp: return "mlp"
    case .timeSeries: return "time_series"
    case .deepSet: return "deep_set"
    case .streams: return "streams"
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: ConfigKey.self)
    let type = try c.decode(String.self, forKey: ConfigKey("type"))
    switch type {
    case "none":
      try c.rejectUnknownKeys(["type"])
      self = .none
    case "mlp": self = .mlp(try MLPSummaryConfig(from: decoder))
    case "time_series": self = .timeSeries(try TimeSeriesNetworkConfig(from: decoder))
    case "deep_set": self = .deepSet(try DeepSetConfig(from: decoder))
    case "streams": self = .streams(try StreamFusionConfig(from: decoder))
    default:
      throw DecodingError.dataCorrupted(.init(
        codingPath: c.codingPath + [ConfigKey("type")],
        debugDescription: "unknown summary network type \"\(type)\"; expected none, mlp, time_series, deep_set or streams"))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: ConfigKey.self)
    try c.encode(type, forKey: ConfigKey("type"))
    switch self {
    case .none: break
    case .mlp(let m): try m.encode(to: encoder)
    case .timeSeries(let t): try t.encode(to: encoder)
    case .deepSet(let d): try d.encode(to: encoder)
    case .streams(let s): try s.encode(to: encoder)
    }
  }
}

/// Settings of `MLPSummary`.
public struct MLPSummaryConfig: Equatable, Sendable, Codable {
  public var widths: [Int]
  public var activation: Activation
  public var dropout: Double
  public var summaryDim: Int

  public init(widths: [Int] = [64, 64], activation: Activation = .silu, dropout: Double = 0, summaryDim: Int = 16) {
    self.widths = widths
    self.activation = activation
    self.dropout = dropout
    self.summaryDim = summaryDim
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: ConfigKey.self)
    try c.rejectUnknownKeys(["type", "widths", "activation", "dropout", "summary_dim"])
    let d = MLPSummaryConfig()
    self.init(widths: try c.value("widths", or: d.widths), activation: try c.value("activation", or: d.activation),
              dropout: try c.value("dropout", or: d.dropout), summaryDim: try c.value("summary_dim", or: d.summaryDim))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: ConfigKey.self)
    try c.encode(widths, forKey: ConfigKey("widths"))
    try c.encode(activation, forKey: ConfigKey("activation"))
    try c.encode(dropout, forKey: ConfigKey("dropout"))
    try c.encode(summaryDim, forKey: ConfigKey("summary_dim"))
  }

  func validate(_ path: String) throws {
    try check(widths.allSatisfy { $0 > 0 }, path + ".widths", "widths must be positive, got \(widths)")
    try check(dropout >= 0 && dropout < 1, path + ".dropout", "dropout must be in [0, 1), got \(dropout)")
    try check(summaryDim > 0, path + ".summary_dim", "summary_dim must be positive, got \(summaryDim)")
  }
}

/// Settings of `TimeSeriesNetwork` (see its documentation for the layout).
public struct TimeSeriesNetworkConfig: Equatable, Sendable, Codable {
  /// Filters per kernel size in each multi-kernel block.
  public var filters: Int
  /// The kernel sizes of each block's parallel convolutions (a single number in JSON means one).
  public var kernelSizes: [Int]
  /// Number of multi-kernel blocks (0: the recurrence reads the input directly).
  public var convBlocks: Int
  /// Output channels of each block's 1×1 projection; 0 for no projection.
  public var blockChannels: Int
  public var padding: Padding
  /// Activation of the convolutions.
  public var activation: Activation
  public var recurrent: RecurrentKind
  /// Units H of the recurrence (per direction).
  public var units: Int
  public var bidirectional: Bool
  /// Skip path (LSTNet, BayesFlow 2): a stride-`skipSteps` convolution and a second recurrence; 0 for none.
  public var skipSteps: Int
  /// Dropout on the recurrence's input while training.
  public var dropout: Double
  public var summaryDim: Int

  public init(filters: Int = 32, kernelSizes: [Int] = [1, 2, 3, 4, 5, 6, 7], convBlocks: Int = 3, blockChannels: Int = 64,
              padding: Padding = .causal, activation: Activation = .relu, recurrent: RecurrentKind = .lstm,
              units: Int = 128, bidirectional: Bool = false, skipSteps: Int = 0, dropout: Double = 0,
              summaryDim: Int = 32) {
    self.filters = filters
    self.kernelSizes = kernelSizes
    self.convBlocks = convBlocks
    self.blockChannels = blockChannels
    self.padding = padding
    self.activation = activation
    self.recurrent = recurrent
    self.units = units
    self.bidirectional = bidirectional
    self.skipSteps = skipSteps
    self.dropout = dropout
    self.summaryDim = summaryDim
  }

  /// The layers of BayesFlow 2's default `TimeSeriesNetwork`: one `same` convolution of
  /// kernel 3 with 32 filters and Mish, a bidirectional GRU(128 per direction) plus a skip GRU
  /// over a stride-4 convolution, dropout 0.05, summary 16 (see `TimeSeriesNetwork`).
  public static let bayesFlowDefault = TimeSeriesNetworkConfig(
    filters: 32, kernelSizes: [3], convBlocks: 1, blockChannels: 0, padding: .same, activation: .mish,
    recurrent: .gru, units: 128, bidirectional: true, skipSteps: 4, dropout: 0.05, summaryDim: 16)

  static let keys = ["type", "filters", "kernel_sizes", "conv_blocks", "block_channels", "padding", "activation",
                     "recurrent", "units", "bidirectional", "skip_steps", "dropout", "summary_dim"]

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: ConfigKey.self)
    try c.rejectUnknownKeys(Self.keys)
    let d = TimeSeriesNetworkConfig()
    var kernels = d.kernelSizes
    if c.contains(ConfigKey("kernel_sizes")) {
      if let one = try? c.decode(Int.self, forKey: ConfigKey("kernel_sizes")) {
        kernels = [one]
      } else {
        kernels = try c.decode([Int].self, forKey: ConfigKey("kernel_sizes"))
      }
    }
    self.init(filters: try c.value("filters", or: d.filters), kernelSizes: kernels,
              convBlocks: try c.value("conv_blocks", or: d.convBlocks),
              blockChannels: try c.value("block_channels", or: d.blockChannels),
              padding: try c.value("padding", or: d.padding), activation: try c.value("activation", or: d.activation),
              recurrent: try c.value("recurrent", or: d.recurrent), units: try c.value("units", or: d.units),
              bidirectional: try c.value("bidirectional", or: d.bidirectional),
              skipSteps: try c.value("skip_steps", or: d.skipSteps), dropout: try c.value("dropout", or: d.dropout),
              summaryDim: try c.value("summary_dim", or: d.summaryDim))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: ConfigKey.self)
    try c.encode(filters, forKey: ConfigKey("filters"))
    try c.encode(kernelSizes, forKey: ConfigKey("kernel_sizes"))
    try c.encode(convBlocks, forKey: ConfigKey("conv_blocks"))
    try c.encode(blockChannels, forKey: ConfigKey("block_channels"))
    try c.encode(padding, forKey: ConfigKey("padding"))
    try c.encode(activation, forKey: ConfigKey("activation"))
    try c.encode(recurrent, forKey: ConfigKey("recurrent"))
    try c.encode(units, forKey: ConfigKey("units"))
    try c.encode(bidirectional, forKey: ConfigKey("bidirectional"))
    try c.encode(skipSteps, forKey: ConfigKey("skip_steps"))
    try c.encode(dropout, forKey: ConfigKey("dropout"))
    try c.encode(summaryDim, forKey: ConfigKey("summary_dim"))
  }

  func validate(_ path: String) throws {
    try check(filters > 0, path + ".filters", "filters must be positive, got \(filters)")
    try check(!kernelSizes.isEmpty && kernelSizes.allSatisfy { $0 > 0 }, path + ".kernel_sizes",
              "kernel_sizes must be positive, got \(kernelSizes)")
    try check(Set(kernelSizes).count == kernelSizes.count, path + ".kernel_sizes", "kernel_sizes must be distinct, got \(kernelSizes)")
    try check(kernelSizes.count == 1 || padding != .valid, path + ".padding",
              "valid padding needs a single kernel size (parallel convolutions must keep equal lengths); use same or causal")
    try check(convBlocks >= 0, path + ".conv_blocks", "conv_blocks must be ≥ 0, got \(convBlocks)")
    try check(blockChannels >= 0, path + ".block_channels", "block_channels must be ≥ 0 (0: no 1×1 projection), got \(blockChannels)")
    try check(units > 0, path + ".units", "units must be positive, got \(units)")
    try check(skipSteps >= 0, path + ".skip_steps", "skip_steps must be ≥ 0, got \(skipSteps)")
    try check(dropout >= 0 && dropout < 1, path + ".dropout", "dropout must be in [0, 1), got \(dropout)")
    try check(summaryDim > 0, path + ".summary_dim", "summary_dim must be positive, got \(summaryDim)")
  }
}

/// Settings of `DeepSet`.
public struct DeepSetConfig: Equatable, Sendable, Codable {
  public var widths: [Int]
  /// Number of equivariant layers.
  public var depth: Int
  public var pooling: Pooling
  public var activation: Activation
  public var summaryDim: Int

  public init(widths: [Int] = [64, 64], depth: Int = 2, pooling: Pooling = .mean, activation: Activation = .silu,
              summaryDim: Int = 16) {
    self.widths = widths
    self.depth = depth
    self.pooling = pooling
    self.activation = activation
    self.summaryDim = summaryDim
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: ConfigKey.self)
    try c.rejectUnknownKeys(["type", "widths", "depth", "pooling", "activation", "summary_dim"])
    let d = DeepSetConfig()
    self.init(widths: try c.value("widths", or: d.widths), depth: try c.value("depth", or: d.depth),
              pooling: try c.value("pooling", or: d.pooling), activation: try c.value("activation", or: d.activation),
              summaryDim: try c.value("summary_dim", or: d.summaryDim))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: ConfigKey.self)
    try c.encode(widths, forKey: ConfigKey("widths"))
    try c.encode(depth, forKey: ConfigKey("depth"))
    try c.encode(pooling, forKey: ConfigKey("pooling"))
    try c.encode(activation, forKey: ConfigKey("activation"))
    try c.encode(summaryDim, forKey: ConfigKey("summary_dim"))
  }

  func validate(_ path: String) throws {
    try check(!widths.isEmpty && widths.allSatisfy { $0 > 0 }, path + ".widths", "widths must be positive and non-empty, got \(widths)")
    try check(depth >= 0, path + ".depth", "depth must be ≥ 0, got \(depth)")
    try check(summaryDim > 0, path + ".summary_dim", "summary_dim must be positive, got \(summaryDim)")
  }
}

/// Settings of `StreamFusion`: named streams, each with its channels and network.
///
/// In JSON, `streams` is an object keyed by stream name; a stream without its own `network`
/// uses the top-level `network`. Streams are ordered by their first channel (then by name),
/// which fixes the order of the concatenated summary.
public struct StreamFusionConfig: Equatable, Sendable, Codable {
  public struct Stream: Equatable, Sendable {
    public var name: String
    public var channels: [Int]
    public var network: SummaryNetworkConfig

    public init(name: String, channels: [Int], network: SummaryNetworkConfig) {
      self.name = name
      self.channels = channels
      self.network = network
    }
  }

  public var streams: [Stream]

  public init(streams: [Stream]) { self.streams = streams }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: ConfigKey.self)
    try c.rejectUnknownKeys(["type", "network", "streams"])
    let shared = try c.decodeIfPresent(SummaryNetworkConfig.self, forKey: ConfigKey("network"))
    let s = try c.nestedContainer(keyedBy: ConfigKey.self, forKey: ConfigKey("streams"))
    var list: [Stream] = []
    for key in s.allKeys {
      let entry = try s.nestedContainer(keyedBy: ConfigKey.self, forKey: key)
      try entry.rejectUnknownKeys(["channels", "network"])
      let channels = try entry.decode([Int].self, forKey: ConfigKey("channels"))
      guard let network = try entry.decodeIfPresent(SummaryNetworkConfig.self, forKey: ConfigKey("network")) ?? shared else {
        throw DecodingError.keyNotFound(ConfigKey("network"), .init(
          codingPath: entry.codingPath,
          debugDescription: "stream \"\(key.stringValue)\" has no network and there is no shared \"network\""))
      }
      list.append(Stream(name: key.stringValue, channels: channels, network: network))
    }
    streams = list.sorted { ($0.channels.min() ?? 0, $0.name) < ($1.channels.min() ?? 0, $1.name) }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: ConfigKey.self)
    var s = c.nestedContainer(keyedBy: ConfigKey.self, forKey: ConfigKey("streams"))
    for stream in streams {
      var entry = s.nestedContainer(keyedBy: ConfigKey.self, forKey: ConfigKey(stream.name))
      try entry.encode(stream.channels, forKey: ConfigKey("channels"))
      try entry.encode(stream.network, forKey: ConfigKey("network"))
    }
  }
}

/// What a summary network receives: the shape of one observation.
public enum SummaryInput: Equatable, Sendable, CustomStringConvertible {
  /// A fixed vector [D].
  case vector(Int)
  /// A series [T, C]; `length` nil when series vary in length (padded, with lengths).
  case timeSeries(length: Int?, channels: Int)
  /// A set [N, D] of exchangeable elements; `size` nil when sets vary in size.
  case set(size: Int?, dimension: Int)

  /// The last axis (features, channels or element dimension).
  public var features: Int {
    switch self {
    case .vector(let d): return d
    case .timeSeries(_, let c): return c
    case .set(_, let d): return d
    }
  }

  /// Values per observation, if fixed.
  public var flatSize: Int? {
    switch self {
    case .vector(let d): return d
    case .timeSeries(let t, let c): return t.map { $0 * c }
    case .set(let n, let d): return n.map { $0 * d }
    }
  }

  /// The same kind of input with `n` features (one stream's share of the channels).
  func withFeatures(_ n: Int) -> SummaryInput {
    switch self {
    case .vector: return .vector(n)
    case .timeSeries(let t, _): return .timeSeries(length: t, channels: n)
    case .set(let s, _): return .set(size: s, dimension: n)
    }
  }

  public var description: String {
    switch self {
    case .vector(let d): return "a vector [\(d)]"
    case .timeSeries(let t, let c): return "a time series [\(t.map(String.init) ?? "T"), \(c)]"
    case .set(let n, let d): return "a set [\(n.map(String.init) ?? "N"), \(d)]"
    }
  }
}

/// Builds the summary network described by `config` for observations of shape `input`,
/// after validating every setting (errors name the JSON path under `path`).
public func makeSummaryNetwork<S: TensorScalar>(_ config: SummaryNetworkConfig, input: SummaryInput,
                                                as _: S.Type = S.self, rng: inout RandomStream,
                                                path: String = "summary_network") throws -> any SummaryNetwork<S> {
  switch config {
  case .none:
    guard let size = input.flatSize else {
      throw SummaryConfigError(path: path + ".type", "\"none\" needs observations of fixed size, got \(input) of varying size")
    }
    return IdentitySummary<S>(size: size)
  case .mlp(let c):
    try c.validate(path)
    guard let size = input.flatSize else {
      throw SummaryConfigError(path: path + ".type", "\"mlp\" needs observations of fixed size, got \(input) of varying size")
    }
    return MLPSummary<S>(input: size, widths: c.widths, summaryDim: c.summaryDim, activation: c.activation,
                         dropout: c.dropout, rng: &rng)
  case .timeSeries(let c):
    try c.validate(path)
    guard case .timeSeries(_, let channels) = input else {
      throw SummaryConfigError(path: path + ".type", "\"time_series\" needs time-series observations, got \(input)")
    }
    return TimeSeriesNetwork<S>(channels: channels, config: c, rng: &rng)
  case .deepSet(let c):
    try c.validate(path)
    guard case .set(_, let dimension) = input else {
      throw SummaryConfigError(path: path + ".type", "\"deep_set\" needs set observations, got \(input)")
    }
    return DeepSet<S>(input: dimension, widths: c.widths, depth: c.depth, pooling: c.pooling, activation: c.activation,
                      summaryDim: c.summaryDim, rng: &rng)
  case .streams(let c):
    try check(!c.streams.isEmpty, path + ".streams", "needs at least one stream")
    var used = Set<Int>()
    var list: [StreamFusion<S>.Stream] = []
    for stream in c.streams {
      let p = path + ".streams." + stream.name
      try check(!stream.name.isEmpty && stream.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, p,
                "stream names may contain only letters, digits and _")
      try check(!stream.channels.isEmpty, p + ".channels", "needs at least one channel")
      for ch in stream.channels {
        try check(ch >= 0 && ch < input.features, p + ".channels", "channel \(ch) outside 0..<\(input.features) of \(input)")
        try check(used.insert(ch).inserted, p + ".channels", "channel \(ch) is used by more than one stream")
      }
      let network: any SummaryNetwork<S> = try makeSummaryNetwork(stream.network, input: input.withFeatures(stream.channels.count),
                                                                 rng: &rng, path: p + ".network")
      list.append(StreamFusion<S>.Stream(name: stream.name, channels: stream.channels, network: network))
    }
    return StreamFusion(streams: list)
  }
}

@inline(__always)
func check(_ condition: Bool, _ path: String, _ message: @autoclosure () -> String) throws {
  if !condition { throw SummaryConfigError(path: path, message()) }
}

/// A key of a JSON object, for strict decoding.
struct ConfigKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ string: String) { stringValue = string }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where K == ConfigKey {
  /// Throws for the first key (alphabetically) that is not in `known`.
  func rejectUnknownKeys(_ known: [String]) throws {
    for key in allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
      throw DecodingError.dataCorrupted(.init(
        codingPath: codingPath + [key],
        debugDescription: "unknown key \"\(key.stringValue)\"; expected one of \(known.filter { $0 != "type" }.joined(separator: ", "))"))
    }
  }

  /// The value at `key`, or `fallback` when the key is absent or null.
  func value<T: Decodable>(_ key: String, or fallback: T) throws -> T {
    try decodeIfPresent(T.self, forKey: ConfigKey(key)) ?? fallback
  }
}
