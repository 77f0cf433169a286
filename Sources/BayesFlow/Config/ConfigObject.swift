/// A configuration value that is wrong, with the dotted JSON path of the offending key.
///
/// Reads as `training.batch_size: expected a positive integer, got "64"`.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let message: String
  public init(path: String, _ message: String) {
    self.path = path
    self.message = message
  }
  public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Typed, validating access to one JSON object of a configuration.
///
/// Each accessor names the full dotted path in its errors, applies the default when the key is
/// absent, and marks the key as used; `finish()` then rejects any key nobody asked for, so a
/// typo (`"bach_size"`) is an error rather than silently ignored.
public final class ConfigObject {
  public let path: String
  let members: [(key: String, value: JSONValue)]
  private var used: Set<String> = []

  /// Wraps `value`, which must be an object (`null` is read as an empty object).
  public init(_ value: JSONValue?, path: String) throws {
    self.path = path
    switch value {
    case .none, .some(.null): members = []
    case .some(.object(let m)): members = m
    case .some(let other): throw ConfigError(path: path, "expected an object, got \(other)")
    }
  }

  func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

  /// The raw value of `key` (marking it used), or nil if absent.
  public func value(_ key: String) -> JSONValue? {
    used.insert(key)
    return members.first { $0.key == key }?.value
  }

  public func has(_ key: String) -> Bool { members.contains { $0.key == key } }

  /// The keys present, in document order.
  public var keys: [String] { members.map(\.key) }

  /// An integer within `range`. `nil` is accepted (as nil) only when `nullable`.
  public func int(_ key: String, default def: Int?, in range: ClosedRange<Int> = Int.min...Int.max,
                  nullable: Bool = false) throws -> Int? {
    guard let v = value(key) else { return def }
    let expected = describe(integerRange: range)
    switch v {
    case .null where nullable: return nil
    case let .number(x, literal):
      guard !literal.contains("."), !literal.lowercased().contains("e") || x == x.rounded(),
            x == x.rounded(), abs(x) < 9e15, range.contains(Int(x)) else {
        throw ConfigError(path: keyPath(key), "expected \(expected), got \(v)")
      }
      return Int(x)
    default: throw ConfigError(path: keyPath(key), "expected \(expected)\(nullable ? " or null" : ""), got \(v)")
    }
  }

  /// An integer that must be present or defaulted.
  public func int(_ key: String, default def: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
    try int(key, default: Optional(def), in: range)!
  }

  /// A finite number within `range`.
  public func double(_ key: String, default def: Double?, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
                     nullable: Bool = false, exclusiveLower: Bool = false) throws -> Double? {
    guard let v = value(key) else { return def }
    switch v {
    case .null where nullable: return nil
    case .number(let x, _):
      guard x.isFinite, range.contains(x), !(exclusiveLower && x == range.lowerBound) else {
        throw ConfigError(path: keyPath(key), "expected \(describe(range: range, exclusiveLower: exclusiveLower)), got \(v)")
      }
      return x
    default:
      throw ConfigError(path: keyPath(key), "expected \(describe(range: range, exclusiveLower: exclusiveLower))\(nullable ? " or null" : ""), got \(v)")
    }
  }

  public func double(_ key: String, default def: Double, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
                     exclusiveLower: Bool = false) throws -> Double {
    try double(key, default: Optional(def), in: range, exclusiveLower: exclusiveLower)!
  }

  public func bool(_ key: String, default def: Bool) throws -> Bool {
    guard let v = value(key) else { return def }
    guard case .bool(let b) = v else { throw ConfigError(path: keyPath(key), "expected true or false, got \(v)") }
    return b
  }

  /// A string, optionally restricted to `allowed` values.
  public func string(_ key: String, default def: String?, allowed: [String]? = nil, nullable: Bool = false) throws -> String? {
    guard let v = value(key) else { return def }
    if case .null = v, nullable { return nil }
    guard case .string(let s) = v else {
      let what = allowed.map { "one of " + $0.map { "\"\($0)\"" }.joined(separator: ", ") } ?? "a string"
      throw ConfigError(path: keyPath(key), "expected \(what), got \(v)")
    }
    if let allowed, !allowed.contains(s) {
      throw ConfigError(path: keyPath(key), "expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"")
    }
    return s
  }

  public func string(_ key: String, default def: String, allowed: [String]? = nil) throws -> String {
    try string(key, default: Optional(def), allowed: allowed)!
  }

  /// A case of a string-backed enum by its raw value.
  public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default def: E) throws -> E where E.RawValue == String {
    let s = try string(key, default: def.rawValue, allowed: E.allCases.map(\.rawValue))
    return E(rawValue: s)!
  }

  /// An array of integers, each within `range`, of a length within `count`.
  public func intArray(_ key: String, default def: [Int], in range: ClosedRange<Int> = Int.min...Int.max,
                       count: ClosedRange<Int> = 0...Int.max) throws -> [Int] {
    guard let v = value(key) else { return def }
    guard case .array(let items) = v, count.contains(items.count) else {
      throw ConfigError(path: keyPath(key), "expected an array of \(describe(count: count))\(describe(integerRange: range, plural: true)), got \(v)")
    }
    return try items.enumerated().map { i, item in
      guard case let .number(x, literal) = item, !literal.contains("."), x == x.rounded(), abs(x) < 9e15, range.contains(Int(x)) else {
        throw ConfigError(path: keyPath(key) + "[\(i)]", "expected \(describe(integerRange: range)), got \(item)")
      }
      return Int(x)
    }
  }

  /// An array of finite numbers.
  public func doubleArray(_ key: String, default def: [Double]?, count: ClosedRange<Int> = 0...Int.max) throws -> [Double]? {
    guard let v = value(key) else { return def }
    if case .null = v { return nil }
    guard case .array(let items) = v, count.contains(items.count) else {
      throw ConfigError(path: keyPath(key), "expected an array of \(describe(count: count))numbers, got \(v)")
    }
    return try items.enumerated().map { i, item in
      guard case .number(let x, _) = item, x.isFinite else {
        throw ConfigError(path: keyPath(key) + "[\(i)]", "expected a number, got \(item)")
      }
      return x
    }
  }

  /// An array of strings.
  public func stringArray(_ key: String, default def: [String]?, allowed: [String]? = nil) throws -> [String]? {
    guard let v = value(key) else { return def }
    if case .null = v { return nil }
    guard case .array(let items) = v else { throw ConfigError(path: keyPath(key), "expected an array of strings, got \(v)") }
    return try items.enumerated().map { i, item in
      guard case .string(let s) = item else { throw ConfigError(path: keyPath(key) + "[\(i)]", "expected a string, got \(item)") }
      if let allowed, !allowed.contains(s) {
        throw ConfigError(path: keyPath(key) + "[\(i)]", "expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"")
      }
      return s
    }
  }

  /// The nested object `key` (empty if absent).
  public func object(_ key: String) throws -> ConfigObject {
    try ConfigObject(value(key), path: keyPath(key))
  }

  /// Rejects keys that no accessor asked for.
  public func finish() throws {
    if let unknown = members.first(where: { !used.contains($0.key) }) {
      let known = used.sorted().joined(separator: ", ")
      throw ConfigError(path: keyPath(unknown.key), "unknown key" + (known.isEmpty ? "" : " (expected one of: \(known))"))
    }
  }

  private func describe(integerRange r: ClosedRange<Int>, plural: Bool = false) -> String {
    let s = plural ? "s" : ""
    if r.lowerBound == 1 && r.upperBound == Int.max { return plural ? "positive integers" : "a positive integer" }
    if r.lowerBound == 0 && r.upperBound == Int.max { return plural ? "non-negative integers" : "a non-negative integer" }
    if r.lowerBound == Int.min && r.upperBound == Int.max { return plural ? "integers" : "an integer" }
    if r.upperBound == Int.max { return (plural ? "integers" : "an integer") + " ≥ \(r.lowerBound)" }
    return (plural ? "integer\(s)" : "an integer") + " in \(r.lowerBound)...\(r.upperBound)"
  }

  private func describe(range r: ClosedRange<Double>, exclusiveLower: Bool) -> String {
    let big = Double.greatestFiniteMagnitude
    if r.lowerBound == -big && r.upperBound == big { return "a number" }
    if r.upperBound == big { return exclusiveLower ? "a number > \(fmt(r.lowerBound))" : "a number ≥ \(fmt(r.lowerBound))" }
    return "a number in \(exclusiveLower ? "(" : "[")\(fmt(r.lowerBound)), \(fmt(r.upperBound))]"
  }

  private func describe(count c: ClosedRange<Int>) -> String {
    if c.lowerBound == 0 && c.upperBound == Int.max { return "" }
    if c.lowerBound == c.upperBound { return "\(c.lowerBound) " }
    if c.upperBound == Int.max { return "at least \(c.lowerBound) " }
    return "\(c.lowerBound)–\(c.upperBound) "
  }

  private func fmt(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }
}
