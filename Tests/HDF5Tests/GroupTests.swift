import HDF5
import XCTest

/// Groups: creation, nesting, listing, existence and kind queries.
final class GroupTests: HDF5TestCase {
  func testNestedGroupsListingAndExistence() throws {
    let file = path("groups.h5")
    do {
      let h5 = try H5File.create(at: file)
      let optimizer = try h5.createGroup("optimizer/adam")
      try optimizer.createDataset("m", values: [0.0, 0.0])
      try optimizer.createDataset("/optimizer/step", values: [Int64(10)])
      try h5.createGroup("weights")
      try h5.createDataset("history", values: [1.0])
    }
    let h5 = try H5File.open(at: file)
    XCTAssertEqual(h5.path, "/")
    XCTAssertEqual(h5.filePath, file)
    XCTAssertEqual(try h5.children(), ["history", "optimizer", "weights"])
    let optimizer = try h5.openGroup("optimizer")
    XCTAssertEqual(try optimizer.children(), ["adam", "step"])
    XCTAssertEqual(try optimizer.openGroup("adam").children(), ["m"])
    XCTAssertEqual(try h5.openGroup("weights").children(), [])
    XCTAssertEqual(try optimizer.openGroup("adam").path, "/optimizer/adam")

    XCTAssertTrue(h5.exists("/"))
    XCTAssertTrue(h5.exists("optimizer/adam/m"))
    XCTAssertTrue(optimizer.exists("adam/m"))
    XCTAssertTrue(optimizer.exists("/history"), "absolute paths start at the root")
    XCTAssertFalse(h5.exists("optimizer/sgd"))
    XCTAssertFalse(h5.exists("missing/deeper/path"))
    XCTAssertFalse(h5.exists("history/under/a/dataset"))
    XCTAssertEqual(h5.kind(at: "optimizer"), .group)
    XCTAssertEqual(h5.kind(at: "/optimizer/adam/m"), .dataset)
    XCTAssertNil(h5.kind(at: "nothing"))
  }

  func testOpeningTheWrongKindFails() throws {
    let file = try H5File.create(at: path("kinds.h5"))
    try file.createGroup("g")
    try file.createDataset("d", values: [1.0])
    XCTAssertThrowsError(try file.openDataset("g")) { error in
      XCTAssertEqual(error as? HDF5Error,
                     .wrongKind(file: self.path("kinds.h5"), path: "/g", expected: "dataset", found: "group"))
    }
    XCTAssertThrowsError(try file.openGroup("d")) { error in
      XCTAssertEqual("\(error)", "\(self.path("kinds.h5")): /d: is a dataset, expected a group")
    }
    XCTAssertThrowsError(try file.createGroup("g")) { error in
      XCTAssertEqual(error as? HDF5Error, .alreadyExists(file: self.path("kinds.h5"), path: "/g"))
    }
  }
}
