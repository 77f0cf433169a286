import BayesFlow
import Simulators
import XCTest

/// The bundled Germany data against the JHU cumulative rows quoted in specs/secird_covid.md:
/// 2020-03-01: 130, 16, 0; 03-02: 159, 16, 0; 03-03: 196, 16, 0; 05-21: 179021, 158087, 8203.
final class SECIRDDataTests: XCTestCase {
  func testGermanyDailyCounts() throws {
    let data = try SECIRD.germany()
    XCTAssertEqual(data.dates.count, 81)
    XCTAssertEqual(data.dates.first, "2020-03-02")
    XCTAssertEqual(data.dates.last, "2020-05-21")
    // First differences of the quoted rows.
    XCTAssertEqual([data.confirmed[0], data.recovered[0], data.deceased[0]], [159 - 130, 16 - 16, 0])
    XCTAssertEqual([data.confirmed[1], data.recovered[1], data.deceased[1]], [196 - 159, 0, 0])
    // The sums telescope to the cumulative counts of 05-21 minus those of 03-01.
    XCTAssertEqual(data.confirmed.reduce(0, +), 179_021 - 130)
    XCTAssertEqual(data.recovered.reduce(0, +), 158_087 - 16)
    XCTAssertEqual(data.deceased.reduce(0, +), 8203 - 0)
    XCTAssertEqual([data.confirmed[80], data.recovered[80], data.deceased[80]], [548, 1121, 59])
    // Caveats of docs/secird-data.md: the recovered jump on 03-24 (266 → 3243) and a negative
    // daily death count on 04-11 (2767 → 2736).
    let mar24 = data.dates.firstIndex(of: "2020-03-24")!
    XCTAssertEqual(data.recovered[mar24], 3243 - 266)
    let apr11 = data.dates.firstIndex(of: "2020-04-11")!
    XCTAssertEqual(data.deceased[apr11], -31)
  }

  func testGermanyObservationLayout() throws {
    let data = try SECIRD.germany()
    let y = try SECIRD.germanyObservation()
    XCTAssertEqual(y.length, 81)
    XCTAssertEqual(y.values.count, try SECIRD().observationShape.count)
    for k in 0..<81 {
      XCTAssertEqual(Array(y.values[(3 * k)..<(3 * k + 3)]), [data.confirmed[k], data.recovered[k], data.deceased[k]])
    }
  }

  func testMalformedCSVIsRejected() {
    XCTAssertThrowsError(try DailyCounts(csv: "date,a,b,c\n", source: "x.csv"))
    XCTAssertThrowsError(try DailyCounts(csv: "date,new_confirmed,new_recovered,new_deceased\n2020-03-02,1,2\n",
                                         source: "x.csv")) {
      XCTAssertTrue("\($0)".contains("x.csv: line 2"), "\($0)")
    }
  }
}
