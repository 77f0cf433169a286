import HDF5
import XCTest

/// Hyperslab access over the first dimension: row ranges, row writes and appends.
final class RowTests: HDF5TestCase {
  /// [20, 3, 2] doubles: element (i, j, k) = 100 i + 10 j + k.
  private let values: [Double] = (0..<120).map { index in
    let (i, j, k) = (index / 6, index / 2 % 3, index % 2)
    return Double(100 * i + 10 * j + k)
  }

  func testReadRowRanges() throws {
    let file = path("rows.h5")
    try H5File.create(at: file).createDataset("x", values: values, shape: [20, 3, 2], options: .compressed())
    let x = try H5File.open(at: file).openDataset("x")
    XCTAssertEqual(x.rowCount, 20)
    for rows in [0..<1, 0..<20, 5..<9, 19..<20, 7..<7] {
      XCTAssertEqual(try x.readRows(rows, as: Double.self), Array(values[(rows.lowerBound * 6)..<(rows.upperBound * 6)]),
                     "rows \(rows)")
    }
    var buffer = [Float](repeating: 0, count: 12)
    try buffer.withUnsafeMutableBufferPointer { try x.readRows(10..<12, into: $0) }
    XCTAssertEqual(buffer, values[60..<72].map { Float($0) })
    XCTAssertThrowsError(try x.readRows(15..<21, as: Double.self)) { error in
      XCTAssertEqual(error as? HDF5Error, .rowsOutOfRange(file: file, path: "/x", rows: 15..<21, rowCount: 20))
      XCTAssertEqual("\(error)", "\(file): /x: rows 15..<21 out of range (20 rows)")
    }
    XCTAssertThrowsError(try buffer.withUnsafeMutableBufferPointer { try x.readRows(0..<1, into: $0) })
  }

  func testWriteRows() throws {
    let h5 = try H5File.create(at: path("write-rows.h5"))
    let x = try h5.createDataset("x", of: Int32.self, shape: [4, 2])
    try x.writeRows([Int32(5), 6, 7, 8], at: 1)
    XCTAssertEqual(try x.read(as: Int32.self), [0, 0, 5, 6, 7, 8, 0, 0])
    XCTAssertThrowsError(try x.writeRows([Int32(1), 2, 3], at: 0), "not whole rows")
    XCTAssertThrowsError(try x.writeRows([Int32(1), 2, 3, 4], at: 3), "past the end")
  }

  func testAppendInSeveralChunksThenReadWhole() throws {
    let file = path("append.h5")
    do {
      let h5 = try H5File.create(at: file)
      let x = try h5.createDataset("x", of: Double.self, shape: [0, 3, 2],
                                   options: .extendable(compressionLevel: 4, chunkShape: [4, 3, 2]))
      XCTAssertEqual(x.maxShape, [nil, 3, 2])
      var row = 0
      for batch in [3, 1, 7, 0, 9] {  // 20 rows, crossing chunk boundaries
        try x.append(Array(values[(row * 6)..<((row + batch) * 6)]))
        row += batch
        XCTAssertEqual(x.shape, [row, 3, 2])
      }
      let lengths = try h5.createDataset("lengths", of: Int32.self, shape: [0], options: .extendable())
      for n in 1...5 { try lengths.append([Int32(n)]) }
    }
    let h5 = try H5File.open(at: file)
    XCTAssertEqual(try h5.openDataset("x").read(as: Double.self), values)
    XCTAssertEqual(try h5.openDataset("x").readRows(3..<5, as: Double.self), Array(values[18..<30]))
    XCTAssertEqual(try h5.openDataset("lengths").read(as: Int32.self), [1, 2, 3, 4, 5])
  }

  func testAppendToInitialRowsAndFixedDatasets() throws {
    let file = path("append-fixed.h5")
    let h5 = try H5File.create(at: file)
    let grown = try h5.createDataset("grown", values: [1.0, 2.0], shape: [1, 2], options: .extendable())
    try grown.append([3.0, 4.0, 5.0, 6.0])
    XCTAssertEqual(try grown.read(as: Double.self), [1, 2, 3, 4, 5, 6])
    XCTAssertThrowsError(try grown.append([1.0]), "half a row")
    let fixed = try h5.createDataset("fixed", values: [1.0, 2.0])
    XCTAssertThrowsError(try fixed.append([3.0])) { error in
      XCTAssertEqual(error as? HDF5Error, .invalidArgument(
        file: file, path: "/fixed",
        reason: "cannot append 1 rows: the first dimension is limited to 2 rows "
          + "(create the dataset with options .extendable() to append)"))
    }
    XCTAssertEqual(try fixed.read(as: Double.self), [1, 2])
  }
}
