/// Simulations in flat arrays, in increasing order of their global index.
///
/// parameters [n, P] (Double), observations [n, rows, width] (Float, zero-padded beyond each
/// series' length), lengths [n] (valid rows), indices [n] (the global simulation index, i.e. the
/// random stream the draw came from).
public struct SimulationBatch: Sendable {
  public var parameters: [Double] = []
  public var observations: [Float] = []
  public var lengths: [Int32] = []
  public var indices: [Int] = []
  /// Simulations attempted that failed (threw, or returned non-finite or ill-shaped values).
  public var failures = 0
  public let parameterCount: Int
  public let rows: Int
  public let width: Int

  public init(parameterCount: Int, rows: Int, width: Int) {
    self.parameterCount = parameterCount
    self.rows = rows
    self.width = width
  }

  public var count: Int { lengths.count }
  public var observationSize: Int { rows * width }

  /// Appends one simulation (observation padded to `rows`).
  public mutating func append(index: Int, theta: [Double], observation: Observation) {
    parameters.append(contentsOf: theta)
    let n = observation.length * width
    for i in 0..<n { observations.append(Float(observation.values[i])) }
    for _ in n..<observationSize { observations.append(0) }
    lengths.append(Int32(observation.length))
    indices.append(index)
  }

  /// Appends all of `other` (same layout).
  public mutating func append(contentsOf other: SimulationBatch) {
    parameters += other.parameters
    observations += other.observations
    lengths += other.lengths
    indices += other.indices
    failures += other.failures
  }

  /// The simulations at `range` of positions.
  public func slice(_ range: Range<Int>) -> SimulationBatch {
    var b = SimulationBatch(parameterCount: parameterCount, rows: rows, width: width)
    b.parameters = Array(parameters[(range.lowerBound * parameterCount)..<(range.upperBound * parameterCount)])
    b.observations = Array(observations[(range.lowerBound * observationSize)..<(range.upperBound * observationSize)])
    b.lengths = Array(lengths[range])
    b.indices = Array(indices[range])
    return b
  }

  /// θ of simulation k.
  public func theta(_ k: Int) -> ArraySlice<Double> { parameters[(k * parameterCount)..<((k + 1) * parameterCount)] }
}
