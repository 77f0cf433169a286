import Foundation

/// Text and number output for SVG and HTML: escaping, and compact number formats.
public enum SVGText {
  /// Escapes the five XML special characters, so any string is safe in text and attributes.
  public static func escape(_ s: String) -> String {
    guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }) else { return s }
    var out = ""
    out.reserveCapacity(s.count + 8)
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(c)
      }
    }
    return out
  }

  /// Appends a coordinate rounded to 0.1 px ("12.3", "-4", "250"): short, and cheap enough for
  /// tens of thousands of points (integer arithmetic, no `String(format:)`).
  @inline(__always)
  public static func appendCoordinate(_ v: Double, to out: inout String) {
    let tenths = Int((v * 10).rounded())
    if tenths < 0 { out += "-" }
    let a = abs(tenths)
    out += String(a / 10)
    if a % 10 != 0 { out += "."; out += String(a % 10) }
  }

  /// A coordinate as a string (see `appendCoordinate`).
  public static func coordinate(_ v: Double) -> String {
    var s = ""
    appendCoordinate(v, to: &s)
    return s
  }

  /// A value for people with about `significant` significant digits, trailing zeros dropped:
  /// 0.93417 → "0.934", 12345.6 → "1.23e4", 0.000123 → "1.23e-4", NaN → "–".
  public static func compact(_ v: Double, significant: Int = 3) -> String {
    guard v.isFinite else { return v.isNaN ? "–" : (v > 0 ? "∞" : "−∞") }
    if v == 0 { return "0" }
    let e = Int(Foundation.floor(Foundation.log10(abs(v))))
    if e >= 5 || e < -3 {
      let mantissa = v / Foundation.pow(10, Double(e))
      return trimmed(String(format: "%.\(max(significant - 1, 0))f", mantissa)) + "e\(e)"
    }
    let decimals = max(significant - 1 - e, 0)
    return trimmed(String(format: "%.\(decimals)f", v))
  }

  /// A tick label for value v on an axis with tick spacing `step`: as many decimals as the
  /// step needs, or exponent notation for very large or small scales.
  public static func tick(_ v: Double, step: Double) -> String {
    if abs(v) < step * 1e-9 { return "0" }
    let scale = max(abs(v), step)
    if scale >= 1e5 || step < 1e-3 {
      let e = Int(Foundation.floor(Foundation.log10(step)))
      let digits = max(0, Int(Foundation.floor(Foundation.log10(abs(v)))) - e)
      return compact(v, significant: min(digits + 1, 6))
    }
    let decimals = max(0, -Int(Foundation.floor(Foundation.log10(step) + 1e-9)))
    return trimmed(String(format: "%.\(decimals)f", v))
  }

  /// Drops trailing zeros (and a trailing point) after a decimal point; writes −0 as 0.
  static func trimmed(_ s: String) -> String {
    var t = s
    if t.contains(".") {
      while t.hasSuffix("0") { t.removeLast() }
      if t.hasSuffix(".") { t.removeLast() }
    }
    return t == "-0" ? "0" : t
  }
}
