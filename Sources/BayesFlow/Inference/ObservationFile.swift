import Foundation
import HDF5

/// Reads observations handed to `sample`, `logprob` and `abc`, checked against the model's
/// observation shape (docs/cli.md):
///
/// - `.json`: `{"observation": …}`, `{"observations": [...]}` or a bare array. A vector is
///   `[y₁, …, y_d]`; a series or set is `[[…C values…], …T rows…]` (a single-channel series may
///   be flat); an array of those is several observations.
/// - `.csv`: numbers separated by commas, an optional header line. For a vector model each row
///   is one observation; for a series/set model the file is one observation of T rows × C columns.
/// - `.h5`: `/observations` [K, …shape] (and `/lengths` [K] for variable-length series), as
///   written by `bayesflow simulate`.
///
/// Every problem is an `InputError` naming the file and stating what was expected.
public enum ObservationFile {
  public static func read(_ path: String, shape: ObservationShape) throws -> [Observation] {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(path, "no such file") }
    let lower = path.lowercased()
    let observations: [Observation]
    if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
      observations = try readHDF5(path, shape: shape)
    } else {
      guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        throw InputError(path, "cannot read the file as UTF-8 text")
      }
      if lower.hasSuffix(".json") {
        observations = try readJSON(text, path: path, shape: shape)
      } else if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") {
        observations = try readCSV(text, path: path, shape: shape)
      } else {
        throw InputError(path, "unknown observation format (expected .json, .csv or .h5)")
      }
    }
    guard !observations.isEmpty else { throw InputError(path, "no observations in the file") }
    for (k, y) in observations.enumerated() { try validate(y, shape: shape, path: path, index: observations.count > 1 ? k : nil) }
    return observations
  }

  /// Checks the size, the length limit and finiteness of one observation.
  public static func validate(_ y: Observation, shape: ObservationShape, path: String, index: Int?) throws {
    let which = index.map { "observation \($0): " } ?? ""
    let w = shape.width
    if shape.isVariableLength {
      guard y.length >= 1 && y.length <= shape.rows else {
        throw InputError(path, "\(which)series of \(y.length) steps; the model supports 1 to \(shape.rows) steps of \(w) channel\(w == 1 ? "" : "s")")
      }
    } else if y.length != shape.rows {
      throw InputError(path, "\(which)\(describe(y)) given; expected \(expected(shape))")
    }
    guard y.values.count == y.length * w else { throw InputError(path, "\(which)\(describe(y)) given; expected \(expected(shape))") }
    if let bad = y.values.firstIndex(where: { !$0.isFinite }) {
      let position = shape.rows == 1 ? "value \(bad + 1)" : "row \(bad / w + 1), column \(bad % w + 1)"
      throw InputError(path, "\(which)\(position) is \(y.values[bad]); observations must be finite numbers")
    }
  }

  static func describe(_ y: Observation) -> String {
    y.length <= 1 ? "\(y.values.count) value\(y.values.count == 1 ? "" : "s")" : "\(y.length) rows of \(y.values.count / max(y.length, 1)) values"
  }

  /// The expected shape in words, e.g. "2 values (vector(2))" or "81 rows × 3 columns (...)".
  public static func expected(_ shape: ObservationShape) -> String {
    switch shape {
    case .vector(let d): return "\(d) value\(d == 1 ? "" : "s") (\(shape))"
    default:
      return "\(shape.isVariableLength ? "up to " : "")\(shape.rows) rows × \(shape.width) column\(shape.width == 1 ? "" : "s") (\(shape))"
    }
  }

  // MARK: JSON

  static func readJSON(_ text: String, path: String, shape: ObservationShape) throws -> [Observation] {
    let json: JSONValue
    do { json = try JSONValue.parse(text) } catch { throw InputError(path, "invalid JSON at \(error)") }
    var body = json
    var many = false
    if case .object = json {
      if let v = json["observation"] { body = v } else if let v = json["observations"] { body = v; many = true } else {
        throw InputError(path, "expected a key \"observation\" or \"observations\"")
      }
    }
    let depth = nestingDepth(body)
    let single: Int = { if case .vector = shape { return 1 } else { return 2 } }()
    if many || depth == single + 1 {
      guard case .array(let items) = body else { throw InputError(path, "\"observations\" must be an array") }
      return try items.enumerated().map { k, item in try jsonObservation(item, path: path, shape: shape, label: "observation \(k): ") }
    }
    return [try jsonObservation(body, path: path, shape: shape, label: "")]
  }

  static func nestingDepth(_ v: JSONValue) -> Int {
    if case .array(let a) = v { return 1 + (a.first.map(nestingDepth) ?? 0) }
    return 0
  }

  static func jsonObservation(_ v: JSONValue, path: String, shape: ObservationShape, label: String) throws -> Observation {
    guard case .array(let items) = v else { throw InputError(path, "\(label)expected an array of numbers, got \(v)") }
    func number(_ x: JSONValue, _ where_: String) throws -> Double {
      switch x {
      case .number(let d, _): return d
      case .string(let s) where ["nan", "inf", "-inf", "infinity", "-infinity"].contains(s.lowercased()): return Double(s) ?? .nan
      default: throw InputError(path, "\(label)\(where_) is \(x), expected a number")
      }
    }
    if nestingDepth(v) == 1 {
      let values = try items.enumerated().map { try number($1, "value \($0 + 1)") }
      if case .vector = shape { return Observation(values, length: 1) }
      guard shape.width == 1 else { throw InputError(path, "\(label)a flat array of \(values.count) values given; expected \(expected(shape))") }
      return Observation(values, length: values.count)
    }
    var values: [Double] = []
    for (r, row) in items.enumerated() {
      guard case .array(let cols) = row else { throw InputError(path, "\(label)row \(r + 1) is \(row), expected an array") }
      guard cols.count == shape.width else {
        throw InputError(path, "\(label)row \(r + 1) has \(cols.count) values; expected \(expected(shape))")
      }
      values += try cols.enumerated().map { try number($1, "row \(r + 1), value \($0 + 1)") }
    }
    if case .vector = shape, items.count == 1 { return Observation(values, length: 1) }
    return Observation(values, length: items.count)
  }

  // MARK: CSV

  static func readCSV(_ text: String, path: String, shape: ObservationShape) throws -> [Observation] {
    var rows: [[Double]] = []
    for (i, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      let parsed = fields.map { Double($0) }
      if rows.isEmpty && parsed.contains(where: { $0 == nil }) && i == 0 { continue }  // header
      guard let bad = parsed.firstIndex(where: { $0 == nil }) else {
        rows.append(parsed.map { $0! })
        continue
      }
      throw InputError(path, "line \(i + 1), column \(bad + 1): \"\(fields[bad])\" is not a number")
    }
    if case .vector = shape {
      return rows.map { Observation($0, length: 1) }
    }
    for (r, row) in rows.enumerated() where row.count != shape.width {
      throw InputError(path, "row \(r + 1) has \(row.count) values; expected \(expected(shape))")
    }
    return [Observation(rows.flatMap { $0 }, length: rows.count)]
  }

  // MARK: HDF5

  static func readHDF5(_ path: String, shape: ObservationShape) throws -> [Observation] {
    do {
      let f = try H5File.open(at: path)
      guard f.exists("observations") else { throw InputError(path, "no /observations dataset") }
      let ds = try f.openDataset("observations")
      let dims = ds.shape
      guard dims.count >= 2, Array(dims.dropFirst()) == shape.dims else {
        throw InputError(path, "/observations has shape \(dims); expected [K] + \(shape.dims) for \(shape)")
      }
      let k = dims[0], size = shape.count
      let values = try ds.read(as: Double.self)
      let lengths = f.exists("lengths") ? try f.openDataset("lengths").read(as: Int32.self).map(Int.init)
                                        : [Int](repeating: shape.rows, count: k)
      guard lengths.count == k else { throw InputError(path, "/lengths has \(lengths.count) entries for \(k) observations") }
      return (0..<k).map { i in
        let n = min(lengths[i], shape.rows) * shape.width
        return Observation(Array(values[(i * size)..<(i * size + n)]), length: lengths[i])
      }
    } catch let e as InputError {
      throw e
    } catch {
      throw InputError(path, "\(error)")
    }
  }
}
