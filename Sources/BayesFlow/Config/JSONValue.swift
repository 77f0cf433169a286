/// A JSON document as parsed, keeping what config validation needs: object key order, and the
/// literal text of numbers (so `64` is an integer and `64.0` is not).
public indirect enum JSONValue: Equatable, Sendable, CustomStringConvertible {
  case null
  case bool(Bool)
  /// A number with its literal text (`1e3`, `64`, `-0.5`).
  case number(Double, literal: String)
  case string(String)
  case array([JSONValue])
  /// Members in document order (duplicate keys are rejected by the parser).
  case object([(key: String, value: JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case let (.bool(x), .bool(y)): return x == y
    case let (.number(x, _), .number(y, _)): return x == y
    case let (.string(x), .string(y)): return x == y
    case let (.array(x), .array(y)): return x == y
    case let (.object(x), .object(y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// A number from a Swift value (integers keep an integer literal).
  public static func number(_ x: Double) -> JSONValue {
    if x == x.rounded(), abs(x) < 1e15 { return .number(x, literal: String(Int(x))) }
    return .number(x, literal: "\(x)")
  }

  /// The member `key` of an object, or nil.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// How the value reads in an error message: strings quoted, containers abbreviated.
  public var description: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(_, let literal): return literal
    case .string(let s): return "\"\(s)\""
    case .array(let a): return a.count <= 4 ? "[" + a.map(\.description).joined(separator: ", ") + "]" : "an array of \(a.count) values"
    case .object: return "an object"
    }
  }

  /// Compact JSON text (the format written into checkpoints and reports).
  public var jsonText: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let x, let literal): return x.isFinite ? literal : "null"
    case .string(let s): return JSONValue.quote(s)
    case .array(let a): return "[" + a.map(\.jsonText).joined(separator: ",") + "]"
    case .object(let m): return "{" + m.map { JSONValue.quote($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
    }
  }

  /// Indented JSON text for people.
  public func prettyText(indent: String = "") -> String {
    let inner = indent + "  "
    switch self {
    case .array(let a) where !a.isEmpty && a.contains(where: { if case .object = $0 { return true }; if case .array = $0 { return true }; return false }):
      return "[\n" + a.map { inner + $0.prettyText(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
    case .object(let m) where !m.isEmpty:
      return "{\n" + m.map { inner + JSONValue.quote($0.key) + ": " + $0.value.prettyText(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
    default: return jsonText
    }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
      }
    }
    return out + "\""
  }
}

import Foundation

/// A syntax error in a JSON text, with its line and column.
public struct JSONSyntaxError: Error, CustomStringConvertible {
  public let line: Int
  public let column: Int
  public let message: String
  public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
  /// Parses a complete JSON text (RFC 8259). Duplicate object keys are an error.
  public static func parse(_ text: String) throws -> JSONValue {
    var parser = JSONParser(Array(text.utf8))
    parser.skipWhitespace()
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    if parser.pos < parser.bytes.count { throw parser.error("unexpected text after the JSON value") }
    return value
  }
}

struct JSONParser {
  let bytes: [UInt8]
  var pos = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func error(_ message: String) -> JSONSyntaxError {
    var line = 1, col = 1
    for b in bytes[..<min(pos, bytes.count)] { if b == UInt8(ascii: "\n") { line += 1; col = 1 } else { col += 1 } }
    return JSONSyntaxError(line: line, column: col, message: message)
  }

  mutating func skipWhitespace() {
    while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
  }

  mutating func expect(_ literal: String) throws {
    for b in literal.utf8 {
      guard pos < bytes.count, bytes[pos] == b else { throw error("expected '\(literal)'") }
      pos += 1
    }
  }

  mutating func parseValue(depth: Int) throws -> JSONValue {
    guard depth < 200 else { throw error("nesting too deep") }
    guard pos < bytes.count else { throw error("unexpected end of input") }
    switch bytes[pos] {
    case UInt8(ascii: "{"): return try parseObject(depth: depth)
    case UInt8(ascii: "["): return try parseArray(depth: depth)
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try expect("true"); return .bool(true)
    case UInt8(ascii: "f"): try expect("false"); return .bool(false)
    case UInt8(ascii: "n"): try expect("null"); return .null
    default: return try parseNumber()
    }
  }

  mutating func parseObject(depth: Int) throws -> JSONValue {
    pos += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
    while true {
      skipWhitespace()
      guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
      let keyPos = pos
      let key = try parseString()
      if members.contains(where: { $0.key == key }) { pos = keyPos; throw error("duplicate key \"\(key)\"") }
      skipWhitespace()
      guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
      pos += 1
      skipWhitespace()
      members.append((key, try parseValue(depth: depth + 1)))
      skipWhitespace()
      guard pos < bytes.count else { throw error("unterminated object") }
      if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
      if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
      throw error("expected ',' or '}' in object")
    }
  }

  mutating func parseArray(depth: Int) throws -> JSONValue {
    pos += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
    while true {
      skipWhitespace()
      items.append(try parseValue(depth: depth + 1))
      skipWhitespace()
      guard pos < bytes.count else { throw error("unterminated array") }
      if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
      if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
      throw error("expected ',' or ']' in array")
    }
  }

  mutating func parseString() throws -> String {
    pos += 1
    var out = [UInt8]()
    while pos < bytes.count {
      let b = bytes[pos]
      if b == UInt8(ascii: "\"") { pos += 1; return String(decoding: out, as: UTF8.self) }
      if b < 0x20 { throw error("control character in string") }
      if b == UInt8(ascii: "\\") {
        pos += 1
        guard pos < bytes.count else { break }
        switch bytes[pos] {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800..<0xDC00).contains(code) {
            guard pos + 2 < bytes.count, bytes[pos + 1] == UInt8(ascii: "\\"), bytes[pos + 2] == UInt8(ascii: "u") else {
              throw error("unpaired surrogate in \\u escape")
            }
            pos += 2
            let low = try hex4()
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default: throw error("invalid escape")
        }
        pos += 1
      } else {
        out.append(b)
        pos += 1
      }
    }
    throw error("unterminated string")
  }

  mutating func hex4() throws -> UInt32 {
    guard pos + 4 < bytes.count else { throw error("short \\u escape") }
    let text = String(decoding: bytes[(pos + 1)...(pos + 4)], as: UTF8.self)
    guard let v = UInt32(text, radix: 16) else { throw error("invalid \\u escape") }
    pos += 4
    return v
  }

  mutating func parseNumber() throws -> JSONValue {
    let start = pos
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
    let digitsStart = pos
    while pos < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos]) { pos += 1 }
    if pos == digitsStart { throw error("unexpected character '\(String(decoding: [bytes[min(pos, bytes.count - 1)]], as: UTF8.self))'") }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
      pos += 1
      let f = pos
      while pos < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos]) { pos += 1 }
      if pos == f { throw error("digits expected after '.'") }
    }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
      pos += 1
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
      let e = pos
      while pos < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos]) { pos += 1 }
      if pos == e { throw error("digits expected in exponent") }
    }
    let literal = String(decoding: bytes[start..<pos], as: UTF8.self)
    guard let x = Double(literal) else { throw error("invalid number \(literal)") }
    return .number(x, literal: literal)
  }
}
