import Tensors

/// Where a parameter lives; the standardizer maps each support to ℝ before z-scoring.
public enum ParameterSupport: Equatable, Sendable, CustomStringConvertible {
  /// θ ∈ ℝ (identity map).
  case real
  /// θ > 0 (log map).
  case positive
  /// θ ∈ (lower, upper) (logit of the rescaled value).
  case interval(lower: Double, upper: Double)

  public func contains(_ x: Double) -> Bool {
    switch self {
    case .real: return x.isFinite
    case .positive: return x > 0 && x.isFinite
    case let .interval(a, b): return x > a && x < b
    }
  }

  public var description: String {
    switch self {
    case .real: return "real"
    case .positive: return "positive"
    case let .interval(a, b): return "(\(a), \(b))"
    }
  }
}

/// A named model parameter with its support.
public struct ParameterSpec: Equatable, Sendable {
  public var name: String
  public var support: ParameterSupport
  public init(_ name: String, _ support: ParameterSupport = .real) {
    self.name = name
    self.support = support
  }
}

/// One named stream of a multi-stream time series (e.g. "confirmed") and its channel count.
public struct ObservationStream: Equatable, Sendable {
  public var name: String
  public var channels: Int
  public init(_ name: String, channels: Int = 1) {
    self.name = name
    self.channels = channels
  }
}

/// The shape of one observation.
///
/// Values are stored row-major as `[rows, width]`: a vector is one row of `d` values; a time
/// series is T rows (time steps) of C channels; a set is N rows (points) of d coordinates; a
/// multi-stream series is T rows whose channels are the streams' channels side by side.
public enum ObservationShape: Equatable, Sendable, CustomStringConvertible {
  case vector(Int)
  /// `length` is the maximum length when `variableLength`.
  case timeSeries(length: Int, channels: Int, variableLength: Bool)
  case set(count: Int, dimension: Int)
  case streams([ObservationStream], length: Int, variableLength: Bool)

  /// Rows of a full-length observation (1 for a vector).
  public var rows: Int {
    switch self {
    case .vector: return 1
    case .timeSeries(let t, _, _), .streams(_, let t, _): return t
    case .set(let n, _): return n
    }
  }

  /// Values per row.
  public var width: Int {
    switch self {
    case .vector(let d): return d
    case .timeSeries(_, let c, _): return c
    case .set(_, let d): return d
    case .streams(let s, _, _): return s.reduce(0) { $0 + $1.channels }
    }
  }

  /// Values of a full-length observation.
  public var count: Int { rows * width }

  public var isVariableLength: Bool {
    switch self {
    case .timeSeries(_, _, let v), .streams(_, _, let v): return v
    default: return false
    }
  }

  /// Shape of one observation in a dataset or model input: [d], [T, C] or [N, d].
  public var dims: [Int] {
    switch self {
    case .vector(let d): return [d]
    default: return [rows, width]
    }
  }

  public var description: String {
    switch self {
    case .vector(let d): return "vector(\(d))"
    case let .timeSeries(t, c, v): return "series(\(v ? "≤" : "")\(t)×\(c))"
    case let .set(n, d): return "set(\(n)×\(d))"
    case let .streams(s, t, v):
      return "streams(\(v ? "≤" : "")\(t)×[" + s.map { $0.channels == 1 ? $0.name : "\($0.name):\($0.channels)" }.joined(separator: ",") + "])"
    }
  }
}

/// One simulated observation: `length` rows of `shape.width` values, row-major.
public struct Observation: Sendable, Equatable {
  public var values: [Double]
  /// Valid rows (time steps); equals `shape.rows` unless the series has variable length.
  public var length: Int
  public init(_ values: [Double], length: Int = 1) {
    self.values = values
    self.length = length
  }
}

/// Why a simulation produced no observation. A thrown error drops the draw (it is counted as
/// a failed simulation), it does not stop a run.
public struct SimulationFailure: Error, CustomStringConvertible {
  public let reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// A stochastic forward model y = g(θ, ξ) with a prior p(θ): what users bring.
///
/// `simulate` draws all its randomness ξ from `rng`; the framework hands each simulation its
/// own stream, so results are reproducible and independent of threading. Implementations must
/// be thread-safe (value types, or immutable shared state such as a loaded grid).
public protocol Simulator: Sendable {
  /// Registry name (`two_moons`).
  var name: String { get }
  /// One line saying what it is.
  var about: String { get }
  var parameters: [ParameterSpec] { get }
  var observationShape: ObservationShape { get }
  /// θ ~ p(θ).
  func samplePrior(_ rng: inout RandomStream) -> [Double]
  /// y ~ p(y | θ). Throw `SimulationFailure` (or any error) for a failed simulation.
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation
  /// Names of deterministic functions of θ reported with posterior samples (default none).
  var derivedQuantityNames: [String] { get }
  /// Their values at θ (same order as `derivedQuantityNames`).
  func derivedQuantities(_ theta: [Double]) -> [Double]
  /// log p(θ) if available in closed form (default nil); used by diagnostics.
  func priorLogDensity(_ theta: [Double]) -> Double?
  /// Whether θ lies in the prior's support (default: every parameter inside its `support`).
  /// Posterior draws outside are rejected at sampling time.
  func inPriorSupport(_ theta: [Double]) -> Bool
}

extension Simulator {
  public var derivedQuantityNames: [String] { [] }
  public func derivedQuantities(_ theta: [Double]) -> [Double] { [] }
  public func priorLogDensity(_ theta: [Double]) -> Double? { nil }
  public func inPriorSupport(_ theta: [Double]) -> Bool {
    zip(parameters, theta).allSatisfy { $0.support.contains($1) }
  }
  public var parameterNames: [String] { parameters.map(\.name) }
}
