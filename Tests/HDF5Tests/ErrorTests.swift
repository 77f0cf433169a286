import HDF5
import XCTest

/// Errors name the file, the object path and what was attempted.
final class ErrorTests: HDF5TestCase {
  func testMissingFile() throws {
    let file = path("absent.h5")
    XCTAssertThrowsError(try H5File.open(at: file)) { error in
      XCTAssertEqual(error as? HDF5Error, .fileNotFound(file: file))
      XCTAssertEqual("\(error)", "\(file): file not found")
      XCTAssertEqual((error as? HDF5Error)?.file, file)
    }
  }

  func testMissingDatasetAndGroup() throws {
    let file = path("data.h5")
    try H5File.create(at: file).createDataset("parameters", values: [1.0])
    let h5 = try H5File.open(at: file)
    XCTAssertThrowsError(try h5.openDataset("observations")) { error in
      XCTAssertEqual(error as? HDF5Error, .notFound(file: file, path: "/observations", what: "dataset"))
      XCTAssertEqual("\(error)", "\(file): /observations: dataset not found")
      XCTAssertEqual((error as? HDF5Error)?.path, "/observations")
    }
    XCTAssertThrowsError(try h5.openGroup("weights/dense1")) { error in
      XCTAssertEqual("\(error)", "\(file): /weights/dense1: group not found")
    }
  }

  func testNotAnHDF5FileNamesTheFileAndTheCause() throws {
    let file = path("text.h5")
    try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: file))
    XCTAssertThrowsError(try H5File.open(at: file)) { error in
      guard case let .library(name, objectPath, operation, detail)? = error as? HDF5Error else {
        return XCTFail("unexpected \(error)")
      }
      XCTAssertEqual(name, file)
      XCTAssertEqual(objectPath, "/")
      XCTAssertEqual(operation, "open file")
      XCTAssertTrue(detail.contains("signature"), detail)
      XCTAssertTrue("\(error)".hasPrefix("\(file): /: cannot open file (HDF5: "), "\(error)")
    }
  }

  func testWritingToAReadOnlyFileFails() throws {
    let file = path("readonly.h5")
    try H5File.create(at: file).createDataset("x", values: [1.0])
    do {
      let readOnly = try H5File.open(at: file)
      XCTAssertThrowsError(try readOnly.openDataset("x").write([2.0])) { error in
        XCTAssertTrue("\(error)".hasPrefix("\(file): /x: cannot write dataset"), "\(error)")
      }
    }
    let writable = try H5File.open(at: file, mode: .readWrite)
    try writable.openDataset("x").write([2.0])
    XCTAssertEqual(try writable.openDataset("x").read(as: Double.self), [2.0])
  }

  func testCreateWithoutOverwriteKeepsTheExistingFile() throws {
    let file = path("keep.h5")
    try H5File.create(at: file).createDataset("x", values: [1.0])
    XCTAssertThrowsError(try H5File.create(at: file, overwrite: false)) { error in
      XCTAssertEqual(error as? HDF5Error, .alreadyExists(file: file, path: "/"))
    }
    XCTAssertTrue(try H5File.open(at: file).exists("x"))
    XCTAssertFalse(try H5File.create(at: file).exists("x"), "overwrite truncates")
  }
}
