import CHDF5

/// Dataspaces: the shape of a dataset or attribute, and selections of rows within it.
/// All functions must be called under the library lock.
enum Dataspace {
  /// A dataspace of `shape` (`[]`: a scalar). `maxShape` gives the largest extent of each
  /// dimension, nil for unlimited; omitted, the extent is fixed.
  static func create(_ shape: [Int], maxShape: [Int?]? = nil, at site: Site) throws -> Handle {
    if shape.isEmpty {
      return try site.handle(H5Screate(H5S_SCALAR), .dataspace, "create a scalar dataspace")
    }
    let dims = shape.map { hsize_t($0) }
    let maxDims = maxShape?.map { $0.map { hsize_t($0) } ?? bf_h5s_unlimited() }
    let id = maxDims.withOptionalBuffer { H5Screate_simple(Int32(dims.count), dims, $0) }
    return try site.handle(id, .dataspace, "create a dataspace of shape \(shape)")
  }

  /// The current and maximum extents of `space` (`[]` for a scalar or null dataspace); a
  /// maximum of nil means unlimited.
  static func extents(of space: hid_t) -> (current: [Int], maximum: [Int?]) {
    let rank = Int(max(0, H5Sget_simple_extent_ndims(space)))
    var dims = [hsize_t](repeating: 0, count: rank)
    var maxDims = [hsize_t](repeating: 0, count: rank)
    if rank > 0 { _ = H5Sget_simple_extent_dims(space, &dims, &maxDims) }
    let unlimited = bf_h5s_unlimited()
    return (dims.map { Int($0) }, maxDims.map { $0 == unlimited ? nil : Int($0) })
  }

  /// The number of elements in `space` (0 for a null dataspace, 1 for a scalar).
  static func elementCount(of space: hid_t) -> Int {
    Int(max(0, H5Sget_simple_extent_npoints(space)))
  }

  /// Selects rows `rows` of `space` (all of every other dimension), replacing any selection.
  static func selectRows(_ rows: Range<Int>, of space: hid_t, shape: [Int], at site: Site) throws {
    var start = [hsize_t](repeating: 0, count: shape.count)
    var count = shape.map { hsize_t($0) }
    start[0] = hsize_t(rows.lowerBound)
    count[0] = hsize_t(rows.count)
    try site.check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, count, nil),
                   "select rows \(rows.lowerBound)..<\(rows.upperBound)")
  }
}

extension Optional where Wrapped == [hsize_t] {
  /// Calls `body` with a pointer to the array's elements, or nil when there is no array.
  fileprivate func withOptionalBuffer<R>(_ body: (UnsafePointer<hsize_t>?) -> R) -> R {
    switch self {
    case let .some(array): array.withUnsafeBufferPointer { body($0.baseAddress) }
    case .none: body(nil)
    }
  }
}
