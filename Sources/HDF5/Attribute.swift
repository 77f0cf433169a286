import CHDF5

/// Attributes: small named values on a file (its root group), group or dataset — numbers,
/// numeric arrays, strings and string arrays. Setting an attribute replaces any old value.
/// Strings are stored as variable-length UTF-8 (as h5py stores `str`); numbers as in datasets.
extension H5Object {
  /// Sets attribute `name` to one number (a scalar attribute).
  ///
  ///     try file.setAttribute("seed", to: UInt64(42))
  public func setAttribute<T: HDF5Scalar>(_ name: String, to value: T) throws {
    try withUnsafeBytes(of: value) {
      try writeAttribute(name, type: T.hdf5ElementType, shape: [], bytes: $0.baseAddress!)
    }
  }

  /// Sets attribute `name` to a one-dimensional array of numbers.
  ///
  ///     try ds.setAttribute("mean", to: [0.5, 1.5])
  public func setAttribute<T: HDF5Scalar>(_ name: String, to values: [T]) throws {
    try values.withUnsafeBytes {
      try writeAttribute(name, type: T.hdf5ElementType, shape: [values.count], bytes: $0.baseAddress)
    }
  }

  /// Sets attribute `name` to one string.
  ///
  ///     try file.setAttribute("simulator", to: "sir")
  public func setAttribute(_ name: String, to value: String) throws {
    try writeStringAttribute(name, strings: [value], shape: [])
  }

  /// Sets attribute `name` to a one-dimensional array of strings.
  ///
  ///     try file.setAttribute("parameter_names", to: ["beta", "gamma"])
  public func setAttribute(_ name: String, to values: [String]) throws {
    try writeStringAttribute(name, strings: values, shape: [values.count])
  }

  /// Reads numeric attribute `name`, which must hold exactly one value, converted to `T`.
  ///
  ///     let seed = try file.readAttribute("seed", as: UInt64.self)
  public func readAttribute<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> T {
    let values = try readAttribute(name, as: [T].self)
    guard values.count == 1 else {
      throw HDF5Error.countMismatch(file: filePath, path: attributePath(name), expected: 1,
                                    actual: values.count)
    }
    return values[0]
  }

  /// Reads every value of numeric attribute `name`, flattened and converted to `T`.
  ///
  ///     let mean = try ds.readAttribute("mean", as: [Double].self)
  public func readAttribute<T: HDF5Scalar>(_ name: String, as type: [T].Type = [T].self) throws -> [T] {
    try withAttribute(name) { attribute, fileType, count, site in
      let stored = H5ElementType(typeID: fileType)
      if !stored.isNumeric {
        throw HDF5Error.typeMismatch(file: site.file, path: site.path,
                                     expected: T.hdf5ElementType.description, found: stored.description)
      }
      return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 {
          try site.check(H5Aread(attribute, T.hdf5ElementType.nativeTypeID, buffer.baseAddress),
                         "read attribute")
        }
        initialized = count
      }
    }
  }

  /// Reads string attribute `name`, which must hold exactly one string.
  ///
  ///     let simulator = try file.readAttribute("simulator", as: String.self)
  public func readAttribute(_ name: String, as type: String.Type = String.self) throws -> String {
    let strings = try readAttribute(name, as: [String].self)
    guard strings.count == 1 else {
      throw HDF5Error.countMismatch(file: filePath, path: attributePath(name), expected: 1,
                                    actual: strings.count)
    }
    return strings[0]
  }

  /// Reads every string of string attribute `name` (fixed- or variable-length), flattened.
  ///
  ///     let names = try file.readAttribute("parameter_names", as: [String].self)
  public func readAttribute(_ name: String, as type: [String].Type = [String].self) throws -> [String] {
    try withAttribute(name) { attribute, fileType, count, site in
      try StringCoding.read(count: count, fileType: fileType, at: site) { memoryType, buffer in
        H5Aread(attribute, memoryType, buffer)
      }
    }
  }

  /// Whether attribute `name` exists on this object.
  ///
  ///     if ds.hasAttribute("units") { … }
  public func hasAttribute(_ name: String) -> Bool {
    Library.locked { H5Aexists(handle.id, name) > 0 }
  }

  /// The names of this object's attributes, in byte order.
  ///
  ///     for name in try file.attributeNames() { … }
  public func attributeNames() throws -> [String] {
    try Library.locked {
      var names: [String] = []
      var index: hsize_t = 0
      let status = withUnsafeMutablePointer(to: &names) { names in
        H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
          if let name, let data {
            data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
          }
          return 0
        }, names)
      }
      try site.check(status, "list attributes")
      return names
    }
  }

  /// `object@attribute`, the path used in attribute errors.
  func attributePath(_ name: String) -> String { "\(path)@\(name)" }

  /// Opens attribute `name` and calls `body` with it, its datatype, its element count and its
  /// error context.
  private func withAttribute<R>(_ name: String,
                                _ body: (hid_t, hid_t, Int, Site) throws -> R) throws -> R {
    try Library.locked {
      let site = Site(file: filePath, path: attributePath(name))
      guard H5Aexists(handle.id, name) > 0 else {
        throw HDF5Error.notFound(file: filePath, path: site.path, what: "attribute")
      }
      let attribute = try site.handle(H5Aopen(handle.id, name, bf_h5p_default()), .attribute,
                                      "open attribute")
      let type = try site.handle(H5Aget_type(attribute.id), .datatype, "read the attribute type")
      let space = try site.handle(H5Aget_space(attribute.id), .dataspace, "read the attribute shape")
      return try withExtendedLifetime((attribute, type, space)) {
        try body(attribute.id, type.id, Dataspace.elementCount(of: space.id), site)
      }
    }
  }

  /// Replaces attribute `name` with a new one of `shape` and file type `fileType`, and writes
  /// `bytes` in `memoryType` (nothing is written for zero elements).
  private func replaceAttribute(_ name: String, fileType: hid_t, memoryType: hid_t, shape: [Int],
                                bytes: UnsafeRawPointer?) throws {
    let site = Site(file: filePath, path: attributePath(name))
    if H5Aexists(handle.id, name) > 0 {
      try site.check(H5Adelete(handle.id, name), "replace attribute")
    }
    let space = try Dataspace.create(shape, at: site)
    let attribute = try space.use {
      try site.handle(H5Acreate2(handle.id, name, fileType, $0, bf_h5p_default(), bf_h5p_default()),
                      .attribute, "create attribute")
    }
    if shape.reduce(1, *) == 0 { return }
    try attribute.use { try site.check(H5Awrite($0, memoryType, bytes), "write attribute") }
  }

  /// Writes a numeric attribute from raw native-order bytes.
  private func writeAttribute(_ name: String, type: H5ElementType, shape: [Int],
                              bytes: UnsafeRawPointer?) throws {
    try Library.locked {
      try replaceAttribute(name, fileType: type.fileTypeID, memoryType: type.nativeTypeID,
                           shape: shape, bytes: bytes)
    }
  }

  /// Writes a variable-length UTF-8 string attribute of `shape` (`[]` or `[strings.count]`).
  private func writeStringAttribute(_ name: String, strings: [String], shape: [Int]) throws {
    try Library.locked {
      let site = Site(file: filePath, path: attributePath(name))
      try StringCoding.type(fixedLength: nil, at: site).use { type in
        try StringCoding.withEncoded(strings, fixedLength: nil) { bytes in
          try replaceAttribute(name, fileType: type, memoryType: type, shape: shape, bytes: bytes)
        }
      }
    }
  }
}
