import Foundation

/// A problem with something the user handed in, named by file (and JSON path or row where
/// known): the CLI prints it on one line and exits with status 2.
public struct InputError: Error, CustomStringConvertible {
  public let source: String
  public let message: String
  public init(_ source: String, _ message: String) {
    self.source = source
    self.message = message
  }
  public var description: String { source.isEmpty ? message : "\(source): \(message)" }
}

/// Reading configuration files.
public enum ConfigFile {
  /// Parses the JSON file at `path` and applies `--set` overrides. Errors name the file, and the
  /// line and column of a syntax error.
  public static func load(_ path: String, overrides: [String] = []) throws -> JSONValue {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(path, "no such file") }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw InputError(path, "cannot read the file as UTF-8 text")
    }
    let json: JSONValue
    do { json = try JSONValue.parse(text) } catch let e as JSONSyntaxError {
      throw InputError(path, "invalid JSON at \(e)")
    }
    guard case .object = json else { throw InputError(path, "expected a JSON object at the top level") }
    do { return try json.applying(overrides: overrides) } catch let e as ConfigError {
      throw InputError("--set", e.message)
    }
  }
}
