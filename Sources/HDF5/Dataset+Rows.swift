import CHDF5

/// Row access: hyperslabs over the first dimension, for data larger than memory and for
/// datasets grown in batches. A row of a dataset of shape [N, d₁, …, dₖ] is d₁⋯dₖ elements.
extension H5Dataset {
  /// The number of rows, `shape[0]`; 0 for a scalar.
  public var rowCount: Int { shape.first ?? 0 }

  /// Reads rows `rows` (all of every other dimension), converted to `T`.
  ///
  ///     let batch = try x.readRows(512..<768, as: Float.self)   // 256 rows
  public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
    try Library.locked {
      let count = rows.count * (try rowGeometry().rowElements)
      return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        try readRows(rows, into: buffer)
        initialized = count
      }
    }
  }

  /// Reads rows `rows` into `buffer`, which must hold exactly `rows.count` rows.
  ///
  ///     try x.readRows(start..<start + b, into: batchBuffer)
  public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
    try Library.locked {
      let layout = try rowGeometry()
      try checkRange(rows, in: layout.shape)
      try requireNumeric(T.self)
      let expected = rows.count * layout.rowElements
      if buffer.count != expected {
        throw HDF5Error.countMismatch(file: filePath, path: path, expected: expected, actual: buffer.count)
      }
      if expected == 0 { return }
      try withRowSelection(rows, shape: layout.shape) { memory, file in
        try site.check(H5Dread(handle.id, T.hdf5ElementType.nativeTypeID, memory, file, bf_h5p_default(),
                               buffer.baseAddress), "read rows \(rows.lowerBound)..<\(rows.upperBound)")
      }
    }
  }

  /// Overwrites whole rows from `firstRow` on with `values` (a multiple of the row size);
  /// the rows must already exist (see `append` to add rows).
  ///
  ///     try x.writeRows(batch, at: 1024)
  public func writeRows<T: HDF5Scalar>(_ values: [T], at firstRow: Int) throws {
    try values.withUnsafeBufferPointer { try writeRows($0, at: firstRow) }
  }

  /// Overwrites whole rows from `firstRow` on with `values` from caller-owned memory.
  public func writeRows<T: HDF5Scalar>(_ values: UnsafeBufferPointer<T>, at firstRow: Int) throws {
    try Library.locked {
      let layout = try rowGeometry()
      let rows = firstRow..<(firstRow + (try wholeRows(values.count, rowElements: layout.rowElements)))
      try checkRange(rows, in: layout.shape)
      try requireNumeric(T.self)
      if rows.isEmpty { return }
      try withRowSelection(rows, shape: layout.shape) { memory, file in
        try site.check(H5Dwrite(handle.id, T.hdf5ElementType.nativeTypeID, memory, file, bf_h5p_default(),
                                values.baseAddress), "write rows \(rows.lowerBound)..<\(rows.upperBound)")
      }
    }
  }

  /// Adds `values` (a multiple of the row size) as new rows at the end: extends the first
  /// dimension, then writes. The dataset must have been created `.extendable()`.
  ///
  ///     try x.append(batch)   // batch.count == b * rowSize
  public func append<T: HDF5Scalar>(_ values: [T]) throws {
    try values.withUnsafeBufferPointer { try append($0) }
  }

  /// Adds `values` from caller-owned memory as new rows at the end.
  public func append<T: HDF5Scalar>(_ values: UnsafeBufferPointer<T>) throws {
    try Library.locked {
      let layout = try rowGeometry()
      try requireNumeric(T.self)
      let newRows = try wholeRows(values.count, rowElements: layout.rowElements)
      var extended = layout.shape
      extended[0] += newRows
      if let limit = layout.maximum[0], extended[0] > limit {
        throw HDF5Error.invalidArgument(
          file: filePath, path: path,
          reason: "cannot append \(newRows) rows: the first dimension is limited to \(limit) rows "
            + "(create the dataset with options .extendable() to append)")
      }
      let dims = extended.map { hsize_t($0) }
      try site.check(H5Dset_extent(handle.id, dims), "extend to shape \(extended)")
      try writeRows(values, at: layout.shape[0])
    }
  }

  /// The current and maximum shape and the number of elements per row; throws for a scalar.
  /// Must be called under the lock.
  private func rowGeometry() throws -> (shape: [Int], maximum: [Int?], rowElements: Int) {
    let (shape, maximum, _) = try extents()
    if shape.isEmpty {
      throw HDF5Error.invalidArgument(file: filePath, path: path, reason: "a scalar dataset has no rows")
    }
    return (shape, maximum, shape.dropFirst().reduce(1, *))
  }

  /// Throws unless `rows` lies within `0..<shape[0]`.
  private func checkRange(_ rows: Range<Int>, in shape: [Int]) throws {
    if rows.lowerBound < 0 || rows.upperBound > shape[0] {
      throw HDF5Error.rowsOutOfRange(file: filePath, path: path, rows: rows, rowCount: shape[0])
    }
  }

  /// The number of rows in `count` elements, which must be a whole number of non-empty rows.
  private func wholeRows(_ count: Int, rowElements: Int) throws -> Int {
    if rowElements == 0 || count % rowElements != 0 {
      throw HDF5Error.invalidArgument(
        file: filePath, path: path,
        reason: "\(count) values are not a whole number of rows of \(rowElements) values")
    }
    return count / rowElements
  }

  /// Calls `body` with a memory dataspace for `rows` rows and the file dataspace with those rows
  /// selected. Must be called under the lock.
  private func withRowSelection(_ rows: Range<Int>, shape: [Int],
                                _ body: (_ memory: hid_t, _ file: hid_t) throws -> Void) throws {
    let file = try site.handle(H5Dget_space(handle.id), .dataspace, "read the dataspace")
    let memory = try Dataspace.create([rows.count] + shape.dropFirst(), at: site)
    try withExtendedLifetime((file, memory)) {
      try Dataspace.selectRows(rows, of: file.id, shape: shape, at: site)
      try body(memory.id, file.id)
    }
  }
}
