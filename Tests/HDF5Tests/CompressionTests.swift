import HDF5
import XCTest

/// Chunked, gzip-compressed datasets.
final class CompressionTests: HDF5TestCase {
  /// 100 000 smooth, highly compressible values: a slow sine sampled on a coarse grid.
  private let values: [Float] = (0..<100_000).map { Float((sin(Double($0 / 50) * 0.01) * 100).rounded()) }

  func testCompressedRoundTripIsSmallerThanRaw() throws {
    let compressedFile = path("compressed.h5")
    let contiguousFile = path("contiguous.h5")
    do {
      let h5 = try H5File.create(at: compressedFile)
      let dataset = try h5.createDataset("observations", values: values, shape: [1000, 50, 2],
                                         options: .compressed(level: 6))
      XCTAssertNotNil(dataset.chunkShape)
      try H5File.create(at: contiguousFile).createDataset("observations", values: values, shape: [1000, 50, 2])
    }
    let dataset = try H5File.open(at: compressedFile).openDataset("observations")
    XCTAssertEqual(dataset.shape, [1000, 50, 2])
    XCTAssertEqual(dataset.elementType, .float32)
    XCTAssertEqual(try dataset.read(as: Float.self), values)
    let raw = values.count * MemoryLayout<Float>.size
    XCTAssertGreaterThan(try fileSize(contiguousFile), raw, "contiguous file holds the raw bytes")
    XCTAssertLessThan(try fileSize(compressedFile), raw / 10, "gzip shrinks compressible data")
  }

  func testAutomaticAndExplicitChunkShapes() throws {
    let h5 = try H5File.create(at: path("chunks.h5"))
    // Rows of 50 × 2 Float = 400 bytes: 655 rows make about 256 KiB, capped at the 1000 rows.
    let automatic = try h5.createDataset("a", values: values, shape: [1000, 50, 2], options: .compressed())
    XCTAssertEqual(automatic.chunkShape, [655, 50, 2])
    let small = try h5.createDataset("b", values: [1.0, 2.0, 3.0], shape: [3], options: .compressed())
    XCTAssertEqual(small.chunkShape, [3])
    let explicit = try h5.createDataset("c", values: values, shape: [1000, 100],
                                        options: .compressed(level: 1, chunkShape: [64, 100]))
    XCTAssertEqual(explicit.chunkShape, [64, 100])
    XCTAssertEqual(try explicit.readRows(100..<164, as: Float.self), Array(values[10_000..<16_400]))
    let unshuffled = H5DatasetOptions(chunkShape: [10, 10], compressionLevel: 9, shuffle: false)
    let plain = try h5.createDataset("d", values: values, shape: [1000, 100], options: unshuffled)
    XCTAssertEqual(try plain.read(as: Float.self), values)
  }

  func testInvalidOptionsAreRejected() throws {
    let file = path("invalid.h5")
    let h5 = try H5File.create(at: file)
    XCTAssertThrowsError(try h5.createDataset("x", values: [1.0], options: .compressed(level: 10))) { error in
      XCTAssertEqual("\(error)", "\(file): /x: compression level 10 is not in 0...9")
    }
    XCTAssertThrowsError(try h5.createDataset("y", values: [1.0, 2.0], options: .compressed(chunkShape: [1, 1])))
    XCTAssertThrowsError(try h5.createDataset("z", values: [1.0], shape: [], options: .compressed()))
    XCTAssertFalse(h5.exists("x") || h5.exists("y") || h5.exists("z"))
  }
}
