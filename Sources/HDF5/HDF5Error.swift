/// An error from the HDF5 module: what went wrong, in which file, at which object path.
///
/// `file` is the file path as the caller gave it (for an atomic write, the final name, not the
/// temporary one); `path` is the absolute object path inside the file. Attribute errors name
/// the attribute as `object@attribute`, e.g. `/observations@seed`. The description reads
/// `"<file>: <path>: <what>"`, e.g. `data.h5: /observations: dataset not found`.
public enum HDF5Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file does not exist.
  case fileNotFound(file: String)
  /// Nothing of the expected kind (`what`: "dataset", "group", "attribute") exists at `path`.
  case notFound(file: String, path: String, what: String)
  /// `path` already exists, so it cannot be created.
  case alreadyExists(file: String, path: String)
  /// `path` is an object of another kind (e.g. a group where a dataset was expected).
  case wrongKind(file: String, path: String, expected: String, found: String)
  /// The stored element type does not convert to or from the Swift type used.
  case typeMismatch(file: String, path: String, expected: String, found: String)
  /// A buffer or array holds `actual` values where `expected` were needed.
  case countMismatch(file: String, path: String, expected: Int, actual: Int)
  /// A row range outside `0..<rowCount`.
  case rowsOutOfRange(file: String, path: String, rows: Range<Int>, rowCount: Int)
  /// An argument the operation cannot accept; `reason` says which and why.
  case invalidArgument(file: String, path: String, reason: String)
  /// The HDF5 library failed at `operation`; `detail` is taken from its error stack.
  case library(file: String, path: String, operation: String, detail: String)
  /// A file-system step of an atomic write (flush to disk, rename, remove) failed.
  case fileSystem(file: String, operation: String, reason: String)

  /// The file the error is about, as the caller named it.
  public var file: String {
    switch self {
    case let .fileNotFound(file), let .notFound(file, _, _), let .alreadyExists(file, _),
         let .wrongKind(file, _, _, _), let .typeMismatch(file, _, _, _),
         let .countMismatch(file, _, _, _), let .rowsOutOfRange(file, _, _, _),
         let .invalidArgument(file, _, _), let .library(file, _, _, _), let .fileSystem(file, _, _):
      file
    }
  }

  /// The object path inside the file, or nil for errors about the file as a whole.
  public var path: String? {
    switch self {
    case .fileNotFound, .fileSystem: nil
    case let .notFound(_, path, _), let .alreadyExists(_, path), let .wrongKind(_, path, _, _),
         let .typeMismatch(_, path, _, _), let .countMismatch(_, path, _, _),
         let .rowsOutOfRange(_, path, _, _), let .invalidArgument(_, path, _),
         let .library(_, path, _, _):
      path
    }
  }

  /// One line: `"<file>: <path>: <what went wrong>"`.
  public var description: String {
    switch self {
    case let .fileNotFound(file):
      "\(file): file not found"
    case let .notFound(file, path, what):
      "\(file): \(path): \(what) not found"
    case let .alreadyExists(file, path):
      "\(file): \(path): already exists"
    case let .wrongKind(file, path, expected, found):
      "\(file): \(path): is a \(found), expected a \(expected)"
    case let .typeMismatch(file, path, expected, found):
      "\(file): \(path): element type is \(found), expected \(expected)"
    case let .countMismatch(file, path, expected, actual):
      "\(file): \(path): expected \(expected) values, got \(actual)"
    case let .rowsOutOfRange(file, path, rows, rowCount):
      "\(file): \(path): rows \(rows.lowerBound)..<\(rows.upperBound) out of range (\(rowCount) rows)"
    case let .invalidArgument(file, path, reason):
      "\(file): \(path): \(reason)"
    case let .library(file, path, operation, detail):
      "\(file): \(path): cannot \(operation)" + (detail.isEmpty ? "" : " (HDF5: \(detail))")
    case let .fileSystem(file, operation, reason):
      "\(file): cannot \(operation): \(reason)"
    }
  }
}
