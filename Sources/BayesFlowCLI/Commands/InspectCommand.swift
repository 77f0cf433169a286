import ArgumentParser
import BayesFlow
import Foundation
import HDF5

/// `bayesflow inspect FILE.h5`: what a dataset or checkpoint holds.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect", abstract: "Describe a dataset or checkpoint file.")

  @Argument(help: ArgumentHelp("An HDF5 dataset or checkpoint.", valueName: "file"))
  var file: String

  func run() throws {
    guard FileManager.default.fileExists(atPath: file) else { throw InputError(file, "no such file") }
    let f: H5File
    do { f = try H5File.open(at: file) } catch { throw InputError(file, "not an HDF5 file") }
    for name in try f.attributeNames() {
      print("\(name): \(try describeAttribute(f, name))")
    }
    try listGroup(f, indent: "")
  }

  func describeAttribute(_ f: H5File, _ name: String) throws -> String {
    if let s = try? f.readAttribute(name, as: String.self) { return s }
    if let s = try? f.readAttribute(name, as: [String].self) { return s.joined(separator: ", ") }
    if let v = try? f.readAttribute(name, as: [Double].self) {
      return v.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : "\($0)" }.joined(separator: ", ")
    }
    return "?"
  }

  func listGroup(_ g: H5Group, indent: String) throws {
    for child in try g.children() {
      switch g.kind(at: child) {
      case .group?:
        print("\(indent)\(child)/")
        try listGroup(try g.openGroup(child), indent: indent + "  ")
      case .dataset?:
        let ds = try g.openDataset(child)
        print("\(indent)\(child)  \(ds.elementType) \(ds.shape)")
      default:
        print("\(indent)\(child)")
      }
    }
  }
}
