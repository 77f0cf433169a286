import Foundation
import HDF5

/// Why the PARSEC grid could not be loaded: names the file and what is wrong with it.
public struct StellarGridError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The PARSEC v1.2S isochrone grid shipped with the simulators (Simulators/Resources/
/// parsec_isochrones.h5; provenance, licence and quirks in docs/stellar-grid.md).
///
/// 11 metallicities [M/H] × 36 ages log₁₀(t/yr) = 396 isochrones; each isochrone is a list of
/// stars ordered by initial mass, with current mass, log L, log Teff, log g, the PARSEC phase
/// label and 11 absolute magnitudes (U B V R I J H K, Gaia G G_BP G_RP).
///
/// Rows dropped at load (README rules): label 9 (post-AGB/WD placeholders, no photometry), and
/// the "350 M☉ stack" — the rows with `mass_initial` > 350 that hold the late stages of the
/// most massive track in a 0.005 M☉ sliver, where mass cannot select a star (the 350.0 row
/// itself is kept). NaN magnitudes (24 very hot stars beyond the bolometric corrections) stay
/// NaN and propagate to any interpolation that touches them.
///
/// Each isochrone is cut into phase segments (EEP-style):
///
///     0: labels 0+1 (PMS + MS)   1: label 2 (SGB)   2: label 3 (RGB)
///     3: labels 4–6 (CHeB)       4: label 7 (E-AGB)  5: label 8 (TP-AGB)
///
/// A row's segment is the running maximum of its label's segment along the isochrone, so that
/// labels that come back after a later phase (6 massive-star isochrones, the RGB-tip flicker
/// 3→4→3→4, the split TP-AGB of [M/H] = +0.05, log t = 9.24) stay inside the later segment
/// and segments are contiguous.
///
/// Immutable after load and safe to share between threads. Load the bundled file once with
/// `StellarGrid.shared()`.
public final class StellarGrid: @unchecked Sendable {
  /// The interpolated quantities, in storage order.
  public enum Column: Int, CaseIterable, Sendable {
    case massCurrent, logL, logTeff, logG, U, B, V, R, I, J, H, K, G, G_BP, G_RP

    /// The column name in the file.
    public var name: String {
      switch self {
      case .massCurrent: "mass_current"
      case .logL: "log_L"
      case .logTeff: "log_Teff"
      case .logG: "log_g"
      default: PhotometricBand.allCases[rawValue - Column.U.rawValue].rawValue
      }
    }
  }

  /// Columns of the file, in file order.
  public static let fileColumns = ["MH", "log_age", "mass_initial", "mass_current", "log_L", "log_Teff",
                                   "log_g", "label", "U", "B", "V", "R", "I", "J", "H", "K", "G", "G_BP", "G_RP"]
  /// Names of the phase segments 0…5.
  public static let segmentNames = ["PMS+MS", "SGB", "RGB", "CHeB", "E-AGB", "TP-AGB"]
  /// Phase segment of each PARSEC label 0…8.
  static let segmentOfLabel: [UInt8] = [0, 0, 1, 2, 3, 3, 3, 4, 5]
  /// Segments per isochrone.
  public static let segmentCount = 6
  /// Rows above this initial mass (M☉) are the 350 M☉ stack and are dropped.
  public static let maximumMass = 350.0
  /// Floats per row of `table` (15 columns, padded to 16 = one 64-byte cache line).
  static let stride = 16

  /// The file the grid was read from.
  public let path: String
  /// Rows and columns of the file (before the drop rules).
  public let fileRowCount: Int
  public let fileColumnCount: Int
  /// Rows dropped at load: label 9, and `mass_initial` > 350 (label-9 rows above 350 count once, as label 9).
  public let droppedLabel9Rows: Int
  public let droppedStackRows: Int
  /// Metallicity nodes [M/H] (ascending; the first is −2.19174, quirk Q1).
  public let metallicities: [Double]
  /// Age nodes log₁₀(t/yr) (ascending, 6.00…10.20 in steps of 0.12).
  public let logAges: [Double]
  /// Seconds spent in `load` (reading, decompressing and building the tables).
  public let loadSeconds: Double

  /// log₁₀ of the initial mass of each kept row.
  let logMass: UnsafeMutablePointer<Double>
  /// `stride` floats per kept row, in `Column` order.
  let table: UnsafeMutablePointer<Float>
  /// PARSEC label and phase segment of each kept row.
  let labels: [UInt8]
  let segments: [UInt8]
  /// Kept rows of isochrone k: `isochroneStart[k] ..< isochroneStart[k + 1]`.
  let isochroneStart: [Int]
  /// First and last row of segment s of isochrone k at `k * segmentCount + s`; −1 if absent.
  let segmentFirst: [Int]
  let segmentLast: [Int]
  /// Bit s set when isochrone k has segment s.
  let segmentMask: [UInt8]

  /// Kept rows in all isochrones.
  public var rowCount: Int { isochroneStart.last! }
  public var isochroneCount: Int { metallicities.count * logAges.count }

  deinit {
    logMass.deallocate()
    table.deallocate()
  }

  // MARK: Loading

  private static let sharedGrid: Result<StellarGrid, StellarGridError> = {
    do {
      return .success(try load(path: try bundledFilePath()))
    } catch let error as StellarGridError {
      return .failure(error)
    } catch {
      return .failure(StellarGridError("\(error)"))
    }
  }()

  /// The bundled grid, loaded on first use (thread-safe, once per process).
  public static func shared() throws -> StellarGrid {
    try sharedGrid.get()
  }

  /// Path of `parsec_isochrones.h5` in the `Simulators` resource bundle.
  public static func bundledFilePath() throws -> String {
    let name = "parsec_isochrones", ext = "h5"
    if let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources") {
      return url.path
    }
    let path = Bundle.module.bundleURL.appendingPathComponent("Resources/\(name).\(ext)").path
    guard FileManager.default.fileExists(atPath: path) else {
      throw StellarGridError("\(path): file not found (the Simulators resource bundle lacks the PARSEC grid)")
    }
    return path
  }

  /// Reads the grid from an HDF5 file written by scripts/stellar/make_parsec_h5.py.
  public static func load(path: String) throws -> StellarGrid {
    let start = DispatchTime.now().uptimeNanoseconds
    do {
      return try StellarGrid(path: path, start: start)
    } catch let error as StellarGridError {
      throw error
    } catch {
      throw StellarGridError("\(error)")
    }
  }

  private init(path: String, start: UInt64) throws {
    let file = try H5File.open(at: path)
    let n = try file.openDataset("mass_initial").count
    func column<T: HDF5Scalar>(_ name: String, _ type: T.Type) throws -> [T] {
      let values = try file.openDataset(name).read(as: T.self)
      guard values.count == n else {
        throw StellarGridError("\(path): /\(name): \(values.count) rows, expected \(n) like /mass_initial")
      }
      return values
    }
    let mh = try column("MH", Double.self)
    let age = try column("log_age", Double.self)
    let massInitial = try column("mass_initial", Float.self)
    let label = try column("label", UInt8.self)
    let columns = try Column.allCases.map { try column($0.name, Float.self) }
    self.path = path
    fileRowCount = n
    fileColumnCount = try file.children().count

    let zNodes = Array(Set(mh)).sorted(), tNodes = Array(Set(age)).sorted()
    metallicities = zNodes
    logAges = tNodes
    let isochrones = zNodes.count * tNodes.count

    logMass = .allocate(capacity: n)
    table = .allocate(capacity: n * StellarGrid.stride)
    table.initialize(repeating: 0, count: n * StellarGrid.stride)
    var labels: [UInt8] = [], segments: [UInt8] = []
    var starts = [0]
    var first = [Int](repeating: -1, count: isochrones * StellarGrid.segmentCount)
    var last = first
    var masks = [UInt8](repeating: 0, count: isochrones)
    labels.reserveCapacity(n)
    segments.reserveCapacity(n)
    var label9 = 0, stack = 0
    var r = 0, kept = 0
    for (iz, z) in zNodes.enumerated() {
      for (it, t) in tNodes.enumerated() {
        let k = iz * tNodes.count + it
        guard r < n, mh[r] == z, age[r] == t else {
          throw StellarGridError("\(path): rows are not sorted by (MH, log_age) with every node present: expected isochrone [M/H] = \(z), log_age = \(t) at row \(r)")
        }
        var segment: UInt8 = 0
        var previous = -Double.infinity
        while r < n && mh[r] == z && age[r] == t {
          defer { r += 1 }
          guard label[r] <= 9 else { throw StellarGridError("\(path): /label: row \(r) has label \(label[r])") }
          if label[r] == 9 { label9 += 1; continue }
          if Double(massInitial[r]) > StellarGrid.maximumMass { stack += 1; continue }
          let lm = log10(Double(massInitial[r]))
          guard lm >= previous else {
            throw StellarGridError("\(path): /mass_initial decreases at row \(r) within an isochrone")
          }
          previous = lm
          segment = max(segment, StellarGrid.segmentOfLabel[Int(label[r])])
          let s = k * StellarGrid.segmentCount + Int(segment)
          if first[s] < 0 { first[s] = kept }
          last[s] = kept
          masks[k] |= 1 << segment
          logMass[kept] = lm
          for (j, values) in columns.enumerated() { table[kept * StellarGrid.stride + j] = values[r] }
          labels.append(label[r])
          segments.append(segment)
          kept += 1
        }
        guard masks[k] & 1 != 0 else {
          throw StellarGridError("\(path): isochrone [M/H] = \(z), log_age = \(t) has no PMS/MS rows")
        }
        starts.append(kept)
      }
    }
    guard r == n else { throw StellarGridError("\(path): rows after \(r) are not sorted by (MH, log_age)") }
    self.labels = labels
    self.segments = segments
    isochroneStart = starts
    segmentFirst = first
    segmentLast = last
    segmentMask = masks
    droppedLabel9Rows = label9
    droppedStackRows = stack
    loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  // MARK: Access

  /// The isochrone at metallicity node `metallicity` and age node `age` (indices).
  public func isochrone(metallicity: Int, age: Int) -> Int {
    precondition(metallicities.indices.contains(metallicity) && logAges.indices.contains(age))
    return metallicity * logAges.count + age
  }

  /// [M/H] and log age of isochrone `k`.
  public func node(ofIsochrone k: Int) -> (metallicity: Double, logAge: Double) {
    (metallicities[k / logAges.count], logAges[k % logAges.count])
  }

  /// The kept rows of isochrone `k`, by increasing initial mass.
  public func rows(ofIsochrone k: Int) -> Range<Int> {
    isochroneStart[k] ..< isochroneStart[k + 1]
  }

  /// The rows of segment `s` of isochrone `k`, or nil if it has none.
  public func rows(ofIsochrone k: Int, segment s: Int) -> ClosedRange<Int>? {
    let i = k * StellarGrid.segmentCount + s
    return segmentFirst[i] < 0 ? nil : segmentFirst[i]...segmentLast[i]
  }

  /// Bit s set when isochrone `k` has phase segment s.
  public func segments(ofIsochrone k: Int) -> UInt8 { segmentMask[k] }

  /// log₁₀ of the initial mass of `row`.
  public func logMass(row: Int) -> Double { logMass[row] }

  /// The stored value of `column` at `row` (NaN where the grid has none).
  public func value(_ column: Column, row: Int) -> Double {
    Double(table[row * StellarGrid.stride + column.rawValue])
  }

  /// PARSEC phase label (0…8) and phase segment (0…5) of `row`.
  public func label(row: Int) -> Int { Int(labels[row]) }
  public func segment(row: Int) -> Int { Int(segments[row]) }
}
