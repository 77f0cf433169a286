import HDF5
import XCTest

/// String datasets: variable- and fixed-length arrays, scalar strings.
final class StringTests: HDF5TestCase {
  private let strings = ["alpha", "", "β-Ω unicode", "a much longer string than the others", "x"]

  func testVariableAndFixedLengthArraysRoundTrip() throws {
    let file = path("strings.h5")
    do {
      let h5 = try H5File.create(at: file)
      try h5.createDataset("variable", strings: strings)
      try h5.createDataset("fixed", strings: strings, fixedLength: true)
      try h5.createDataset("none", strings: [])
    }
    let h5 = try H5File.open(at: file)
    let variable = try h5.openDataset("variable")
    let fixed = try h5.openDataset("fixed")
    XCTAssertEqual(variable.elementType, .variableString)
    XCTAssertEqual(fixed.elementType, .fixedString(length: "a much longer string than the others".utf8.count))
    XCTAssertEqual(variable.shape, [5])
    XCTAssertEqual(fixed.shape, [5])
    XCTAssertEqual(try variable.readStrings(), strings)
    XCTAssertEqual(try fixed.readStrings(), strings)
    XCTAssertEqual(try h5.openDataset("none").readStrings(), [])
  }

  func testScalarStringDataset() throws {
    let json = #"{"simulator": "sir", "depth": 6, "name": "ü"}"#
    let file = path("config.h5")
    try H5File.create(at: file).createDataset("config", string: json)
    let config = try H5File.open(at: file).openDataset("config")
    XCTAssertEqual(config.shape, [])
    XCTAssertEqual(try config.readString(), json)
  }

  func testStringAndNumberMismatches() throws {
    let file = path("mixed.h5")
    let h5 = try H5File.create(at: file)
    let names = try h5.createDataset("names", strings: ["a", "b"])
    let numbers = try h5.createDataset("numbers", values: [1.0, 2.0])
    XCTAssertThrowsError(try names.read(as: Double.self)) { error in
      XCTAssertEqual(error as? HDF5Error,
                     .typeMismatch(file: file, path: "/names", expected: "float64", found: "string"))
    }
    XCTAssertThrowsError(try names.write([1.0, 2.0]))
    XCTAssertThrowsError(try numbers.readStrings()) { error in
      XCTAssertEqual("\(error)", "\(file): /numbers: element type is float64, expected string")
    }
    XCTAssertThrowsError(try names.readString()) { error in
      XCTAssertEqual(error as? HDF5Error, .countMismatch(file: file, path: "/names", expected: 1, actual: 2))
    }
  }
}
