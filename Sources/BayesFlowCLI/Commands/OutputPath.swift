import BayesFlow
import Foundation

/// Checks, before any work, that an output file can be created: its directory exists and is
/// writable. Outputs are then written atomically by `writeOutput` (temporary name, rename).
/// The error names the file and the flag, e.g. `x/y.svg: cannot write --out: no such directory x`.
func checkOutputPath(_ path: String?, flag: String) throws {
  guard let path, path != "-" else { return }
  let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
    throw InputError(path, "cannot write \(flag): no such directory \(parent)")
  }
  guard FileManager.default.isWritableFile(atPath: parent) else {
    throw InputError(path, "cannot write \(flag): directory \(parent) is not writable")
  }
}
