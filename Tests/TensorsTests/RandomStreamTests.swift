import XCTest
import Tensors

final class RandomStreamTests: XCTestCase {
  func testStreamsAreReproducibleAndDistinct() {
    var a = RandomStream(seed: 7, stream: 3)
    var b = RandomStream(seed: 7, stream: 3)
    var c = RandomStream(seed: 7, stream: 4)
    var d = RandomStream(seed: 8, stream: 3)
    let xa = (0..<8).map { _ in a.next() }
    XCTAssertEqual(xa, (0..<8).map { _ in b.next() })
    XCTAssertNotEqual(xa, (0..<8).map { _ in c.next() })
    XCTAssertNotEqual(xa, (0..<8).map { _ in d.next() })
  }

  func testStateRoundTrip() {
    var a = RandomStream(seed: 1)
    _ = a.next()
    var b = RandomStream(state: a.state)
    XCTAssertEqual(a.next(), b.next())
  }

  /// Normal deviates: mean, variance (within 5 standard errors) and a Kolmogorov–Smirnov test
  /// against Φ over 2·10⁵ draws (critical value 1.63/√n at α = 0.01).
  func testZigguratNormal() {
    var rng = RandomStream(seed: 42)
    let n = 200_000
    var xs = (0..<n).map { _ in rng.normal() }
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    XCTAssertLessThan(abs(mean), 5 / Double(n).squareRoot())
    XCTAssertLessThan(abs(variance - 1), 5 * (2.0 / Double(n)).squareRoot())
    xs.sort()
    var dMax = 0.0
    for (i, x) in xs.enumerated() {
      let cdf = 0.5 * erfc(-x / 2.0.squareRoot())
      dMax = max(dMax, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
    }
    XCTAssertLessThan(dMax, 1.63 / Double(n).squareRoot())
    // The tail beyond r = 3.654 is sampled separately: its mass must be 2·(1 − Φ(r)).
    let tail = xs.filter { abs($0) > 3.6541528853610088 }.count
    let pTail = erfc(3.6541528853610088 / 2.0.squareRoot())
    XCTAssertLessThan(abs(Double(tail) - Double(n) * pTail), 5 * (Double(n) * pTail).squareRoot())
  }
}
