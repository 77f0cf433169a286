import Foundation
import XCTest

/// Runs the built `bayesflow` tool (from the same build folder as the tests) and captures its
/// output and exit status.
struct CLIResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum CLI {
  /// .build/<configuration>/bayesflow next to the test bundle.
  static var executable: String {
    let bundle = Bundle(for: CLIMarker.self).bundleURL
    let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
    return folder.appendingPathComponent("bayesflow").path
  }

  @discardableResult
  static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> CLIResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }

  /// The repository root (for Configs/).
  static var root: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  }
}

final class CLIMarker {}

/// A fresh temporary directory per test.
class CLITestCase: XCTestCase {
  var dir = ""
  override func setUp() {
    dir = NSTemporaryDirectory() + "bf-cli-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }
  override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

  func write(_ name: String, _ text: String) -> String {
    let path = dir + "/" + name
    try? text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Asserts a one-line error on stderr with exit status 2.
  func assertUsageError(_ r: CLIResult, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, 2, "exit status (stderr: \(r.stderr))", file: file, line: line)
    let lines = r.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 1, "one line on stderr: \(r.stderr)", file: file, line: line)
    XCTAssertEqual(lines.first.map(String.init), "bayesflow: " + expected, file: file, line: line)
  }
}
