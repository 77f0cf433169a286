import XCTest
import Foundation
import Tensors

/// The branch-free Float kernels against libm in Double, over dense grids including extremes.
final class FastMathTests: XCTestCase {
  func grid(_ lo: Double, _ hi: Double, _ n: Int = 200_001) -> [Float] {
    (0..<n).map { Float(lo + (hi - lo) * Double($0) / Double(n - 1)) }
  }

  func maxRelativeError(_ xs: [Float], _ f: (Float) -> Float, _ ref: (Double) -> Double, floor: Double = 0) -> Double {
    xs.reduce(0) { worst, x in
      let r = ref(Double(x))
      return max(worst, abs(Double(f(x)) - r) / max(abs(r), floor))
    }
  }

  func testExp() {
    XCTAssertLessThan(maxRelativeError(grid(-87, 88), FastMath.exp, Foundation.exp), 3e-7)
    XCTAssertTrue(FastMath.exp(.nan).isNaN)
    XCTAssertEqual(FastMath.exp(0), 1)
    XCTAssertGreaterThan(FastMath.exp(-200), 0)
    XCTAssertLessThan(FastMath.exp(-200), 2e-38)
  }

  func testLog() {
    XCTAssertLessThan(maxRelativeError(grid(1e-30, 1e-20, 10001) + grid(0.01, 10) + grid(10, 1e30, 10001),
                                       FastMath.log, Foundation.log, floor: 1e-7), 3e-7)
    XCTAssertEqual(FastMath.log(0), -.infinity)
    XCTAssertTrue(FastMath.log(-1).isNaN)
    XCTAssertTrue(FastMath.log(.nan).isNaN)
    XCTAssertEqual(FastMath.log(.infinity), .infinity)
  }

  func testTanhSigmoidAtanErfSoftplus() {
    let xs = grid(-20, 20)
    XCTAssertLessThan(maxRelativeError(xs + grid(-1e-3, 1e-3), FastMath.tanh, Foundation.tanh, floor: 1e-30), 1e-6)
    XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    XCTAssertEqual(FastMath.tanh(100), 1)
    XCTAssertLessThan(maxRelativeError(xs, FastMath.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, floor: 1), 3e-7)
    XCTAssertLessThan(maxRelativeError(grid(-1e4, 1e4) + xs, FastMath.atan, Foundation.atan, floor: 1), 3e-7)
    XCTAssertLessThan(maxRelativeError(xs, FastMath.erf, Foundation.erf, floor: 1), 5e-7)
    XCTAssertLessThan(maxRelativeError(grid(-80, 80), FastMath.softplus, { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) }, floor: 1), 6e-7)
  }

  /// The Float unary kernels agree with the Double ones (which use libm).
  func testFloatKernelsAgreeWithDouble() {
    let xs = (0..<1000).map { Double($0) / 100 - 5 }
    for op in [UnaryOp.exp, .softplus, .sigmoid, .tanh, .atan, .elu, .silu, .hardSilu, .gelu, .mish, .softClampAtan, .softClampTanh] {
      let gf = Graph<Float>(), gd = Graph<Double>()
      let yf = gf.constant(xs.map(Float.init), shape: Shape(1000)).map(op, alpha: 1.9).scalars
      let yd = gd.constant(xs, shape: Shape(1000)).map(op, alpha: 1.9).scalars
      for (f, d) in zip(yf, yd) { XCTAssertEqual(Double(f), d, accuracy: 2e-6 * max(1, abs(d)), "\(op)") }
    }
  }
}
