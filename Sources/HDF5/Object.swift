import CHDF5

/// An HDF5 object that can carry attributes: a file (its root group), a group or a dataset.
///
/// Each object owns its HDF5 identifier and closes it when released; the file stays open
/// while any object in it is alive. Objects are safe to share between threads: every library
/// call holds one global lock.
public class H5Object: @unchecked Sendable {
  /// Owns the HDF5 identifier; alive as long as `self`.
  let handle: Handle

  /// The file path as the caller gave it when creating or opening the file.
  public let filePath: String

  /// The absolute path of this object inside the file; `/` for the root group.
  public let path: String

  init(handle: Handle, filePath: String, path: String) {
    self.handle = handle
    self.filePath = filePath
    self.path = path
  }

  /// The last component of `path`; `/` for the root group.
  public var name: String {
    path == "/" ? "/" : String(path[path.index(after: path.lastIndex(of: "/")!)...])
  }

  /// Error context for this object.
  var site: Site { Site(file: filePath, path: path) }

  /// The absolute, normalised form of `relativePath` (absolute paths are kept, relative ones
  /// are taken from this object); empty and `.` components are dropped.
  func resolve(_ relativePath: String) -> String {
    let joined = relativePath.hasPrefix("/") ? relativePath : path + "/" + relativePath
    let components = joined.split(separator: "/").filter { $0 != "." }
    return "/" + components.joined(separator: "/")
  }
}
