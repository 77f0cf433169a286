import CHDF5
import Foundation

/// An HDF5 file, which is also its root group `/`: groups, datasets and the file's attributes
/// (h5py's `f.attrs`) are reached through it.
///
/// The file closes when this object and every group and dataset opened from it are released.
/// To write a file that appears complete or not at all, use `createAtomically(at:_:)`.
public final class H5File: H5Group, @unchecked Sendable {
  /// How an existing file is opened.
  public enum AccessMode: Sendable {
    /// Reading only; the default, and safe while another process reads the same file.
    case readOnly
    /// Reading and writing: datasets can be written, extended and created.
    case readWrite
  }

  /// Creates a new, empty file at `path`. An existing file is replaced when `overwrite` is
  /// true, otherwise it is an error.
  ///
  ///     let file = try H5File.create(at: "runs/data.h5")
  public static func create(at path: String, overwrite: Bool = true) throws -> H5File {
    try create(at: path, reportedAs: path, overwrite: overwrite)
  }

  /// Opens the existing file at `path`. HDF5 keeps one open instance per file and process:
  /// a file still open read-only cannot be opened again `.readWrite` until it is closed.
  ///
  ///     let file = try H5File.open(at: "runs/data.h5")
  public static func open(at path: String, mode: AccessMode = .readOnly) throws -> H5File {
    try Library.locked {
      guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error.fileNotFound(file: path) }
      let flags = mode == .readOnly ? bf_h5f_acc_rdonly() : bf_h5f_acc_rdwr()
      let site = Site(file: path, path: "/")
      let file = try site.handle(H5Fopen(path, flags, bf_h5p_default()), .file, "open file")
      return H5File(handle: file, filePath: path, path: "/")
    }
  }

  /// Writes everything buffered for this file to the operating system.
  ///
  ///     try file.flush()
  public func flush() throws {
    try Library.locked {
      try site.check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), "flush file")
    }
  }

  /// Creates the file at `path` on disk; errors name it `reportedAs`.
  static func create(at path: String, reportedAs name: String, overwrite: Bool) throws -> H5File {
    try Library.locked {
      let site = Site(file: name, path: "/")
      if !overwrite && FileManager.default.fileExists(atPath: path) {
        throw HDF5Error.alreadyExists(file: name, path: "/")
      }
      let flags = overwrite ? bf_h5f_acc_trunc() : bf_h5f_acc_excl()
      let file = try site.handle(H5Fcreate(path, flags, bf_h5p_default(), bf_h5p_default()), .file,
                                 "create file")
      return H5File(handle: file, filePath: name, path: "/")
    }
  }
}
