import XCTest
import BayesFlow

final class ConfigReadingTests: XCTestCase {
  func testParserKeepsOrderAndLiterals() throws {
    let v = try JSONValue.parse(#"{"b": 64, "a": 64.0, "s": "x\u00e9\n", "l": [1, true, null]}"#)
    guard case .object(let m) = v else { return XCTFail() }
    XCTAssertEqual(m.map(\.key), ["b", "a", "s", "l"])
    XCTAssertEqual(v["s"], .string("xé\n"))
    XCTAssertEqual(try JSONValue.parse(v.jsonText), v)
  }

  func testSyntaxErrorsHavePositions() {
    XCTAssertThrowsError(try JSONValue.parse("{\n  \"a\": 1,\n}")) { XCTAssertEqual("\($0)", "line 3, column 1: expected a quoted key") }
    XCTAssertThrowsError(try JSONValue.parse(#"{"a": 1, "a": 2}"#)) { XCTAssertTrue("\($0)".contains("duplicate key \"a\"")) }
    XCTAssertThrowsError(try JSONValue.parse("[1, 2] x"))
    XCTAssertThrowsError(try JSONValue.parse("01x"))
  }

  func testTypedAccessorsNamePaths() throws {
    let json = try JSONValue.parse(#"{"training": {"batch_size": "64", "lr": -1, "epochs": 2.5, "mode": "fast", "ok": 3}}"#)
    let t = try ConfigObject(json["training"], path: "training")
    XCTAssertThrowsError(try t.int("batch_size", default: 256, in: 1...Int.max)) {
      XCTAssertEqual("\($0)", #"training.batch_size: expected a positive integer, got "64""#)
    }
    XCTAssertThrowsError(try t.double("lr", default: 1e-3, in: 0...1, exclusiveLower: true)) {
      XCTAssertEqual("\($0)", "training.lr: expected a number in (0, 1], got -1")
    }
    XCTAssertThrowsError(try t.int("epochs", default: 1, in: 1...Int.max)) {
      XCTAssertEqual("\($0)", "training.epochs: expected a positive integer, got 2.5")
    }
    XCTAssertThrowsError(try t.string("mode", default: "online", allowed: ["online", "offline"])) {
      XCTAssertEqual("\($0)", #"training.mode: expected one of "online", "offline", got "fast""#)
    }
    XCTAssertEqual(try t.int("ok", default: 1), 3)
    XCTAssertEqual(try t.int("absent", default: 7), 7)
    let u = try ConfigObject(try JSONValue.parse(#"{"bach_size": 1}"#), path: "training")
    _ = try u.int("batch_size", default: 1)
    XCTAssertThrowsError(try u.finish()) { XCTAssertEqual("\($0)", "training.bach_size: unknown key (expected one of: batch_size)") }
    XCTAssertThrowsError(try ConfigObject(.number(3, literal: "3"), path: "training")) {
      XCTAssertEqual("\($0)", "training: expected an object, got 3")
    }
  }

  func testOverrides() throws {
    let base = try JSONValue.parse(#"{"training": {"batch_size": 64}, "output": "runs/x"}"#)
    let v = try base.applying(overrides: ["training.batch_size=128", "training.simulation_budget=10000",
                                          "inference_network.transform=spline", "output=\"a b\"", "x.widths=[1,2]"])
    XCTAssertEqual(v["training"]?["batch_size"], .number(128, literal: "128"))
    XCTAssertEqual(v["training"]?["simulation_budget"], .number(10000, literal: "10000"))
    XCTAssertEqual(v["inference_network"]?["transform"], .string("spline"))
    XCTAssertEqual(v["output"], .string("a b"))
    XCTAssertThrowsError(try base.applying(overrides: ["output.x=1"])) { XCTAssertTrue("\($0)".contains("not an object")) }
    XCTAssertThrowsError(try base.applying(overrides: ["novalue"]))
    XCTAssertThrowsError(try base.applying(overrides: ["a..b=1"]))
  }
}
