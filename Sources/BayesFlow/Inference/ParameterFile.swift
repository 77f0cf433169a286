import Foundation

/// Reads parameter rows for `logprob`: CSV (an optional header naming the parameters, in any
/// order) or JSON (an array of arrays, or `{"parameters": [[…], …]}`).
public enum ParameterFile {
  public static func read(_ path: String, names: [String]) throws -> [[Double]] {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(path, "no such file") }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw InputError(path, "cannot read the file as UTF-8 text")
    }
    let p = names.count
    var rows: [[Double]] = []
    if path.lowercased().hasSuffix(".json") {
      let json: JSONValue
      do { json = try JSONValue.parse(text) } catch { throw InputError(path, "invalid JSON at \(error)") }
      let body = json["parameters"] ?? json
      guard case .array(let items) = body else { throw InputError(path, "expected an array of parameter rows") }
      for (i, item) in items.enumerated() {
        guard case .array(let cols) = item, cols.count == p else {
          throw InputError(path, "row \(i + 1): expected \(p) numbers (\(names.joined(separator: ", ")))")
        }
        rows.append(try cols.map { v -> Double in
          guard case .number(let x, _) = v else { throw InputError(path, "row \(i + 1): \(v) is not a number") }
          return x
        })
      }
    } else {
      var order: [Int]? = nil
      for (i, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
        let fields = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if fields.count == 1 && fields[0].isEmpty { continue }
        if rows.isEmpty && order == nil && fields.contains(where: { Double($0) == nil }) {
          order = try fields.map { f in
            guard let j = names.firstIndex(of: f) else { throw InputError(path, "line 1: unknown parameter \"\(f)\" (expected \(names.joined(separator: ", ")))") }
            return j
          }
          guard order!.count == p else { throw InputError(path, "line 1: header names \(fields.count) of \(p) parameters") }
          continue
        }
        guard fields.count == p else { throw InputError(path, "line \(i + 1): \(fields.count) values, expected \(p) (\(names.joined(separator: ", ")))") }
        var row = [Double](repeating: 0, count: p)
        for (c, f) in fields.enumerated() {
          guard let x = Double(f) else { throw InputError(path, "line \(i + 1), column \(c + 1): \"\(f)\" is not a number") }
          row[order?[c] ?? c] = x
        }
        rows.append(row)
      }
    }
    guard !rows.isEmpty else { throw InputError(path, "no parameter rows") }
    if let bad = rows.firstIndex(where: { !$0.allSatisfy(\.isFinite) }) { throw InputError(path, "row \(bad + 1) has a non-finite value") }
    return rows
  }
}
