import HDF5
import XCTest

/// Whole-dataset writes and reads of every element type, shape and type queries.
final class DatasetTests: HDF5TestCase {
  /// Writes `values` as a [2, count/2] dataset, closes the file, reopens it and reads back.
  private func roundTrip<T: HDF5Scalar & Equatable>(_ values: [T], file name: String) throws {
    let file = path(name)
    do {
      let h5 = try H5File.create(at: file)
      try h5.createDataset("data", values: values, shape: [2, values.count / 2])
    }
    let dataset = try H5File.open(at: file).openDataset("data")
    XCTAssertEqual(dataset.shape, [2, values.count / 2], "\(T.self)")
    XCTAssertEqual(dataset.rank, 2)
    XCTAssertEqual(dataset.count, values.count)
    XCTAssertEqual(dataset.elementType, T.hdf5ElementType)
    XCTAssertNil(dataset.chunkShape, "contiguous by default")
    XCTAssertEqual(try dataset.read(as: T.self), values, "\(T.self)")
  }

  func testRoundTripOfEveryElementType() throws {
    try roundTrip([Float(1.5), -0.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -3e-20],
                  file: "f32.h5")
    try roundTrip([1.5, -0.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -.infinity, 1e300],
                  file: "f64.h5")
    try roundTrip([Int32.min, -1, 0, 1, 7, .max], file: "i32.h5")
    try roundTrip([Int64.min, -1, 0, 1, 1 << 40, .max], file: "i64.h5")
    try roundTrip([UInt64.min, 1, 2, 1 << 63, .max - 1, .max], file: "u64.h5")
    try roundTrip([UInt8.min, 1, 127, 128, 254, .max], file: "u8.h5")
  }

  func testNaNBitPatternSurvives() throws {
    let file = path("nan.h5")
    try H5File.create(at: file).createDataset("x", values: [Float.nan, Float(bitPattern: 0x7FC0_1234)])
    let back = try H5File.open(at: file).openDataset("x").read(as: Float.self)
    XCTAssertEqual(back.map(\.bitPattern), [Float.nan.bitPattern, 0x7FC0_1234])
  }

  func testScalarDatasetAndDefaultShape() throws {
    let file = try H5File.create(at: path("scalar.h5"))
    let scalar = try file.createDataset("version", values: [Int32(3)], shape: [])
    XCTAssertEqual(scalar.shape, [])
    XCTAssertEqual(scalar.count, 1)
    XCTAssertEqual(try scalar.read(as: Int32.self), [3])
    let vector = try file.createDataset("v", values: [1.0, 2.0, 3.0])
    XCTAssertEqual(vector.shape, [3])
    let empty = try file.createDataset("empty", values: [Double](), shape: [0, 4])
    XCTAssertEqual(empty.shape, [0, 4])
    XCTAssertEqual(try empty.read(as: Double.self), [])
  }

  func testCreateWithoutValuesThenWriteAndReadIntoBuffer() throws {
    let file = try H5File.create(at: path("write.h5"))
    let dataset = try file.createDataset("weights/dense1.weight", of: Float.self, shape: [3, 4])
    XCTAssertEqual(dataset.path, "/weights/dense1.weight")
    XCTAssertEqual(dataset.name, "dense1.weight")
    XCTAssertEqual(try dataset.read(as: Float.self), [Float](repeating: 0, count: 12))
    let values = (0..<12).map { Float($0) / 4 }
    try dataset.write(values)
    var buffer = [Float](repeating: -1, count: 12)
    try buffer.withUnsafeMutableBufferPointer { try dataset.read(into: $0) }
    XCTAssertEqual(buffer, values)
    XCTAssertEqual(file.kind(at: "weights"), .group, "intermediate group created")
  }

  func testNumericConversionOnRead() throws {
    let file = try H5File.create(at: path("convert.h5"))
    let dataset = try file.createDataset("x", values: [1.5, -2.0, 1e10])
    XCTAssertEqual(try dataset.read(as: Float.self), [1.5, -2.0, 1e10])
    XCTAssertEqual(try file.createDataset("n", values: [Int32(-4), 9]).read(as: Double.self), [-4, 9])
  }

  func testCountMismatchesAreErrors() throws {
    let file = try H5File.create(at: path("counts.h5"))
    XCTAssertThrowsError(try file.createDataset("x", values: [1.0, 2.0, 3.0], shape: [2, 2])) { error in
      XCTAssertEqual(error as? HDF5Error,
                     .countMismatch(file: self.path("counts.h5"), path: "/x", expected: 4, actual: 3))
    }
    XCTAssertFalse(file.exists("x"), "nothing created on a count mismatch")
    let dataset = try file.createDataset("y", of: Double.self, shape: [2, 2])
    XCTAssertThrowsError(try dataset.write([1.0])) { error in
      XCTAssertEqual("\(error)", "\(self.path("counts.h5")): /y: expected 4 values, got 1")
    }
    var small = [Double](repeating: 0, count: 3)
    XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer { try dataset.read(into: $0) })
  }

  func testCreatingAnExistingPathFails() throws {
    let file = try H5File.create(at: path("exists.h5"))
    try file.createDataset("x", values: [1.0])
    XCTAssertThrowsError(try file.createDataset("x", values: [2.0])) { error in
      XCTAssertEqual(error as? HDF5Error, .alreadyExists(file: self.path("exists.h5"), path: "/x"))
    }
    XCTAssertEqual(try file.openDataset("x").read(as: Double.self), [1.0])
  }
}
