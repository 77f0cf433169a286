extension JSONValue {
  /// A copy with the value at the dotted `path` replaced (intermediate objects are created),
  /// as done by `--set training.batch_size=128`.
  public func setting(_ path: String, to newValue: JSONValue) throws -> JSONValue {
    let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else {
      throw ConfigError(path: path, "invalid key path (expected dotted keys like training.batch_size)")
    }
    return try setting(keys[...], to: newValue, prefix: "")
  }

  private func setting(_ keys: ArraySlice<String>, to newValue: JSONValue, prefix: String) throws -> JSONValue {
    guard let key = keys.first else { return newValue }
    let here = prefix.isEmpty ? key : prefix + "." + key
    var members: [(key: String, value: JSONValue)]
    switch self {
    case .object(let m): members = m
    case .null: members = []
    default: throw ConfigError(path: prefix, "cannot set \(here): \(prefix) is \(self), not an object")
    }
    if let i = members.firstIndex(where: { $0.key == key }) {
      members[i].value = try members[i].value.setting(keys.dropFirst(), to: newValue, prefix: here)
    } else {
      members.append((key, try JSONValue.null.setting(keys.dropFirst(), to: newValue, prefix: here)))
    }
    return .object(members)
  }

  /// Parses the right-hand side of `--set key=value`: JSON if it is valid JSON (`128`, `true`,
  /// `[64, 64]`, `"text"`, `null`), otherwise the text itself as a string (`affine`).
  public static func overrideValue(_ text: String) -> JSONValue {
    (try? JSONValue.parse(text)) ?? .string(text)
  }

  /// Applies `key.path=value` assignments in order.
  public func applying(overrides: [String]) throws -> JSONValue {
    var result = self
    for assignment in overrides {
      guard let eq = assignment.firstIndex(of: "=") else {
        throw ConfigError(path: "--set", "expected key.path=value, got \"\(assignment)\"")
      }
      let key = String(assignment[..<eq]), text = String(assignment[assignment.index(after: eq)...])
      result = try result.setting(key, to: JSONValue.overrideValue(text))
    }
    return result
  }
}
