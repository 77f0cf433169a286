import Foundation
import Simulators
import XCTest

/// The bundled PARSEC grid: counts documented in docs/stellar-grid.md, drop rules, phase
/// segments, extinction ratios.
final class StellarGridTests: XCTestCase {
  func testLoadsTheBundledFileWithTheDocumentedCounts() throws {
    let grid = try StellarGrid.shared()
    XCTAssertTrue(grid.path.hasSuffix("Resources/parsec_isochrones.h5"), grid.path)
    XCTAssertFalse(grid.path.contains("/work/shared"), grid.path)
    XCTAssertEqual(grid.fileRowCount, 132_839)
    XCTAssertEqual(grid.fileColumnCount, 19)
    XCTAssertEqual(grid.droppedLabel9Rows, 214)
    XCTAssertEqual(grid.droppedStackRows, 1_596)
    XCTAssertEqual(grid.rowCount, 131_029)
    XCTAssertEqual(grid.metallicities.count, 11)
    XCTAssertEqual(grid.metallicities.first, -2.19174)
    XCTAssertEqual(grid.metallicities.last, 0.3)
    XCTAssertEqual(grid.logAges.count, 36)
    for (j, t) in grid.logAges.enumerated() {
      XCTAssertEqual(t, 6.0 + 0.12 * Double(j), accuracy: 1e-12)
    }
    XCTAssertEqual(grid.isochroneCount, 396)
    print("stellar grid: \(grid.path)")
    print("stellar grid: loaded \(grid.rowCount) of \(grid.fileRowCount) rows in \(String(format: "%.3f", grid.loadSeconds)) s")
  }

  func testLoadingTwiceGivesTheSameGridAndTakesUnderASecond() throws {
    let path = try StellarGrid.bundledFilePath()
    let grid = try StellarGrid.load(path: path)
    XCTAssertLessThan(grid.loadSeconds, 1.0)
    let shared = try StellarGrid.shared()
    XCTAssertEqual(grid.rowCount, shared.rowCount)
    for row in stride(from: 0, to: grid.rowCount, by: 997) {
      XCTAssertEqual(grid.logMass(row: row), shared.logMass(row: row))
      XCTAssertEqual(grid.value(.V, row: row).bitPattern, shared.value(.V, row: row).bitPattern)
    }
    print("stellar grid: second load \(String(format: "%.3f", grid.loadSeconds)) s")
  }

  func testMissingFileIsANamedError() {
    XCTAssertThrowsError(try StellarGrid.load(path: "/nonexistent/parsec.h5")) { error in
      XCTAssertTrue("\(error)".contains("/nonexistent/parsec.h5"), "\(error)")
    }
  }

  /// Known rows of the source CSV (the first row, a He-flash pair, the 350 M☉ row).
  func testRowsMatchTheSourceTable() throws {
    let grid = try StellarGrid.shared()
    // -2.19174,6.0,0.1000000015,0.1,-0.791,3.5824,3.511,0,9.907,9.02,7.727,6.843,6.104,5.138,4.492,4.283,7.12,7.923,6.235
    let first = grid.rows(ofIsochrone: 0).lowerBound
    XCTAssertEqual(pow(10, grid.logMass(row: first)), 0.1000000015, accuracy: 1e-9)
    let expected: [(StellarGrid.Column, Double)] = [(.massCurrent, 0.1), (.logL, -0.791), (.logTeff, 3.5824), (.logG, 3.511),
      (.U, 9.907), (.B, 9.02), (.V, 7.727), (.R, 6.843), (.I, 6.104), (.J, 5.138), (.H, 4.492), (.K, 4.283),
      (.G, 7.12), (.G_BP, 7.923), (.G_RP, 6.235)]
    for (column, value) in expected {
      XCTAssertEqual(grid.value(column, row: first), value, accuracy: 1e-5, column.name)
    }
    XCTAssertEqual(grid.label(row: first), 0)
    // Every isochrone ends at or below 350 M☉, and the youngest reach exactly 350 M☉.
    for k in 0..<grid.isochroneCount {
      let last = grid.rows(ofIsochrone: k).upperBound - 1
      XCTAssertLessThanOrEqual(grid.logMass(row: last), log10(350.0))
    }
    XCTAssertEqual(grid.logMass(row: grid.rows(ofIsochrone: 0).upperBound - 1), log10(350.0), accuracy: 1e-12)
  }

  /// Masses never decrease along an isochrone; segments are contiguous, ordered, start with
  /// segment 0, and their row ranges agree with the per-row segments.
  func testPhaseSegmentsAreContiguousAndOrdered() throws {
    let grid = try StellarGrid.shared()
    var segmentCounts = [Int](repeating: 0, count: 6)
    for k in 0..<grid.isochroneCount {
      let rows = grid.rows(ofIsochrone: k)
      XCTAssertEqual(grid.segment(row: rows.lowerBound), 0)
      for r in rows.dropFirst() {
        XCTAssertGreaterThanOrEqual(grid.logMass(row: r), grid.logMass(row: r - 1))
        XCTAssertGreaterThanOrEqual(grid.segment(row: r), grid.segment(row: r - 1))
        XCTAssertNotEqual(grid.label(row: r), 9)
      }
      for s in 0..<6 {
        guard let range = grid.rows(ofIsochrone: k, segment: s) else {
          XCTAssertEqual(grid.segments(ofIsochrone: k) & (1 << s), 0)
          continue
        }
        segmentCounts[s] += 1
        XCTAssertTrue(range.allSatisfy { grid.segment(row: $0) == s })
        XCTAssertTrue(rows.contains(range.lowerBound) && rows.contains(range.upperBound))
      }
    }
    // All isochrones have a main sequence; TP-AGB from log age 7.92 on (README Q7).
    XCTAssertEqual(segmentCounts[0], 396)
    XCTAssertGreaterThan(segmentCounts[5], 150)
  }

  /// CCM89 at the wavelengths of its Table 3 (R_V = 3.1) against the table's A(λ)/A(V). (L at
  /// 3.4 μm, x = 0.294 μm⁻¹, is just outside the fit's 0.3 ≤ x and gives NaN.)
  func testCCM89MatchesTable3() {
    let table3: [(String, Double, Double)] = [("U", 0.365, 1.569), ("B", 0.44, 1.337), ("V", 0.55, 1.000),
                                              ("R", 0.70, 0.751), ("I", 0.90, 0.479), ("J", 1.25, 0.282),
                                              ("H", 1.65, 0.190), ("K", 2.2, 0.114)]
    for (band, lambda, ratio) in table3 {
      XCTAssertEqual(CCM89.extinctionRatio(wavelength: lambda), ratio, accuracy: 0.015, band)
    }
    XCTAssertTrue(CCM89.extinctionRatio(wavelength: 3.4).isNaN)
    // UV branch: the 2175 Å bump is the local maximum between 0.19 and 0.25 μm.
    let bump = CCM89.extinctionRatio(wavelength: 0.2175)
    XCTAssertGreaterThan(bump, CCM89.extinctionRatio(wavelength: 0.25))
    XCTAssertGreaterThan(bump, CCM89.extinctionRatio(wavelength: 0.19))
  }

  /// The simulator's band ratios: V exactly 1, decreasing with wavelength, close to Table 3 for
  /// the bands whose effective wavelength matches it (Johnson UBV, JHK; R and I are Cousins here).
  func testBandExtinctionRatios() {
    XCTAssertEqual(PhotometricBand.V.extinctionRatio(), 1)
    let ordered: [PhotometricBand] = [.U, .B, .V, .R, .I, .J, .H, .K]
    for (a, b) in zip(ordered, ordered.dropFirst()) {
      XCTAssertGreaterThan(a.extinctionRatio(), b.extinctionRatio(), "\(a) vs \(b)")
    }
    let table3: [(PhotometricBand, Double)] = [(.U, 1.569), (.B, 1.337), (.J, 0.282), (.H, 0.190), (.K, 0.114)]
    for (band, ratio) in table3 {
      XCTAssertEqual(band.extinctionRatio(), ratio, accuracy: 0.03, band.rawValue)
    }
    // Cousins R_C (0.641 μm) and I_C (0.798 μm): the commonly used 0.82–0.84 and 0.59–0.60.
    XCTAssertEqual(PhotometricBand.R.extinctionRatio(), 0.83, accuracy: 0.02)
    XCTAssertEqual(PhotometricBand.I.extinctionRatio(), 0.595, accuracy: 0.02)
    for band in PhotometricBand.allCases { print("A_\(band.rawValue)/A_V = \(String(format: "%.3f", band.extinctionRatio()))") }
  }
}
