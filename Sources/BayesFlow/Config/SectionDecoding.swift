import Foundation
import Networks

/// Decodes a `Codable` config section (the network settings defined in `Networks`) from its
/// JSON value, turning decoding errors into `ConfigError`s that name the full JSON path and,
/// for a wrong type, the value found.
enum SectionDecoding {
  static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, path: String) throws -> T {
    do {
      return try JSONDecoder().decode(T.self, from: Data(value.jsonText.utf8))
    } catch let e as SummaryConfigError {
      throw ConfigError(path: join(path, e.path, replacingRoot: "summary_network"), e.message)
    } catch let e as DecodingError {
      throw describe(e, root: value, path: path)
    }
  }

  static func join(_ base: String, _ relative: String, replacingRoot root: String) -> String {
    if relative == root { return base }
    if relative.hasPrefix(root + ".") { return base + relative.dropFirst(root.count) }
    return relative.isEmpty ? base : base + "." + relative
  }

  static func keyPath(_ codingPath: [CodingKey], base: String) -> String {
    codingPath.reduce(base) { p, k in
      if let i = k.intValue { return p + "[\(i)]" }
      return p.isEmpty ? k.stringValue : p + "." + k.stringValue
    }
  }

  static func lookup(_ v: JSONValue, _ codingPath: [CodingKey]) -> JSONValue? {
    var cur: JSONValue? = v
    for k in codingPath {
      if let i = k.intValue, case .array(let a)? = cur { cur = i < a.count ? a[i] : nil } else { cur = cur?[k.stringValue] }
    }
    return cur
  }

  static func describe(_ e: DecodingError, root: JSONValue, path: String) -> ConfigError {
    switch e {
    case let .typeMismatch(type, ctx):
      let found = lookup(root, ctx.codingPath).map { "\($0)" } ?? "nothing"
      return ConfigError(path: keyPath(ctx.codingPath, base: path), "expected \(expectation(type)), got \(found)")
    case let .valueNotFound(type, ctx):
      return ConfigError(path: keyPath(ctx.codingPath, base: path), "expected \(expectation(type)), got null")
    case let .keyNotFound(key, ctx):
      return ConfigError(path: keyPath(ctx.codingPath + [key], base: path), "missing")
    case let .dataCorrupted(ctx):
      var message = ctx.debugDescription
      // Decoders in Networks phrase their messages after the key: "… must be …".
      if let range = message.range(of: ": ", options: .anchored), range.lowerBound == message.startIndex { message.removeSubrange(range) }
      return ConfigError(path: keyPath(ctx.codingPath, base: path), message)
    @unknown default:
      return ConfigError(path: path, "\(e)")
    }
  }

  static func expectation(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: return "an integer"
    case is Double.Type, is Float.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type: return "a string"
    default:
      let name = String(describing: type)
      if name.hasPrefix("Array") { return "an array" }
      if name.hasPrefix("Dictionary") { return "an object" }
      return name
    }
  }
}
