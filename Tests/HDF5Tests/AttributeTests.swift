import HDF5
import XCTest

/// Attributes of every kind on files, groups and datasets.
final class AttributeTests: HDF5TestCase {
  /// Sets one attribute of every kind on `object`.
  private func setAll(on object: H5Object) throws {
    try object.setAttribute("f32", to: Float(0.5))
    try object.setAttribute("f64", to: -1.25e-300)
    try object.setAttribute("i32", to: Int32.min)
    try object.setAttribute("i64", to: Int64.max)
    try object.setAttribute("seed", to: UInt64.max)
    try object.setAttribute("u8", to: UInt8(200))
    try object.setAttribute("mean", to: [0.5, 1.5, -2.5])
    try object.setAttribute("sizes", to: [Int32(3), 4])
    try object.setAttribute("bytes", to: [UInt8]())
    try object.setAttribute("simulator", to: "sir — Ω")
    try object.setAttribute("empty", to: "")
    try object.setAttribute("parameter_names", to: ["beta", "gamma", "", "σ²"])
  }

  /// Reads back and checks every attribute set by `setAll`.
  private func checkAll(on object: H5Object) throws {
    XCTAssertEqual(try object.readAttribute("f32", as: Float.self), 0.5)
    XCTAssertEqual(try object.readAttribute("f64", as: Double.self), -1.25e-300)
    XCTAssertEqual(try object.readAttribute("i32", as: Int32.self), .min)
    XCTAssertEqual(try object.readAttribute("i64", as: Int64.self), .max)
    XCTAssertEqual(try object.readAttribute("seed", as: UInt64.self), .max)
    XCTAssertEqual(try object.readAttribute("u8", as: UInt8.self), 200)
    XCTAssertEqual(try object.readAttribute("mean", as: [Double].self), [0.5, 1.5, -2.5])
    XCTAssertEqual(try object.readAttribute("sizes", as: [Int32].self), [3, 4])
    XCTAssertEqual(try object.readAttribute("bytes", as: [UInt8].self), [])
    XCTAssertEqual(try object.readAttribute("simulator", as: String.self), "sir — Ω")
    XCTAssertEqual(try object.readAttribute("empty", as: String.self), "")
    XCTAssertEqual(try object.readAttribute("parameter_names", as: [String].self), ["beta", "gamma", "", "σ²"])
    XCTAssertEqual(try object.attributeNames(),
                   ["bytes", "empty", "f32", "f64", "i32", "i64", "mean", "parameter_names", "seed",
                    "simulator", "sizes", "u8"])
    XCTAssertTrue(object.hasAttribute("seed"))
    XCTAssertFalse(object.hasAttribute("nope"))
  }

  func testEveryKindOnFileGroupAndDataset() throws {
    let file = path("attributes.h5")
    do {
      let h5 = try H5File.create(at: file)
      try setAll(on: h5)
      try setAll(on: h5.createGroup("group"))
      try setAll(on: h5.createDataset("dataset", values: [1.0]))
    }
    let h5 = try H5File.open(at: file)
    try checkAll(on: h5)
    try checkAll(on: h5.openGroup("group"))
    try checkAll(on: h5.openDataset("dataset"))
  }

  func testSettingAgainReplacesTheValueAndType() throws {
    let h5 = try H5File.create(at: path("replace.h5"))
    try h5.setAttribute("x", to: 1.0)
    try h5.setAttribute("x", to: [Int32(1), 2, 3])
    XCTAssertEqual(try h5.readAttribute("x", as: [Int32].self), [1, 2, 3])
    try h5.setAttribute("x", to: "text")
    XCTAssertEqual(try h5.readAttribute("x", as: String.self), "text")
    XCTAssertEqual(try h5.attributeNames(), ["x"])
  }

  func testConversionAndMismatches() throws {
    let file = path("mismatch.h5")
    let h5 = try H5File.create(at: file)
    try h5.setAttribute("seed", to: Int64(42))
    try h5.setAttribute("name", to: "sir")
    try h5.setAttribute("pair", to: [1.0, 2.0])
    XCTAssertEqual(try h5.readAttribute("seed", as: UInt64.self), 42, "numbers convert")
    XCTAssertThrowsError(try h5.readAttribute("name", as: Double.self)) { error in
      XCTAssertEqual(error as? HDF5Error,
                     .typeMismatch(file: file, path: "/@name", expected: "float64", found: "string"))
    }
    XCTAssertThrowsError(try h5.readAttribute("seed", as: String.self)) { error in
      XCTAssertEqual(error as? HDF5Error,
                     .typeMismatch(file: file, path: "/@seed", expected: "string", found: "int64"))
    }
    XCTAssertThrowsError(try h5.readAttribute("pair", as: Double.self)) { error in
      XCTAssertEqual(error as? HDF5Error, .countMismatch(file: file, path: "/@pair", expected: 1, actual: 2))
    }
    let dataset = try h5.createDataset("observations", values: [Float(1)])
    XCTAssertThrowsError(try dataset.readAttribute("units", as: String.self)) { error in
      XCTAssertEqual("\(error)", "\(file): /observations@units: attribute not found")
    }
  }
}
