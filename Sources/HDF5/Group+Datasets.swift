import CHDF5

extension H5Group {
  /// Creates a dataset of `shape` holding `T`, without writing values (they read as 0 until
  /// written). With `.extendable()` options, `shape[0]` is the initial row count (often 0).
  ///
  ///     let x = try file.createDataset("x", of: Float.self, shape: [0, 8], options: .extendable())
  @discardableResult
  public func createDataset<T: HDF5Scalar>(_ path: String, of type: T.Type, shape: [Int],
                                           options: H5DatasetOptions = .contiguous) throws -> H5Dataset {
    try Library.locked {
      try makeDataset(path, fileType: T.hdf5ElementType.fileTypeID, shape: shape,
                      elementBytes: MemoryLayout<T>.stride, options: options)
    }
  }

  /// Creates a dataset of `shape` (default: one dimension, `values.count`) and writes `values`
  /// (row-major, last index fastest).
  ///
  ///     try file.createDataset("parameters", values: theta, shape: [n, p], options: .compressed())
  @discardableResult
  public func createDataset<T: HDF5Scalar>(_ path: String, values: [T], shape: [Int]? = nil,
                                           options: H5DatasetOptions = .contiguous) throws -> H5Dataset {
    try values.withUnsafeBufferPointer {
      try createDataset(path, values: $0, shape: shape, options: options)
    }
  }

  /// Creates a dataset of `shape` (default: one dimension, `values.count`) and writes `values`
  /// from caller-owned memory, e.g. a tensor's storage.
  ///
  ///     try group.createDataset("weight", values: UnsafeBufferPointer(start: w, count: n * m), shape: [n, m])
  @discardableResult
  public func createDataset<T: HDF5Scalar>(_ path: String, values: UnsafeBufferPointer<T>,
                                           shape: [Int]? = nil,
                                           options: H5DatasetOptions = .contiguous) throws -> H5Dataset {
    try Library.locked {
      let shape = shape ?? [values.count]
      let expected = shape.reduce(1, *)
      if expected != values.count {
        throw HDF5Error.countMismatch(file: filePath, path: resolve(path), expected: expected,
                                      actual: values.count)
      }
      let dataset = try createDataset(path, of: T.self, shape: shape, options: options)
      try dataset.write(values)
      return dataset
    }
  }

  /// Creates a one-dimensional dataset of UTF-8 strings: variable-length (h5py's `str`), or
  /// fixed-length (NumPy's `S<n>`, n = longest UTF-8 encoding) when `fixedLength` is true.
  ///
  ///     try file.createDataset("names", strings: ["beta", "gamma"])
  @discardableResult
  public func createDataset(_ path: String, strings: [String], fixedLength: Bool = false) throws -> H5Dataset {
    try makeStringDataset(path, strings: strings, shape: [strings.count], fixedLength: fixedLength)
  }

  /// Creates a scalar dataset holding one variable-length UTF-8 string (e.g. a JSON document).
  ///
  ///     try file.createDataset("config", string: json)
  @discardableResult
  public func createDataset(_ path: String, string: String) throws -> H5Dataset {
    try makeStringDataset(path, strings: [string], shape: [], fixedLength: false)
  }

  /// Opens the existing dataset at `path`.
  ///
  ///     let x = try file.openDataset("/observations")
  public func openDataset(_ path: String) throws -> H5Dataset {
    try Library.locked {
      let target = try requireKind(.dataset, at: path)
      let dataset = try site.at(target).handle(H5Dopen2(handle.id, target, bf_h5p_default()),
                                               .dataset, "open dataset")
      return H5Dataset(handle: dataset, filePath: filePath, path: target)
    }
  }

  /// Creates the dataset at `path` with file datatype `fileType`. Must be called under the lock.
  private func makeDataset(_ path: String, fileType: hid_t, shape: [Int], elementBytes: Int,
                           options: H5DatasetOptions) throws -> H5Dataset {
    let target = resolve(path)
    let site = self.site.at(target)
    if kind(at: target) != nil { throw HDF5Error.alreadyExists(file: filePath, path: target) }
    if shape.contains(where: { $0 < 0 }) {
      throw HDF5Error.invalidArgument(file: filePath, path: target, reason: "negative extent in shape \(shape)")
    }
    let maxShape: [Int?]? = options.extendable ? [nil] + shape.dropFirst().map { $0 } : nil
    let space = try Dataspace.create(shape, maxShape: maxShape, at: site)
    let creation = try options.creationList(shape: shape, elementBytes: elementBytes, at: site)
    let links = try Self.intermediateGroupsLinkList(at: site)
    let id = withExtendedLifetime((space, creation, links)) {
      H5Dcreate2(handle.id, target, fileType, space.id, links.id, creation.id, bf_h5p_default())
    }
    let dataset = try site.handle(id, .dataset, "create dataset")
    return H5Dataset(handle: dataset, filePath: filePath, path: target)
  }

  /// Creates and writes a string dataset of `shape` (`[]` or `[strings.count]`).
  private func makeStringDataset(_ path: String, strings: [String], shape: [Int],
                                 fixedLength: Bool) throws -> H5Dataset {
    try Library.locked {
      let site = self.site.at(resolve(path))
      let length = fixedLength ? StringCoding.fixedLength(of: strings) : nil
      let type = try StringCoding.type(fixedLength: length, at: site)
      let elementBytes = length ?? MemoryLayout<UnsafeRawPointer>.size
      let dataset = try type.use {
        try makeDataset(path, fileType: $0, shape: shape, elementBytes: elementBytes, options: .contiguous)
      }
      if strings.isEmpty { return dataset }
      try type.use { type in
        try StringCoding.withEncoded(strings, fixedLength: length) { buffer in
          try site.check(H5Dwrite(dataset.handle.id, type, bf_h5s_all(), bf_h5s_all(),
                                  bf_h5p_default(), buffer), "write strings")
        }
      }
      return dataset
    }
  }
}
