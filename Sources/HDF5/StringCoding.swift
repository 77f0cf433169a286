import CHDF5

/// UTF-8 string datatypes and the memory layouts HDF5 reads and writes them in.
///
/// Variable-length strings are an array of `char*` to NUL-terminated text (h5py's `str`);
/// fixed-length strings are `length` bytes each, NUL-padded (NumPy's `S<length>`). Strings are
/// C strings either way: an embedded NUL ends one. All functions must be called under the lock.
enum StringCoding {
  /// A UTF-8 string datatype: variable-length when `fixedLength` is nil, else `fixedLength`
  /// bytes, NUL-padded.
  static func type(fixedLength: Int?, at site: Site) throws -> Handle {
    let type = try site.handle(H5Tcopy(bf_h5t_c_s1()), .datatype, "create a string type")
    try site.check(H5Tset_size(type.id, fixedLength ?? bf_h5t_variable()), "set the string size")
    try site.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "set the string encoding")
    if fixedLength != nil {
      try site.check(H5Tset_strpad(type.id, H5T_STR_NULLPAD), "set the string padding")
    }
    return type
  }

  /// The length of the longest UTF-8 encoding in `strings`, at least 1 (HDF5 has no empty type).
  static func fixedLength(of strings: [String]) -> Int {
    strings.reduce(1) { max($0, $1.utf8.count) }
  }

  /// Calls `body` with `strings` laid out as `type(fixedLength:)` expects in memory.
  static func withEncoded<R>(_ strings: [String], fixedLength: Int?,
                             _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
    if let length = fixedLength {
      var bytes = [UInt8](repeating: 0, count: max(1, strings.count * length))
      bytes.withUnsafeMutableBytes { bytes in
        for (i, string) in strings.enumerated() {
          var string = string
          string.withUTF8 { utf8 in
            guard let source = utf8.baseAddress else { return }
            (bytes.baseAddress! + i * length).copyMemory(from: source, byteCount: min(utf8.count, length))
          }
        }
      }
      return try bytes.withUnsafeBytes { try body($0.baseAddress!) }
    }
    var offsets: [Int] = []
    offsets.reserveCapacity(strings.count)
    var total = 0
    for string in strings {
      offsets.append(total)
      total += string.utf8.count + 1
    }
    var text = [CChar](repeating: 0, count: max(1, total))
    return try text.withUnsafeMutableBufferPointer { text in
      let base = text.baseAddress!
      for (string, offset) in zip(strings, offsets) {
        var string = string
        string.withUTF8 { utf8 in
          UnsafeMutableRawPointer(base + offset).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
        }
      }
      let pointers: [UnsafePointer<CChar>?] = offsets.map { UnsafePointer(base + $0) }
      return try pointers.withUnsafeBytes { try body($0.baseAddress!) }
    }
  }

  /// Reads `count` strings stored as `fileType`: `read(memoryType, buffer)` performs the
  /// H5Dread or H5Aread into `buffer`. Variable-length memory is returned to HDF5 afterwards.
  static func read(count: Int, fileType: hid_t, at site: Site,
                   _ read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
    let stored = H5ElementType(typeID: fileType)
    guard stored.isString else {
      throw HDF5Error.typeMismatch(file: site.file, path: site.path, expected: "string",
                                   found: stored.description)
    }
    if count == 0 { return [] }
    let fixedLength: Int? = if case let .fixedString(length) = stored { length } else { nil }
    let memoryType = try type(fixedLength: fixedLength, at: site)
    let encoding = H5Tget_cset(fileType)
    try site.check(H5Tset_cset(memoryType.id, encoding), "set the string encoding")
    return try memoryType.use { memoryType in
      if let length = fixedLength {
        var bytes = [UInt8](repeating: 0, count: count * length)
        try bytes.withUnsafeMutableBytes {
          try site.check(read(memoryType, $0.baseAddress!), "read strings")
        }
        return (0..<count).map { i in
          let string = bytes[(i * length)..<((i + 1) * length)]
          return String(decoding: string.prefix { $0 != 0 }, as: UTF8.self)
        }
      }
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
      try pointers.withUnsafeMutableBytes {
        try site.check(read(memoryType, $0.baseAddress!), "read strings")
      }
      let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
      try Dataspace.create([count], at: site).use { space in
        _ = pointers.withUnsafeMutableBytes {
          H5Dvlen_reclaim(memoryType, space, bf_h5p_default(), $0.baseAddress)
        }
      }
      return strings
    }
  }
}
