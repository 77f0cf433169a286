import CHDF5

/// How a new dataset is stored: contiguous, or chunked with optional gzip compression and an
/// unlimited first dimension.
///
/// A dataset is chunked when any of `chunkShape`, `compressionLevel` or `extendable` is set.
/// Without an explicit `chunkShape`, a chunk is whole rows of about 256 KiB (at least one row),
/// so that reading a range of rows decompresses little more than those rows and a chunk fits
/// HDF5's default 1 MiB chunk cache.
public struct H5DatasetOptions: Sendable, Equatable {
  /// The chunk shape, one entry per dimension; nil chooses whole rows of about 256 KiB.
  public var chunkShape: [Int]?
  /// gzip (deflate) level 0…9; nil stores the data uncompressed.
  public var compressionLevel: Int?
  /// Whether compressed data is byte-shuffled first (groups the bytes of each significance
  /// together, which usually compresses numbers much better). Ignored without compression.
  public var shuffle: Bool
  /// Whether the first dimension is unlimited, so that rows can be appended.
  public var extendable: Bool

  /// Options with every field given; the defaults store the dataset contiguously.
  public init(chunkShape: [Int]? = nil, compressionLevel: Int? = nil, shuffle: Bool = true,
              extendable: Bool = false) {
    self.chunkShape = chunkShape
    self.compressionLevel = compressionLevel
    self.shuffle = shuffle
    self.extendable = extendable
  }

  /// Contiguous, uncompressed, fixed shape: the fastest to write and to read whole.
  public static let contiguous = H5DatasetOptions()

  /// Chunked and gzip-compressed at `level` (1 fastest … 9 smallest), with shuffling.
  ///
  ///     try file.createDataset("observations", values: x, shape: [n, t, c], options: .compressed())
  public static func compressed(level: Int = 4, chunkShape: [Int]? = nil,
                                extendable: Bool = false) -> H5DatasetOptions {
    H5DatasetOptions(chunkShape: chunkShape, compressionLevel: level, extendable: extendable)
  }

  /// Chunked with an unlimited first dimension, so `H5Dataset.append` can add rows;
  /// compressed when `compressionLevel` is given.
  ///
  ///     let ds = try file.createDataset("x", of: Float.self, shape: [0, 3], options: .extendable())
  public static func extendable(compressionLevel: Int? = nil,
                                chunkShape: [Int]? = nil) -> H5DatasetOptions {
    H5DatasetOptions(chunkShape: chunkShape, compressionLevel: compressionLevel, extendable: true)
  }

  /// Whether the dataset needs chunked storage.
  var isChunked: Bool { chunkShape != nil || compressionLevel != nil || extendable }

  /// Target bytes of an automatically chosen chunk.
  static let targetChunkBytes = 256 * 1024

  /// The dataset-creation property list for a dataset of `shape` with elements of
  /// `elementBytes` bytes; checks the options against the shape.
  func creationList(shape: [Int], elementBytes: Int, at site: Site) throws -> Handle {
    func invalid(_ reason: String) -> HDF5Error {
      .invalidArgument(file: site.file, path: site.path, reason: reason)
    }
    if let level = compressionLevel, !(0...9).contains(level) {
      throw invalid("compression level \(level) is not in 0...9")
    }
    let list = try site.handle(H5Pcreate(bf_h5p_dataset_create()), .propertyList,
                               "create a dataset property list")
    guard isChunked else { return list }
    if shape.isEmpty { throw invalid("a scalar dataset cannot be chunked, compressed or extended") }
    if !extendable && shape.contains(0) { return list }  // empty and fixed: nothing to chunk
    let chunk = try chunkShape ?? automaticChunk(shape: shape, elementBytes: elementBytes, invalid)
    if chunk.count != shape.count || chunk.contains(where: { $0 < 1 }) {
      throw invalid("chunk shape \(chunk) does not fit dataset shape \(shape)")
    }
    let dims = chunk.map { hsize_t($0) }
    try site.check(H5Pset_chunk(list.id, Int32(dims.count), dims), "set chunk shape \(chunk)")
    if let level = compressionLevel {
      if shuffle { try site.check(H5Pset_shuffle(list.id), "enable the shuffle filter") }
      try site.check(H5Pset_deflate(list.id, UInt32(level)), "enable gzip compression")
    }
    return list
  }

  /// Whole rows, about `targetChunkBytes` per chunk.
  private func automaticChunk(shape: [Int], elementBytes: Int,
                              _ invalid: (String) -> HDF5Error) throws -> [Int] {
    let rowShape = Array(shape.dropFirst())
    if rowShape.contains(0) { throw invalid("cannot chunk shape \(shape): a row is empty") }
    let rowBytes = rowShape.reduce(elementBytes, *)
    var rows = max(1, Self.targetChunkBytes / rowBytes)
    if !extendable { rows = min(rows, shape[0]) }
    return [rows] + rowShape
  }
}
