import Foundation
import XCTest

/// A fresh directory per test, removed at tear-down; `path(_:)` names files inside it.
class HDF5TestCase: XCTestCase {
  private(set) var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "hdf5-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// The path of `name` inside the test's directory.
  func path(_ name: String) -> String { directory + "/" + name }

  /// The names of the files in the test's directory, sorted (hidden ones included).
  func directoryListing() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  /// The size of the file at `path` in bytes.
  func fileSize(_ path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
  }
}
