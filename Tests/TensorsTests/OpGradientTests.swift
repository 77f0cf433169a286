import XCTest
import Tensors
import TestSupport

/// Finite-difference gradient checks (Double) for every differentiable op of the engine.
final class OpGradientTests: XCTestCase {
  let tolerance = 1e-6

  func check(_ name: String, _ shapes: [Shape], seed: UInt64 = 1, values: [[Double]]? = nil,
             training: Bool = false, file: StaticString = #filePath, line: UInt = #line,
             _ f: (Graph<Double>, [Tensor<Double>]) -> Tensor<Double>) {
    let inputs = shapes.enumerated().map { k, s in (shape: s, values: values?[k] ?? randomValues(s.count, seed: seed + UInt64(k))) }
    let r = checkGradients(inputs: inputs, training: training, f)
    XCTAssertGreaterThan(r.checked, 0, name, file: file, line: line)
    XCTAssertLessThan(r.maxRelativeError, tolerance, "\(name): \(r)", file: file, line: line)
  }

  func testMatmulAllTranspositions() {
    check("A·B", [Shape(3, 4), Shape(4, 5)]) { _, x in matmul(x[0], x[1]) }
    check("Aᵀ·B", [Shape(4, 3), Shape(4, 5)]) { _, x in matmul(x[0], x[1], transposeA: true) }
    check("A·Bᵀ", [Shape(3, 4), Shape(5, 4)]) { _, x in matmul(x[0], x[1], transposeB: true) }
    check("Aᵀ·Bᵀ", [Shape(4, 3), Shape(5, 4)]) { _, x in matmul(x[0], x[1], transposeA: true, transposeB: true) }
    check("batched [2,3,4]·[4,2]", [Shape(2, 3, 4), Shape(4, 2)]) { _, x in matmul(x[0], x[1]) }
    check("1×1", [Shape(1, 1), Shape(1, 1)]) { _, x in matmul(x[0], x[1]) }
  }

  func testLinear() {
    check("x·W + b", [Shape(5, 3), Shape(3, 4), Shape(4)]) { _, x in linear(x[0], weight: x[1], bias: x[2]) }
    check("x·W", [Shape(5, 3), Shape(3, 4)]) { _, x in linear(x[0], weight: x[1], bias: nil) }
    check("3-D x·W + b", [Shape(2, 3, 3), Shape(3, 2), Shape(2)]) { _, x in linear(x[0], weight: x[1], bias: x[2]) }
  }

  func testBroadcastingArithmetic() {
    let full = Shape(4, 3)
    for (name, other) in [("same", full), ("row [3]", Shape(3)), ("row [1,3]", Shape(1, 3)),
                          ("column [4,1]", Shape(4, 1)), ("scalar [1]", Shape(1))] {
      check("add \(name)", [full, other]) { _, x in x[0] + x[1] }
      check("sub \(name)", [full, other]) { _, x in x[0] - x[1] }
      check("mul \(name)", [full, other]) { _, x in x[0] * x[1] }
      check("reversed sub \(name)", [other, full]) { _, x in x[0] - x[1] }
      check("reversed mul \(name)", [other, full]) { _, x in x[0] * x[1] }
      let a = uniformValues(full.count, seed: 3, 0.5, 2), b = uniformValues(other.count, seed: 4, 0.5, 2)
      check("div \(name)", [full, other], values: [a, b]) { _, x in x[0] / x[1] }
      check("reversed div \(name)", [other, full], values: [b, a]) { _, x in x[0] / x[1] }
    }
    check("[2,1,3] with [2,4,3]", [Shape(2, 1, 3), Shape(2, 4, 3)]) { _, x in x[0] * x[1] + x[0] }
    check("[4,1] with [1,3] (outer)", [Shape(4, 1), Shape(1, 3)]) { _, x in x[0] * x[1] }
  }

  func testBroadcastValues() {
    let g = Graph<Double>()
    let a = g.constant([1, 2, 3, 4, 5, 6], shape: Shape(2, 3))
    XCTAssertEqual((a + g.constant([10, 20, 30], shape: Shape(3))).scalars, [11, 22, 33, 14, 25, 36])
    XCTAssertEqual((a * g.constant([2, 3], shape: Shape(2, 1))).scalars, [2, 4, 6, 12, 15, 18])
    XCTAssertEqual((g.constant([1], shape: Shape(1)) - a).scalars, [0, -1, -2, -3, -4, -5])
  }

  func testScalarArithmetic() {
    check("x + 2", [Shape(3, 2)]) { _, x in x[0] + 2 }
    check("3 − x", [Shape(3, 2)]) { _, x in 3 - x[0] }
    check("x · 1.5", [Shape(3, 2)]) { _, x in x[0] * 1.5 }
    check("x / 4", [Shape(3, 2)]) { _, x in x[0] / 4 }
    check("−x", [Shape(3, 2)]) { _, x in -x[0] }
  }

  func testEveryUnaryOp() {
    let s = Shape(3, 4)
    // Inputs away from kinks (|x| ≥ 0.05), positive where the domain requires.
    let signed = uniformValues(s.count, seed: 11, 0.05, 2.5).enumerated().map { $0 % 2 == 0 ? $1 : -$1 }
    let positive = uniformValues(s.count, seed: 12, 0.2, 3)
    let cases: [(UnaryOp, [Double], Double, Double)] = [
      (.exp, signed, 0, 0), (.log, positive, 0, 0), (.softplus, signed, 0, 0), (.sigmoid, signed, 0, 0),
      (.tanh, signed, 0, 0), (.atan, signed, 0, 0), (.relu, signed, 0, 0), (.elu, signed, 1.3, 0),
      (.leakyRelu, signed, 0.1, 0), (.silu, signed, 0, 0), (.gelu, signed, 0, 0), (.mish, signed, 0, 0),
      (.square, signed, 0, 0), (.sqrt, positive, 0, 0), (.abs, signed, 0, 0), (.clamp, signed, -1.02, 0.97),
      (.affine, signed, -0.7, 0.4), (.reciprocal, positive, 0, 0), (.softClampAtan, signed.map { $0 * 3 }, 1.9, 0),
      (.softClampTanh, signed.map { $0 * 3 }, 1.9, 0),
      (.hardSilu, signed.map { $0 * 2 }.map { Swift.abs(Swift.abs($0) - 3) < 0.05 ? $0 + 0.1 : $0 }, 0, 0),
    ]
    for (op, values, a, b) in cases {
      check("\(op)", [s], values: [values]) { _, x in x[0].map(op, alpha: a, beta: b) }
    }
  }

  func testUnaryValues() {
    let g = Graph<Double>()
    let x = g.constant([-2, -0.5, 0.5, 2], shape: Shape(4))
    let gelu = x.gelu().scalars
    let expected = [-2, -0.5, 0.5, 2].map { $0 * 0.5 * (1 + erf($0 / 2.0.squareRoot())) }
    for (u, v) in zip(gelu, expected) { XCTAssertEqual(u, v, accuracy: 1e-14) }
    XCTAssertEqual(x.map(.softClampAtan, alpha: 1.9).scalars[3], 2 * 1.9 / Double.pi * atan(2 / 1.9), accuracy: 1e-14)
    for (u, v) in zip(x.map(.hardSilu).scalars, [-2 * 1.0 / 6, -0.5 * 2.5 / 6, 0.5 * 3.5 / 6, 2 * 5.0 / 6]) {
      XCTAssertEqual(u, v, accuracy: 1e-15)
    }
  }

  func testReductions() {
    let s = Shape(2, 3, 4)
    check("sum", [s]) { _, x in x[0].sum() }
    check("mean", [s]) { _, x in x[0].mean() }
    for axis in 0..<3 {
      check("sum axis \(axis)", [s]) { _, x in x[0].sum(axis: axis) }
      check("mean axis \(axis) keep", [s]) { _, x in x[0].mean(axis: axis, keepingDimension: true) }
      check("max axis \(axis)", [s]) { _, x in x[0].max(axis: axis) }
    }
    check("sum axis −1 of 2-D", [Shape(5, 3)]) { _, x in x[0].sum(axis: -1) }
    check("logsumexp", [Shape(4, 5)]) { _, x in x[0].logSumExp() }
    check("logsumexp keep, large values", [Shape(3, 2)], values: [[800, 801, -3, 4, 1000, 1000.5]]) { _, x in
      x[0].logSumExp(keepingDimension: true)
    }
  }

  func testReductionValues() {
    let g = Graph<Double>()
    let x = g.constant([1, 2, 3, 4, 5, 6], shape: Shape(2, 3))
    XCTAssertEqual(x.sum(axis: 0).scalars, [5, 7, 9])
    XCTAssertEqual(x.sum(axis: 1).scalars, [6, 15])
    XCTAssertEqual(x.sum(axis: 1, keepingDimension: true).shape, Shape(2, 1))
    XCTAssertEqual(x.max(axis: 0).scalars, [4, 5, 6])
    XCTAssertEqual(x.logSumExp().scalars[0], log(exp(1) + exp(2) + exp(3)), accuracy: 1e-14)
    let big = g.constant([1000, 1000], shape: Shape(1, 2))
    XCTAssertEqual(big.logSumExp().item, 1000 + log(2), accuracy: 1e-12)
  }

  func testShapeOps() {
    check("concat last", [Shape(3, 2), Shape(3, 4)]) { _, x in concat(x[0], x[1], axis: -1) }
    check("concat first, 3 inputs", [Shape(1, 3), Shape(2, 3), Shape(3, 3)]) { _, x in concat(x, axis: 0) }
    check("concat middle", [Shape(2, 1, 3), Shape(2, 2, 3)]) { _, x in concat(x, axis: 1) }
    check("concat with itself (fan-out)", [Shape(2, 3)]) { _, x in concat(x[0], x[0] * x[0], axis: 1) }
    check("slice last", [Shape(3, 5)]) { _, x in x[0].slice(axis: 1, start: 1, length: 3) }
    check("slice first row", [Shape(3, 5)]) { _, x in x[0].slice(axis: 0, start: 0, length: 1) }
    check("slice middle axis end", [Shape(2, 4, 3)]) { _, x in x[0].slice(axis: 1, start: 3, length: 1) }
    check("split halves", [Shape(4, 5)]) { _, x in
      let parts = x[0].split(axis: 1, sizes: [2, 3])
      return parts[0].sum(axis: 1) * parts[1].sum(axis: 1)
    }
    check("reshape", [Shape(2, 6)]) { _, x in x[0].reshaped(Shape(3, 4)) * x[0].reshaped(Shape(3, 4)) }
    check("transpose", [Shape(3, 5)]) { _, x in x[0].transposed() }
    check("gather columns (permutation)", [Shape(3, 4)]) { _, x in x[0].gatherColumns([2, 0, 3, 1]) }
    check("gather columns (repeats)", [Shape(3, 4)]) { _, x in x[0].gatherColumns([1, 1, 3]) }
    check("gather rows (repeats)", [Shape(4, 2)]) { _, x in x[0].gatherRows([3, 0, 3]) }
    check("gather rows of 3-D", [Shape(3, 2, 2)]) { _, x in x[0].gatherRows([2, 1]) }
  }

  func testShapeOpValues() {
    let g = Graph<Double>()
    let a = g.constant([1, 2, 3, 4, 5, 6], shape: Shape(2, 3))
    XCTAssertEqual(a.transposed().scalars, [1, 4, 2, 5, 3, 6])
    XCTAssertEqual(a.slice(axis: 1, start: 1, length: 2).scalars, [2, 3, 5, 6])
    XCTAssertEqual(concat(a, a.slice(axis: 1, start: 0, length: 1), axis: 1).scalars, [1, 2, 3, 1, 4, 5, 6, 4])
    XCTAssertEqual(a.gatherColumns([2, 0, 1]).scalars, [3, 1, 2, 6, 4, 5])
    XCTAssertEqual(a.gatherRows([1, 1]).scalars, [4, 5, 6, 4, 5, 6])
  }

  /// The fused dense node, for every activation, with and without dropout (the mask is drawn
  /// again in the backward pass from the saved stream state).
  func testFusedDense() {
    let ops: [UnaryOp?] = [nil, .relu, .elu, .leakyRelu, .silu, .hardSilu, .gelu, .mish, .tanh, .sigmoid, .softplus]
    for op in ops {
      for p in [0.0, 0.3] {
        check("dense \(op.map { "\($0)" } ?? "linear") dropout \(p)", [Shape(6, 3), Shape(3, 5), Shape(5)], training: true) { _, x in
          dense(x[0], weight: x[1], bias: x[2], activation: op, alpha: op == .elu ? 1 : 0.01, dropout: p)
        }
      }
    }
    check("dense, 3-D input, no bias", [Shape(2, 3, 4), Shape(4, 2)], training: true) { _, x in
      dense(x[0], weight: x[1], bias: nil, activation: .silu, dropout: 0.2)
    }
    // Same values as the unfused ops.
    let g = Graph<Double>()
    let x = g.constant(randomValues(12, seed: 3), shape: Shape(4, 3))
    let w = g.constant(randomValues(6, seed: 4), shape: Shape(3, 2))
    let b = g.constant([0.1, -0.2], shape: Shape(2))
    let fused = dense(x, weight: w, bias: b, activation: .gelu).scalars
    let plain = linear(x, weight: w, bias: b).gelu().scalars
    for (u, v) in zip(fused, plain) { XCTAssertEqual(u, v, accuracy: 1e-15) }
  }

  func testDropout() {
    check("dropout (training)", [Shape(6, 5)], training: true) { _, x in x[0].dropout(rate: 0.3) * x[0] }
    let g = Graph<Double>(training: false)
    let x = g.constant([1, 2, 3], shape: Shape(3))
    XCTAssertEqual(x.dropout(rate: 0.5).id, x.id, "inference mode: identity")
    // Training: a fraction ≈ p is zeroed, kept values are scaled by 1/(1−p).
    let t = Graph<Double>(training: true, rng: RandomStream(seed: 5))
    let n = 100_000, p = 0.3
    let y = t.filled(1, shape: Shape(n)).dropout(rate: p).scalars
    let zeros = y.filter { $0 == 0 }.count
    XCTAssertLessThan(abs(Double(zeros) - p * Double(n)), 5 * (p * (1 - p) * Double(n)).squareRoot())
    XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 1 / (1 - p)) < 1e-12 })
  }

  func testCompositeFanOut() {
    check("x used many times", [Shape(3, 3), Shape(3, 3)]) { _, x in
      let h = matmul(x[0], x[1]).tanh()
      return (h * x[0] + h.exp() / (x[1].squared() + 1)).logSumExp().sum()
    }
  }

  func testParameterGradientsAndAccumulation() {
    var rng = RandomStream(seed: 3)
    let w = Parameter<Double>(shape: Shape(3, 2))
    Initializer.glorotUniform.initialize(w, fanIn: 3, fanOut: 2, rng: &rng)
    let r = checkGradients(inputs: [(Shape(4, 3), randomValues(12, seed: 9))], parameters: [("w", w)]) { g, x in
      let wt = g.parameter(w)
      return matmul(x[0], wt).silu() + matmul(x[0], g.parameter(w))  // same parameter twice
    }
    XCTAssertLessThan(r.maxRelativeError, tolerance, "\(r)")
    // Two graphs accumulate into Parameter.grad.
    w.zeroGrad()
    for _ in 0..<2 {
      let g = Graph<Double>()
      let loss = g.parameter(w).sum()
      g.backward(from: loss)
      g.accumulateParameterGradients()
    }
    XCTAssertEqual(w.grad[0], 2)
  }

  func testGradientCheckerCatchesAWrongGradient() {
    // A custom op whose backward is deliberately wrong must fail the check.
    final class WrongSquare: CustomBackward {
      func backward(_ graph: Graph<Double>, node id: Int) {
        let i = graph.input(0, of: id)
        let g = graph.gradientBuffer(id), gx = graph.gradientBuffer(i), x = graph.value(of: i)
        for k in 0..<graph.shape(of: id).count { gx[k] += g[k] * 2.1 * x[k] }
      }
    }
    let op = WrongSquare()
    let r = checkGradients(inputs: [(Shape(3), [0.5, 1, 2])]) { g, x in
      let y = g.record(op, shape: x[0].shape, inputs: x[0])
      for k in 0..<3 { y.pointer[k] = x[0].pointer[k] * x[0].pointer[k] }
      return y
    }
    XCTAssertGreaterThan(r.maxRelativeError, 0.01)
  }
}
