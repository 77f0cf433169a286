import CHDF5

/// Where an operation happens, for error messages: the file as the caller named it and the
/// absolute object path. Turns negative HDF5 return values into `HDF5Error.library`.
struct Site: Sendable {
  let file: String
  let path: String

  /// Throws `HDF5Error.library` with the current error stack if `status` is negative.
  func check<Status: BinaryInteger>(_ status: Status, _ operation: @autoclosure () -> String) throws {
    if status < 0 { throw failure(operation()) }
  }

  /// Wraps a freshly returned identifier in a `Handle`, or throws if the call failed.
  func handle(_ id: hid_t, _ kind: Handle.Kind, _ operation: @autoclosure () -> String) throws -> Handle {
    if id < 0 { throw failure(operation()) }
    return Handle(id, kind)
  }

  /// The error for a failed library call, with the current thread's HDF5 error stack.
  func failure(_ operation: String) -> HDF5Error {
    .library(file: file, path: path, operation: operation, detail: Library.errorStackSummary())
  }

  /// The same file, another object path.
  func at(_ path: String) -> Site { Site(file: file, path: path) }
}
