import Foundation
import HDF5
import XCTest

/// Files written here read correctly with the reference tool `h5dump` (Debian: hdf5-tools).
final class InteropTests: HDF5TestCase {
  /// The full path of `h5dump` on PATH, or nil.
  private func h5dumpPath() -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    return directories.map { "\($0)/h5dump" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Runs h5dump with `arguments`; returns its standard output and checks it exits with 0.
  private func h5dump(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "h5dump \(arguments)")
    return String(decoding: data, as: UTF8.self)
  }

  func testH5dumpReadsNamesShapesAttributesAndValues() throws {
    guard let tool = h5dumpPath() else { throw XCTSkip("h5dump not on PATH (install hdf5-tools)") }
    let file = path("simulated.h5")
    try H5File.createAtomically(at: file) { h5 in
      try h5.createDataset("parameters", values: (0..<30).map(Double.init), shape: [10, 3])
      try h5.createDataset("observations", values: [Float](repeating: 0.25, count: 100), shape: [10, 5, 2],
                           options: .compressed())
      let lengths = try h5.createDataset("lengths", of: Int32.self, shape: [0], options: .extendable())
      try lengths.append([Int32](repeating: 5, count: 10))
      try h5.createDataset("names", strings: ["beta", "gamma"])
      try h5.createDataset("fixed_names", strings: ["beta", "gamma"], fixedLength: true)
      try h5.setAttribute("simulator", to: "sir-model")
      try h5.setAttribute("parameter_names", to: ["beta", "gamma", "sigma"])
      try h5.setAttribute("seed", to: UInt64(12345))
      try h5.openDataset("observations").setAttribute("units", to: "counts")
    }

    let header = try h5dump(tool, ["-A", "-p", file])
    for expected in [
      #"DATASET "parameters""#, "H5T_IEEE_F64LE", "SIMPLE { ( 10, 3 ) / ( 10, 3 ) }",
      #"DATASET "observations""#, "H5T_IEEE_F32LE", "SIMPLE { ( 10, 5, 2 ) / ( 10, 5, 2 ) }", "DEFLATE",
      #"DATASET "lengths""#, "H5T_STD_I32LE", "SIMPLE { ( 10 ) / ( H5S_UNLIMITED ) }",
      #"ATTRIBUTE "simulator""#, #""sir-model""#, #"ATTRIBUTE "parameter_names""#, #""sigma""#,
      #"ATTRIBUTE "seed""#, "H5T_STD_U64LE", "12345", #"ATTRIBUTE "units""#, #""counts""#,
      "CSET H5T_CSET_UTF8",
    ] {
      XCTAssertTrue(header.contains(expected), "h5dump -A output lacks \(expected):\n\(header)")
    }

    let names = try h5dump(tool, ["-d", "/names", "-d", "/fixed_names", "-d", "/parameters", file])
    for expected in [#""beta", "gamma""#, "STRSIZE H5T_VARIABLE", "STRSIZE 5", "27, 28, 29"] {
      XCTAssertTrue(names.contains(expected), "h5dump -d output lacks \(expected):\n\(names)")
    }
  }
}
