import CHDF5

/// A dataset: an n-dimensional array of numbers or strings, stored row-major (last index
/// fastest). Rows are the first dimension; see `readRows`, `writeRows` and `append`.
///
/// Numeric data moves as raw memory in one library call; any stored numeric type can be read
/// as any `HDF5Scalar` (HDF5 converts).
public final class H5Dataset: H5Object, @unchecked Sendable {
  /// The current extent of each dimension; `[]` for a scalar.
  ///
  ///     let (n, p) = (ds.shape[0], ds.shape[1])
  public var shape: [Int] {
    Library.locked { (try? extents().current) ?? [] }
  }

  /// The largest extent of each dimension; nil for an unlimited one (`.extendable()` datasets
  /// have `maxShape[0] == nil`).
  public var maxShape: [Int?] {
    Library.locked { (try? extents().maximum) ?? [] }
  }

  /// The number of dimensions; 0 for a scalar.
  public var rank: Int { shape.count }

  /// The total number of elements (product of `shape`).
  public var count: Int { shape.reduce(1, *) }

  /// The element type as stored in the file.
  ///
  ///     if ds.elementType == .float32 { … }
  public var elementType: H5ElementType {
    Library.locked {
      let type = H5Dget_type(handle.id)
      guard type >= 0 else { return .other("unknown") }
      return Handle(type, .datatype).use { H5ElementType(typeID: $0) }
    }
  }

  /// The chunk shape, or nil if the dataset is stored contiguously (or compactly).
  public var chunkShape: [Int]? {
    Library.locked {
      let list = H5Dget_create_plist(handle.id)
      guard list >= 0 else { return nil }
      return Handle(list, .propertyList).use { list in
        guard H5Pget_layout(list) == H5D_CHUNKED else { return nil }
        var dims = [hsize_t](repeating: 0, count: 32)  // H5S_MAX_RANK
        let rank = H5Pget_chunk(list, Int32(dims.count), &dims)
        return rank < 0 ? nil : dims.prefix(Int(rank)).map { Int($0) }
      }
    }
  }

  /// Reads every element, converted to `T`.
  ///
  ///     let theta = try file.openDataset("parameters").read(as: Double.self)
  public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> [T] {
    try Library.locked {
      let count = try extents().count
      return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        try read(into: buffer)
        initialized = count
      }
    }
  }

  /// Reads every element into `buffer`, which must hold exactly `count` elements.
  ///
  ///     try ds.read(into: UnsafeMutableBufferPointer(start: weights, count: ds.count))
  public func read<T: HDF5Scalar>(into buffer: UnsafeMutableBufferPointer<T>) throws {
    try Library.locked {
      let count = try extents().count
      try requireNumeric(T.self)
      if buffer.count != count {
        throw HDF5Error.countMismatch(file: filePath, path: path, expected: count, actual: buffer.count)
      }
      if count == 0 { return }
      try site.check(H5Dread(handle.id, T.hdf5ElementType.nativeTypeID, bf_h5s_all(), bf_h5s_all(),
                             bf_h5p_default(), buffer.baseAddress), "read dataset")
    }
  }

  /// Overwrites every element with `values` (exactly `count` of them).
  ///
  ///     try ds.write(updated)
  public func write<T: HDF5Scalar>(_ values: [T]) throws {
    try values.withUnsafeBufferPointer { try write($0) }
  }

  /// Overwrites every element with `values` from caller-owned memory (exactly `count`).
  public func write<T: HDF5Scalar>(_ values: UnsafeBufferPointer<T>) throws {
    try Library.locked {
      let count = try extents().count
      try requireNumeric(T.self)
      if values.count != count {
        throw HDF5Error.countMismatch(file: filePath, path: path, expected: count, actual: values.count)
      }
      if count == 0 { return }
      try site.check(H5Dwrite(handle.id, T.hdf5ElementType.nativeTypeID, bf_h5s_all(), bf_h5s_all(),
                              bf_h5p_default(), values.baseAddress), "write dataset")
    }
  }

  /// Reads every element of a string dataset (fixed- or variable-length), flattened.
  ///
  ///     let names = try file.openDataset("names").readStrings()
  public func readStrings() throws -> [String] {
    try Library.locked {
      let count = try extents().count
      let type = try site.handle(H5Dget_type(handle.id), .datatype, "read the element type")
      return try type.use { type in
        try StringCoding.read(count: count, fileType: type, at: site) { memoryType, buffer in
          H5Dread(handle.id, memoryType, bf_h5s_all(), bf_h5s_all(), bf_h5p_default(), buffer)
        }
      }
    }
  }

  /// Reads the single string of a one-element string dataset (e.g. one written with
  /// `createDataset(_:string:)`).
  ///
  ///     let json = try file.openDataset("config").readString()
  public func readString() throws -> String {
    let strings = try readStrings()
    guard strings.count == 1 else {
      throw HDF5Error.countMismatch(file: filePath, path: path, expected: 1, actual: strings.count)
    }
    return strings[0]
  }

  /// The current and maximum extents and the element count. Must be called under the lock.
  func extents() throws -> (current: [Int], maximum: [Int?], count: Int) {
    try site.handle(H5Dget_space(handle.id), .dataspace, "read the dataspace").use { space in
      let (current, maximum) = Dataspace.extents(of: space)
      return (current, maximum, Dataspace.elementCount(of: space))
    }
  }

  /// Throws unless the stored type is numeric, so it converts to and from `T`. Must be called
  /// under the lock.
  func requireNumeric<T: HDF5Scalar>(_ type: T.Type) throws {
    let stored = elementType
    if !stored.isNumeric {
      throw HDF5Error.typeMismatch(file: filePath, path: path, expected: T.hdf5ElementType.description,
                                   found: stored.description)
    }
  }
}
