import Networks
import Tensors

/// The trained model: standardizer → summary network h(y) → coupling flow f(u; h(y)).
///
///     u = standardized θ,   c = h(standardized y),   z = f(u; c)
///     loss = mean(½‖z‖² − log|det ∂z/∂u|)            (the NLL of u minus (P/2)·log 2π)
///     log p(θ | y) = −½‖z‖² − (P/2)·log 2π + log|det ∂z/∂u| + log|∂u/∂θ|
///
/// Observations enter as [B, d] (vectors) or [B, T, C] / [B, N, d] (series, sets) in
/// standardized Float, with per-item lengths for variable-length series. Parameter keys are
/// `summary.…` and `flow.…`.
public final class Approximator: Layer {
  public typealias Scalar = Float
  public let observationShape: ObservationShape
  public let parameterCount: Int
  public var standardizer: Standardizer
  public let summary: any SummaryNetwork<Float>
  public let flow: CouplingFlow<Float>

  public init(shape: ObservationShape, parameterCount: Int, standardizer: Standardizer,
              summary summaryConfig: SummaryNetworkConfig, flow flowConfig: CouplingFlowConfiguration,
              rng: inout RandomStream) throws {
    observationShape = shape
    self.parameterCount = parameterCount
    self.standardizer = standardizer
    do {
      summary = try makeSummaryNetwork(summaryConfig, input: Approximator.summaryInput(shape), as: Float.self, rng: &rng)
    } catch let e as SummaryConfigError {
      throw ConfigError(path: e.path, e.message)
    }
    flow = CouplingFlow(dimension: parameterCount, conditionDimension: summary.summaryDim, configuration: flowConfig, rng: &rng)
  }

  /// What the summary network sees.
  public static func summaryInput(_ shape: ObservationShape) -> SummaryInput {
    switch shape {
    case .vector(let d): return .vector(d)
    case let .timeSeries(t, c, variable): return .timeSeries(length: variable ? nil : t, channels: c)
    case let .streams(_, t, variable): return .timeSeries(length: variable ? nil : t, channels: shape.width)
    case let .set(n, d): return .set(size: n, dimension: d)
    }
  }

  /// The model input shape of a batch of `count` observations.
  public func observationTensorShape(count: Int) -> Shape {
    switch observationShape {
    case .vector(let d): return Shape(count, d)
    default: return Shape(count, observationShape.rows, observationShape.width)
    }
  }

  public func visitParameters(_ visit: (String, Parameter<Float>) -> Void) {
    summary.visitParameters { visit("summary." + $0, $1) }
    flow.visitParameters { visit("flow." + $0, $1) }
  }

  /// c = h(y) [B, summaryDim] for standardized observations `y` (a tensor of `graph`).
  public func condition(_ y: Tensor<Float>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<Float> {
    let variable = observationShape.isVariableLength
    return summary(y, lengths: variable ? lengths : nil)
  }

  /// The training loss of standardized parameters u [B, P] given standardized observations.
  public func loss(u: Tensor<Float>, y: Tensor<Float>, lengths: UnsafeBufferPointer<Int32>?) -> Tensor<Float> {
    flow.loss(u, condition: condition(y, lengths: lengths))
  }

  /// Standardized Float copies of a batch: u [B, P], y [B, rows·width] (padding zeroed).
  public func standardize(_ batch: SimulationBatch) -> (u: [Float], y: [Float]) {
    var u = [Float](repeating: 0, count: batch.count * parameterCount)
    batch.parameters.withUnsafeBufferPointer { t in u.withUnsafeMutableBufferPointer { standardizer.standardizeParameters(t, into: $0) } }
    var y = batch.observations
    y.withUnsafeMutableBufferPointer { yb in
      batch.lengths.withUnsafeBufferPointer { standardizer.standardizeObservations(yb, lengths: $0, rows: batch.rows) }
    }
    return (u, y)
  }

  /// Standardized observations [K, rows·width] and lengths for user-supplied observations.
  public func standardize(observations: [Observation]) -> (y: [Float], lengths: [Int32]) {
    let size = observationShape.count
    var y = [Float](repeating: 0, count: observations.count * size)
    var lengths = [Int32](repeating: 0, count: observations.count)
    for (k, obs) in observations.enumerated() {
      for i in 0..<obs.values.count { y[k * size + i] = Float(obs.values[i]) }
      lengths[k] = Int32(obs.length)
    }
    y.withUnsafeMutableBufferPointer { yb in
      lengths.withUnsafeBufferPointer { standardizer.standardizeObservations(yb, lengths: $0, rows: observationShape.rows) }
    }
    return (y, lengths)
  }

  /// Summaries [K, summaryDim] of standardized observations, computed in chunks without
  /// recording gradients.
  public func summaries(y: [Float], lengths: [Int32], chunk: Int = 4096) -> [Float] {
    let k = lengths.count, size = observationShape.count, sd = summary.summaryDim
    var out = [Float](repeating: 0, count: k * sd)
    let graph = Graph<Float>()
    var start = 0
    while start < k {
      let n = min(chunk, k - start)
      graph.reset()
      let yt = y.withUnsafeBufferPointer { graph.constant(UnsafeBufferPointer(rebasing: $0[(start * size)..<((start + n) * size)]), shape: observationTensorShape(count: n)) }
      let c = lengths.withUnsafeBufferPointer { condition(yt, lengths: UnsafeBufferPointer(rebasing: $0[start..<(start + n)])) }
      for i in 0..<(n * sd) { out[start * sd + i] = c.pointer[i] }
      start += n
    }
    return out
  }
}
