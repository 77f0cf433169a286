import HDF5
import XCTest

/// `createAtomically`: the final file appears only on success; failures leave nothing behind.
final class AtomicWriteTests: HDF5TestCase {
  private struct Interrupted: Error {}

  func testFileAppearsOnlyOnSuccess() throws {
    let file = path("data.h5")
    let count = try H5File.createAtomically(at: file) { h5 in
      try h5.createDataset("parameters", values: [1.0, 2.0, 3.0])
      try h5.setAttribute("format_version", to: Int32(1))
      XCTAssertFalse(FileManager.default.fileExists(atPath: file), "not visible while writing")
      let listing = try directoryListing()
      XCTAssertEqual(listing.count, 1)
      XCTAssertTrue(listing[0].hasPrefix(".data.h5.tmp-"), "\(listing)")
      return 3
    }
    XCTAssertEqual(count, 3)
    XCTAssertEqual(try directoryListing(), ["data.h5"], "temporary file renamed")
    let h5 = try H5File.open(at: file)
    XCTAssertEqual(try h5.openDataset("parameters").read(as: Double.self), [1, 2, 3])
    XCTAssertEqual(try h5.readAttribute("format_version", as: Int32.self), 1)
  }

  func testThrownErrorLeavesNothingBehind() throws {
    let file = path("data.h5")
    XCTAssertThrowsError(try H5File.createAtomically(at: file) { h5 in
      try h5.createDataset("parameters", values: [Double](repeating: 1, count: 1000))
      throw Interrupted()
    }) { error in
      XCTAssertTrue(error is Interrupted, "the body's error is rethrown")
    }
    XCTAssertEqual(try directoryListing(), [])

    XCTAssertThrowsError(try H5File.createAtomically(at: file) { h5 in
      try h5.openDataset("missing")
    }) { error in
      XCTAssertEqual(error as? HDF5Error, .notFound(file: file, path: "/missing", what: "dataset"),
                     "errors name the final file, not the temporary one")
    }
    XCTAssertEqual(try directoryListing(), [])
  }

  func testFailedRewriteKeepsTheOldFileAndSuccessReplacesIt() throws {
    let file = path("checkpoint.h5")
    try H5File.createAtomically(at: file) { try $0.createDataset("epoch", values: [Int32(1)]) }
    XCTAssertThrowsError(try H5File.createAtomically(at: file) { h5 in
      try h5.createDataset("epoch", values: [Int32(2)])
      throw Interrupted()
    })
    XCTAssertEqual(try H5File.open(at: file).openDataset("epoch").read(as: Int32.self), [1])
    try H5File.createAtomically(at: file) { try $0.createDataset("epoch", values: [Int32(3)]) }
    XCTAssertEqual(try H5File.open(at: file).openDataset("epoch").read(as: Int32.self), [3])
    XCTAssertEqual(try directoryListing(), ["checkpoint.h5"])
  }

  func testMissingDirectoryIsAnError() throws {
    let file = path("no/such/dir/data.h5")
    XCTAssertThrowsError(try H5File.createAtomically(at: file) { _ in }) { error in
      XCTAssertEqual((error as? HDF5Error)?.file, file)
    }
  }
}
