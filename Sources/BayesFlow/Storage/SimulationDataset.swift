import Foundation
import HDF5
import Tensors

/// The version of the dataset and checkpoint layouts (docs/file-formats.md).
public let fileFormatVersion: Int64 = 1

/// A dataset file of simulations (docs/file-formats.md):
///
///     /parameters    float64 [N, P]
///     /observations  float32 [N, d] or [N, T, C] (zero-padded for variable-length series)
///     /lengths       int32 [N]  (variable-length series only)
///     attributes: simulator, parameter_names, observation_shape, seed, created,
///                 format_version, simulations_failed
///
/// Datasets are chunked and gzip-compressed, so any h5py user can read them, and slices can be
/// read without loading the file (training from files larger than memory).
public enum SimulationDataset {
  /// Simulates global indices 0..<count with `engine` and writes them to `path` in chunks of
  /// `chunk` simulations (memory bounded by one chunk), atomically: on error no file remains.
  /// `progress(done, count)` is called after each chunk. Returns the number of simulations
  /// written (failures are dropped).
  @discardableResult
  public static func write(to path: String, engine: SimulationEngine, count: Int, chunk: Int = 8192,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
    let sim = engine.simulator
    let shape = sim.observationShape
    let p = sim.parameters.count
    return try H5File.createAtomically(at: path) { file in
      let rowsPerChunk = max(1, min(chunk, (1 << 20) / max(shape.count * 4, 1)))
      let params = try file.createDataset("parameters", of: Double.self, shape: [0, p],
                                          options: .extendable(compressionLevel: 4, chunkShape: [rowsPerChunk, p]))
      let obs = try file.createDataset("observations", of: Float.self, shape: [0] + shape.dims,
                                       options: .extendable(compressionLevel: 4, chunkShape: [rowsPerChunk] + shape.dims))
      let lengths = shape.isVariableLength
        ? try file.createDataset("lengths", of: Int32.self, shape: [0], options: .extendable(compressionLevel: 4, chunkShape: [rowsPerChunk]))
        : nil
      var written = 0, start = 0
      while start < count {
        let n = min(chunk, count - start)
        let batch = try engine.simulate(start..<(start + n))
        try engine.checkFailures()
        try params.append(batch.parameters)
        try obs.append(batch.observations)
        try lengths?.append(batch.lengths)
        written += batch.count
        start += n
        progress(start, count)
      }
      try writeAttributes(file, simulator: sim, seed: engine.seed, failed: engine.failed)
      return written
    }
  }

  static func writeAttributes(_ file: H5File, simulator sim: any Simulator, seed: UInt64, failed: Int) throws {
    try file.setAttribute("simulator", to: sim.name)
    try file.setAttribute("parameter_names", to: sim.parameterNames)
    try file.setAttribute("observation_shape", to: sim.observationShape.description)
    try file.setAttribute("seed", to: seed)
    try file.setAttribute("created", to: ISO8601DateFormatter().string(from: Date()))
    try file.setAttribute("format_version", to: fileFormatVersion)
    try file.setAttribute("simulations_failed", to: Int64(failed))
  }
}

/// Reads a simulation dataset in slices.
public final class SimulationDatasetReader {
  public let path: String
  public let simulatorName: String
  public let parameterNames: [String]
  public let count: Int
  public let rows: Int
  public let width: Int
  public let hasLengths: Bool
  private let file: H5File
  private let parameters: H5Dataset
  private let observations: H5Dataset
  private let lengths: H5Dataset?

  public init(path: String) throws {
    self.path = path
    file = try H5File.open(at: path)
    let version = try file.hasAttribute("format_version") ? file.readAttribute("format_version", as: Int64.self) : -1
    guard version == fileFormatVersion else {
      throw HDF5Error.invalidArgument(file: path, path: "/", reason: "format_version \(version), this bayesflow reads \(fileFormatVersion)")
    }
    simulatorName = try file.readAttribute("simulator", as: String.self)
    parameterNames = try file.readAttribute("parameter_names", as: [String].self)
    parameters = try file.openDataset("parameters")
    observations = try file.openDataset("observations")
    lengths = file.exists("lengths") ? try file.openDataset("lengths") : nil
    hasLengths = lengths != nil
    count = parameters.rowCount
    let s = observations.shape
    rows = s.count == 2 ? 1 : s[1]
    width = s.last ?? 0
    guard parameters.shape == [count, parameterNames.count], observations.rowCount == count,
          lengths.map({ $0.rowCount == count }) ?? true else {
      throw HDF5Error.invalidArgument(file: path, path: "/", reason: "inconsistent shapes: parameters \(parameters.shape), observations \(s)")
    }
  }

  /// Simulations `range` as a batch.
  public func read(_ range: Range<Int>) throws -> SimulationBatch {
    var b = SimulationBatch(parameterCount: parameterNames.count, rows: rows, width: width)
    b.parameters = try parameters.readRows(range, as: Double.self)
    b.observations = try observations.readRows(range, as: Float.self)
    b.lengths = try lengths?.readRows(range, as: Int32.self) ?? [Int32](repeating: Int32(rows), count: range.count)
    b.indices = Array(range)
    return b
  }

  /// The batches of one epoch, shuffled with `rng`, reading `bufferBlocks` contiguous blocks of
  /// `batchSize` rows at a time (memory O(bufferBlocks · batchSize)): block order is a random
  /// permutation and rows are shuffled within each buffer. The last partial block is included.
  public func shuffledBatches(batchSize: Int, rng: inout RandomStream, bufferBlocks: Int = 4,
                              _ body: (SimulationBatch) throws -> Void) throws {
    var blocks = Array(stride(from: 0, to: count, by: batchSize))
    blocks.shuffle(using: &rng)
    var i = 0
    while i < blocks.count {
      var buffer = SimulationBatch(parameterCount: parameterNames.count, rows: rows, width: width)
      for start in blocks[i..<min(i + bufferBlocks, blocks.count)] {
        buffer.append(contentsOf: try read(start..<min(start + batchSize, count)))
      }
      var order = Array(0..<buffer.count)
      order.shuffle(using: &rng)
      for s in stride(from: 0, to: order.count, by: batchSize) {
        try body(buffer.gather(order[s..<min(s + batchSize, order.count)]))
      }
      i += bufferBlocks
    }
  }
}

extension SimulationBatch {
  /// The simulations at the given positions, in that order.
  public func gather<C: Collection>(_ positions: C) -> SimulationBatch where C.Element == Int {
    var b = SimulationBatch(parameterCount: parameterCount, rows: rows, width: width)
    b.parameters.reserveCapacity(positions.count * parameterCount)
    b.observations.reserveCapacity(positions.count * observationSize)
    for k in positions {
      b.parameters += parameters[(k * parameterCount)..<((k + 1) * parameterCount)]
      b.observations += observations[(k * observationSize)..<((k + 1) * observationSize)]
      b.lengths.append(lengths[k])
      b.indices.append(indices[k])
    }
    return b
  }
}
