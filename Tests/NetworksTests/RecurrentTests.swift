import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

/// LSTM and GRU: values against a plain per-sequence reference, gradient checks in Double
/// (both directions, final states and sequences, with and without masking), and the masking
/// contract (padding changes nothing and receives no gradient).
final class RecurrentTests: XCTestCase {
  let tolerance = 1e-6

  func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }

  /// One direction of an LSTM or GRU over the steps `times` of series b, in plain loops;
  /// returns the state after each listed step.
  func referenceStates(gru: Bool, x: [Double], time: Int, channels c: Int, wx: [Double], wh: [Double], bias: [Double],
                       units h: Int, directions: Int, direction dir: Int, series b: Int, times: [Int]) -> [[Double]] {
    let gates = gru ? 3 : 4, width = directions * gates * h
    var hs = [Double](repeating: 0, count: h), cs = hs
    var out: [[Double]] = []
    for t in times {
      var a = [Double](repeating: 0, count: gates * h), rho = a
      for k in 0..<(gates * h) {
        var v = bias[dir * gates * h + k]
        for i in 0..<c { v += x[(b * time + t) * c + i] * wx[i * width + dir * gates * h + k] }
        a[k] = v
        var r = gru ? bias[width + dir * gates * h + k] : 0
        for i in 0..<h { r += hs[i] * wh[(dir * h + i) * gates * h + k] }
        rho[k] = r
      }
      var next = hs
      for u in 0..<h {
        if gru {
          let z = sigmoid(a[u] + rho[u]), r = sigmoid(a[h + u] + rho[h + u])
          let n = Foundation.tanh(a[2 * h + u] + r * rho[2 * h + u])
          next[u] = z * hs[u] + (1 - z) * n
        } else {
          let i = sigmoid(a[u] + rho[u]), f = sigmoid(a[h + u] + rho[h + u])
          let g = Foundation.tanh(a[2 * h + u] + rho[2 * h + u]), o = sigmoid(a[3 * h + u] + rho[3 * h + u])
          cs[u] = f * cs[u] + i * g
          next[u] = o * Foundation.tanh(cs[u])
        }
      }
      hs = next
      out.append(hs)
    }
    return out
  }

  func makeLayer(gru: Bool, input: Int, units: Int, bidirectional: Bool, seed: UInt64)
    -> (call: (Tensor<Double>, UnsafeBufferPointer<Int32>?, Bool) -> Tensor<Double>,
        parameters: [(name: String, parameter: Parameter<Double>)]) {
    var rng = RandomStream(seed: seed)
    if gru {
      let layer = GRU<Double>(input: input, units: units, bidirectional: bidirectional, rng: &rng)
      // Non-zero biases, so that the bias paths are exercised.
      for i in 0..<layer.bias.count { layer.bias.value[i] = 0.3 * Foundation.sin(Double(i)) }
      return ({ x, l, seq in seq ? layer.sequence(x, lengths: l) : layer(x, lengths: l) }, layer.namedParameters)
    }
    let layer = LSTM<Double>(input: input, units: units, bidirectional: bidirectional, rng: &rng)
    for i in 0..<layer.bias.count { layer.bias.value[i] += 0.3 * Foundation.sin(Double(i)) }
    return ({ x, l, seq in seq ? layer.sequence(x, lengths: l) : layer(x, lengths: l) }, layer.namedParameters)
  }

  func testValuesMatchReference() {
    let batch = 4, time = 6, c = 2, h = 3
    let x = randomValues(batch * time * c, seed: 1)
    for gru in [false, true] {
      for bidirectional in [false, true] {
        for lengths in [nil, [6, 3, 0, 1]] as [[Int32]?] {
          let layer = makeLayer(gru: gru, input: c, units: h, bidirectional: bidirectional, seed: 2)
          let p = Dictionary(uniqueKeysWithValues: layer.parameters.map { ($0.name, $0.parameter.values) })
          let g = Graph<Double>()
          let xt = g.constant(x, shape: Shape(batch, time, c))
          let (final, seq) = lengths.map { l in l.withUnsafeBufferPointer { (layer.call(xt, $0, false), layer.call(xt, $0, true)) } }
            ?? (layer.call(xt, nil, false), layer.call(xt, nil, true))
          let d = bidirectional ? 2 : 1
          XCTAssertEqual(final.shape, Shape(batch, d * h))
          XCTAssertEqual(seq.shape, Shape(batch, time, d * h))
          var expectedFinal = [Double](repeating: 0, count: batch * d * h)
          var expectedSeq = [Double](repeating: 0, count: batch * time * d * h)
          for b in 0..<batch {
            let l = lengths.map { Int($0[b]) } ?? time
            for dir in 0..<d {
              let times = dir == 0 ? Array(0..<l) : Array((0..<l).reversed())
              let states = referenceStates(gru: gru, x: x, time: time, channels: c, wx: p["w_input"]!, wh: p["w_hidden"]!,
                                           bias: p["bias"]!, units: h, directions: d, direction: dir, series: b, times: times)
              for (t, s) in zip(times, states) {
                for u in 0..<h { expectedSeq[(b * time + t) * d * h + dir * h + u] = s[u] }
              }
              if let last = states.last { for u in 0..<h { expectedFinal[b * d * h + dir * h + u] = last[u] } }
            }
          }
          let label = "\(gru ? "GRU" : "LSTM") bidirectional=\(bidirectional) lengths=\(String(describing: lengths))"
          for (u, v) in zip(final.scalars, expectedFinal) { XCTAssertEqual(u, v, accuracy: 1e-12, label) }
          for (u, v) in zip(seq.scalars, expectedSeq) { XCTAssertEqual(u, v, accuracy: 1e-12, label) }
        }
      }
    }
  }

  func testGradients() {
    let batch = 3, time = 5, c = 2, h = 3
    let x = randomValues(batch * time * c, seed: 4)
    for gru in [false, true] {
      for bidirectional in [false, true] {
        for sequence in [false, true] {
          for lengths in [nil, [3, 5, 1]] as [[Int32]?] {
            let layer = makeLayer(gru: gru, input: c, units: h, bidirectional: bidirectional, seed: 6)
            let r = checkGradients(inputs: [(Shape(batch, time, c), x)], parameters: layer.parameters) { _, v in
              lengths.map { l in l.withUnsafeBufferPointer { layer.call(v[0], $0, sequence) } } ?? layer.call(v[0], nil, sequence)
            }
            let label = "\(gru ? "GRU" : "LSTM") bidirectional=\(bidirectional) sequence=\(sequence) lengths=\(String(describing: lengths))"
            XCTAssertLessThan(r.maxRelativeError, tolerance, "\(label): \(r)")
            XCTAssertEqual(r.checked, x.count + layer.parameters.reduce(0) { $0 + $1.parameter.count }, label)
          }
        }
      }
    }
  }

  /// A series padded with garbage inside a batch gives the same output and the same parameter
  /// gradients as the series alone (batch of one, shorter T); padded inputs get zero gradient.
  func testPaddingChangesNothing() {
    let c = 2, h = 4, length = 5, padded = 9
    let x = randomValues(length * c, seed: 8)
    let garbage = randomValues((padded - length) * c, seed: 9, scale: 10)
    for gru in [false, true] {
      for bidirectional in [false, true] {
        let layer = makeLayer(gru: gru, input: c, units: h, bidirectional: bidirectional, seed: 10)
        func run(_ values: [Double], time: Int, lengths: [Int32]?) -> (y: [Double], grads: [[Double]], dx: [Double]) {
          let g = Graph<Double>()
          let xt = g.variable(values, shape: Shape(1, time, c))
          let y = lengths.map { l in l.withUnsafeBufferPointer { layer.call(xt, $0, false) } } ?? layer.call(xt, nil, false)
          g.backward(from: (y * y).sum())
          let grads = layer.parameters.map { Array(UnsafeBufferPointer(start: g.gradient(of: $0.parameter)!, count: $0.parameter.count)) }
          return (y.scalars, grads, Array(xt.gradient!))
        }
        let a = run(x + garbage, time: padded, lengths: [Int32(length)])
        let b = run(x, time: length, lengths: nil)
        let label = "\(gru ? "GRU" : "LSTM") bidirectional=\(bidirectional)"
        for (u, v) in zip(a.y, b.y) { XCTAssertEqual(u, v, accuracy: 1e-14, label) }
        for (ga, gb) in zip(a.grads, b.grads) {
          for (u, v) in zip(ga, gb) { XCTAssertEqual(u, v, accuracy: 1e-13, label) }
        }
        for (u, v) in zip(a.dx, b.dx) { XCTAssertEqual(u, v, accuracy: 1e-13, label) }
        XCTAssertTrue(a.dx[(length * c)...].allSatisfy { $0 == 0 }, "\(label): padded steps get zero gradient")
      }
    }
  }

  func testParameterKeysAndShapes() {
    var rng = RandomStream(seed: 1)
    let lstm = LSTM<Float>(input: 5, units: 8, bidirectional: true, rng: &rng)
    XCTAssertEqual(lstm.namedParameters.map(\.name), ["w_input", "w_hidden", "bias"])
    XCTAssertEqual(lstm.namedParameters.map(\.parameter.shape), [Shape(5, 64), Shape(2, 8, 32), Shape(64)])
    // Forget-gate bias 1 in both directions, other gates 0.
    XCTAssertEqual(Array(lstm.bias.values[0..<8]), [Float](repeating: 0, count: 8))
    XCTAssertEqual(Array(lstm.bias.values[8..<16]), [Float](repeating: 1, count: 8))
    XCTAssertEqual(Array(lstm.bias.values[40..<48]), [Float](repeating: 1, count: 8))
    let gru = GRU<Float>(input: 5, units: 8, rng: &rng)
    XCTAssertEqual(gru.namedParameters.map(\.parameter.shape), [Shape(5, 24), Shape(1, 8, 24), Shape(2, 24)])
  }

  func testFloatMatchesDouble() {
    // The Float path (fast exp/tanh kernels) agrees with Double to Float accuracy.
    let batch = 5, time = 30, c = 3, h = 16
    let x = randomValues(batch * time * c, seed: 12)
    let lengths: [Int32] = [30, 12, 30, 1, 25]
    for gru in [false, true] {
      var r1 = RandomStream(seed: 3), r2 = RandomStream(seed: 3)
      let (yd, yf): ([Double], [Float])
      if gru {
        let ld = GRU<Double>(input: c, units: h, bidirectional: true, rng: &r1)
        let lf = GRU<Float>(input: c, units: h, bidirectional: true, rng: &r2)
        let gd = Graph<Double>(), gf = Graph<Float>()
        yd = lengths.withUnsafeBufferPointer { ld(gd.constant(x, shape: Shape(batch, time, c)), lengths: $0).scalars }
        yf = lengths.withUnsafeBufferPointer { lf(gf.constant(x.map(Float.init), shape: Shape(batch, time, c)), lengths: $0).scalars }
      } else {
        let ld = LSTM<Double>(input: c, units: h, bidirectional: true, rng: &r1)
        let lf = LSTM<Float>(input: c, units: h, bidirectional: true, rng: &r2)
        let gd = Graph<Double>(), gf = Graph<Float>()
        yd = lengths.withUnsafeBufferPointer { ld(gd.constant(x, shape: Shape(batch, time, c)), lengths: $0).scalars }
        yf = lengths.withUnsafeBufferPointer { lf(gf.constant(x.map(Float.init), shape: Shape(batch, time, c)), lengths: $0).scalars }
      }
      for (u, v) in zip(yd, yf) { XCTAssertEqual(u, Double(v), accuracy: 1e-5) }
    }
  }
}
