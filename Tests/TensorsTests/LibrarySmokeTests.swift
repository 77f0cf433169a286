import XCTest
import CBLAS
import Tensors

/// OpenBLAS is really linked and computes what a naive loop computes.
final class LibrarySmokeTests: XCTestCase {
  func testSgemmAgainstNaiveLoop() {
    let m = 37, n = 53, k = 29
    let a = (0..<(m * k)).map { Float(($0 * 7919) % 101) / 50 - 1 }
    let b = (0..<(k * n)).map { Float(($0 * 104_729) % 97) / 48 - 1 }
    var c = [Float](repeating: 0.5, count: m * n)
    Float.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 2, a: a, lda: k, b: b, ldb: n, beta: 3, c: &c, ldc: n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for l in 0..<k { s += Double(a[i * k + l]) * Double(b[l * n + j]) }
        XCTAssertEqual(Double(c[i * n + j]), 2 * s + 1.5, accuracy: 1e-4 * max(1, abs(s)))
      }
    }
    XCTAssertGreaterThanOrEqual(bf_blas_threads(), 1)
  }
}
