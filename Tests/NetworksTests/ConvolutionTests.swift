import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

/// Conv1D and the multi-kernel block: values against a direct (loop) convolution, gradient
/// checks in Double for every padding, stride and dilation, and masking of padded steps.
final class ConvolutionTests: XCTestCase {
  let tolerance = 1e-6

  /// y[b, τ, f] = act(Σⱼ Σ_c x[b, τ·s − p_b + j·d, c]·W[j, c, f] + bias[f]) with x = 0 outside
  /// 0 ..< L_b and y = 0 for τ ≥ T_out(L_b), written as plain loops.
  func directConvolution(_ x: [Double], batch: Int, time: Int, channels: Int, weight: [Double], bias: [Double],
                         kernel k: Int, filters: Int, stride s: Int, dilation d: Int, padding: Padding,
                         lengths: [Int]?, activation: (Double) -> Double) -> [Double] {
    let outTime = padding.outputLength(time, kernel: k, stride: s, dilation: d)
    var y = [Double](repeating: 0, count: batch * outTime * filters)
    for b in 0..<batch {
      let length = lengths?[b] ?? time
      let p = padding.leftPadding(length, kernel: k, stride: s, dilation: d)
      for tau in 0..<padding.outputLength(length, kernel: k, stride: s, dilation: d) {
        for f in 0..<filters {
          var acc = bias[f]
          for j in 0..<k {
            let t = tau * s - p + j * d
            guard t >= 0 && t < length else { continue }
            for c in 0..<channels { acc += x[(b * time + t) * channels + c] * weight[(j * channels + c) * filters + f] }
          }
          y[(b * outTime + tau) * filters + f] = activation(acc)
        }
      }
    }
    return y
  }

  func testConv1DMatchesDirectConvolution() {
    let batch = 2, time = 11, channels = 3, filters = 4
    let x = randomValues(batch * time * channels, seed: 1)
    for padding in Padding.allCases {
      for (k, s, d) in [(1, 1, 1), (3, 1, 1), (4, 1, 1), (3, 2, 1), (4, 3, 1), (3, 1, 2), (2, 2, 3), (5, 2, 2)] {
        for lengths in [nil, [11, 6]] as [[Int]?] {
          var rng = RandomStream(seed: 3)
          let conv = Conv1D<Double>(channels: channels, filters: filters, kernelSize: k, stride: s, dilation: d,
                                    padding: padding, activation: .tanh, rng: &rng)
          for i in 0..<filters { conv.bias.value[i] = 0.1 * Double(i) }
          let g = Graph<Double>()
          let lens = lengths?.map(Int32.init)
          let y = lens.map { l in l.withUnsafeBufferPointer { conv(g.constant(x, shape: Shape(batch, time, channels)), lengths: $0) } }
            ?? conv(g.constant(x, shape: Shape(batch, time, channels)))
          let expected = directConvolution(x, batch: batch, time: time, channels: channels, weight: conv.weight.values,
                                           bias: conv.bias.values, kernel: k, filters: filters, stride: s, dilation: d,
                                           padding: padding, lengths: lengths, activation: Foundation.tanh)
          let label = "\(padding) k=\(k) s=\(s) d=\(d) lengths=\(String(describing: lengths))"
          XCTAssertEqual(y.shape, Shape(batch, padding.outputLength(time, kernel: k, stride: s, dilation: d), filters), label)
          XCTAssertEqual(y.scalars.count, expected.count, label)
          for (u, v) in zip(y.scalars, expected) { XCTAssertEqual(u, v, accuracy: 1e-12, label) }
        }
      }
    }
  }

  func testKnownValues() {
    // Causal, kernel 2, one channel, W = [1, 10] (tap t−1 weighs 1, tap t weighs 10):
    // y_t = x_{t−1} + 10·x_t.
    var rng = RandomStream(seed: 1)
    let conv = Conv1D<Double>(channels: 1, filters: 1, kernelSize: 2, padding: .causal, rng: &rng)
    conv.weight.assign([1, 10])
    let g = Graph<Double>()
    XCTAssertEqual(conv(g.constant([1, 2, 3], shape: Shape(1, 3, 1))).scalars, [10, 21, 32])
    // Same: kernel 3 centred; valid: kernel 3 drops two steps.
    let same = Conv1D<Double>(channels: 1, filters: 1, kernelSize: 3, padding: .same, rng: &rng)
    same.weight.assign([1, 10, 100])
    XCTAssertEqual(same(g.constant([1, 2, 3], shape: Shape(1, 3, 1))).scalars, [210, 321, 32])
    let valid = Conv1D<Double>(channels: 1, filters: 1, kernelSize: 3, padding: .valid, rng: &rng)
    valid.weight.assign([1, 10, 100])
    XCTAssertEqual(valid(g.constant([1, 2, 3, 4], shape: Shape(1, 4, 1))).scalars, [321, 432])
  }

  func testConv1DGradients() {
    let batch = 2, time = 9, channels = 2, filters = 3
    let x = randomValues(batch * time * channels, seed: 7)
    for padding in Padding.allCases {
      for (k, s, d) in [(1, 1, 1), (3, 1, 1), (4, 1, 1), (3, 2, 1), (2, 3, 1), (3, 1, 2), (3, 2, 2)] {
        for lengths in [nil, [9, 5]] as [[Int32]?] {
          var rng = RandomStream(seed: 5)
          let conv = Conv1D<Double>(channels: channels, filters: filters, kernelSize: k, stride: s, dilation: d,
                                    padding: padding, activation: .silu, rng: &rng)
          for i in 0..<filters { conv.bias.value[i] = 0.2 * Double(i) - 0.1 }
          let r = checkGradients(inputs: [(Shape(batch, time, channels), x)], parameters: conv.namedParameters) { _, v in
            lengths.map { l in l.withUnsafeBufferPointer { conv(v[0], lengths: $0) } } ?? conv(v[0])
          }
          XCTAssertLessThan(r.maxRelativeError, tolerance, "\(padding) k=\(k) s=\(s) d=\(d) lengths=\(String(describing: lengths)): \(r)")
          XCTAssertGreaterThan(r.checked, batch * time * channels)
        }
      }
    }
  }

  func testMultiKernelBlockMatchesSeparateConvolutions() {
    // The fused block equals separate Conv1D layers with the same weights, concatenated,
    // then the 1×1 projection; for shared (d = 1) and unshared (same, d = 2) im2col layouts.
    let batch = 2, time = 10, channels = 3
    let x = randomValues(batch * time * channels, seed: 9)
    for (padding, dilation) in [(Padding.causal, 1), (.same, 1), (.same, 2), (.causal, 3)] {
      var rng = RandomStream(seed: 2)
      let block = MultiKernelConv1D<Double>(channels: channels, filters: 2, kernelSizes: [1, 2, 3, 4, 5], padding: padding,
                                            dilation: dilation, activation: .tanh, projection: 3, rng: &rng)
      for (i, b) in block.biases.enumerated() { b.assign([0.1 * Double(i), -0.05]) }
      let g = Graph<Double>()
      let lengths: [Int32] = [10, 7]
      let y = lengths.withUnsafeBufferPointer { block(g.constant(x, shape: Shape(batch, time, channels)), lengths: $0) }
      let xt = g.constant(x, shape: Shape(batch, time, channels))
      var parts: [Tensor<Double>] = []
      for (k, (w, b)) in zip(block.kernelSizes, zip(block.weights, block.biases)) {
        let conv = Conv1D<Double>(channels: channels, filters: 2, kernelSize: k, dilation: dilation, padding: padding,
                                  activation: .tanh, rng: &rng)
        conv.weight.assign(w.values)
        conv.bias.assign(b.values)
        parts.append(lengths.withUnsafeBufferPointer { conv(xt, lengths: $0) })
      }
      let reference = lengths.withUnsafeBufferPointer { block.projection!(concat(parts, axis: 2), lengths: $0) }
      XCTAssertEqual(y.shape, Shape(batch, time, 3))
      for (u, v) in zip(y.scalars, reference.scalars) { XCTAssertEqual(u, v, accuracy: 1e-12, "\(padding) d=\(dilation)") }
    }
  }

  func testMultiKernelBlockGradients() {
    let batch = 2, time = 8, channels = 2
    let x = randomValues(batch * time * channels, seed: 11)
    for (padding, dilation) in [(Padding.causal, 1), (.same, 1), (.same, 2)] {
      for lengths in [nil, [8, 3]] as [[Int32]?] {
        var rng = RandomStream(seed: 4)
        let block = MultiKernelConv1D<Double>(channels: channels, filters: 2, kernelSizes: [1, 2, 3, 4], padding: padding,
                                              dilation: dilation, activation: .elu, projection: 3, rng: &rng)
        let r = checkGradients(inputs: [(Shape(batch, time, channels), x)], parameters: block.namedParameters) { _, v in
          lengths.map { l in l.withUnsafeBufferPointer { block(v[0], lengths: $0) } } ?? block(v[0])
        }
        XCTAssertLessThan(r.maxRelativeError, tolerance, "\(padding) d=\(dilation) lengths=\(String(describing: lengths)): \(r)")
      }
    }
  }

  func testParameterKeys() {
    var rng = RandomStream(seed: 1)
    let block = MultiKernelConv1D<Float>(channels: 3, filters: 4, kernelSizes: [2, 3], projection: 5, rng: &rng)
    XCTAssertEqual(block.namedParameters.map(\.name),
                   ["branch2.weight", "branch2.bias", "branch3.weight", "branch3.bias", "projection.weight", "projection.bias"])
    XCTAssertEqual(block.weights[1].shape, Shape(3, 3, 4))
    XCTAssertEqual(block.projection!.weight.shape, Shape(1, 8, 5))
  }

  func testPaddedStepsDoNotChangeOutputsOfAStack() {
    // A same-padded stack over a padded series equals the stack over the unpadded series, and
    // padded inputs get zero gradient: outputs beyond each length are masked to zero.
    var rng = RandomStream(seed: 6)
    let c1 = MultiKernelConv1D<Double>(channels: 2, filters: 3, kernelSizes: [1, 3, 5], padding: .same,
                                       activation: .softplus, projection: 4, rng: &rng)
    let c2 = Conv1D<Double>(channels: 4, filters: 2, kernelSize: 3, stride: 2, padding: .same, activation: .sigmoid, rng: &rng)
    let length = 7, padded = 12
    let x = randomValues(length * 2, seed: 3)
    let garbage = randomValues((padded - length) * 2, seed: 4, scale: 5)
    func run(_ values: [Double], time: Int, lengths: [Int32]?) -> (y: [Double], dx: [Double]) {
      let g = Graph<Double>()
      let xt = g.variable(values, shape: Shape(1, time, 2))
      let y: Tensor<Double>
      if let lengths {
        y = lengths.withUnsafeBufferPointer { l in c2(c1(xt, lengths: l), lengths: l) }
      } else {
        y = c2(c1(xt))
      }
      let valid = c2.outputLength(length)
      let out = y.scalars
      g.backward(from: y.slice(axis: 1, start: 0, length: valid).squared().sum())
      return (out, Array(xt.gradient!))
    }
    let a = run(x + garbage, time: padded, lengths: [Int32(length)])
    let b = run(x, time: length, lengths: nil)
    let valid = c2.outputLength(length)
    for (u, v) in zip(a.y[0..<(valid * 2)], b.y) { XCTAssertEqual(u, v, accuracy: 1e-13) }
    XCTAssertTrue(a.y[(valid * 2)...].allSatisfy { $0 == 0 }, "outputs beyond the length are zero")
    for (u, v) in zip(a.dx[0..<(length * 2)], b.dx) { XCTAssertEqual(u, v, accuracy: 1e-13) }
    XCTAssertTrue(a.dx[(length * 2)...].allSatisfy { $0 == 0 }, "padded inputs get no gradient")
  }
}
