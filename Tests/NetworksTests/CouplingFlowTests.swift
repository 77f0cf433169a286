import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

/// `CouplingFlow` as a whole: parameter keys, configuration decoding, log-density, sampling and
/// the guarded gradient step.
final class CouplingFlowTests: XCTestCase {
  /// Golden list of the checkpoint keys of a small flow.
  func testParameterKeys() {
    var rng = RandomStream(seed: 1)
    let cfg = CouplingFlowConfiguration(depth: 2, subnet: .init(widths: [4]))
    let flow = CouplingFlow<Float>(dimension: 3, conditionDimension: 2, configuration: cfg, rng: &rng)
    var expected: [String] = []
    for b in 1...2 {
      expected += ["block\(b).actnorm.log_scale", "block\(b).actnorm.bias", "block\(b).actnorm.initialized",
                   "block\(b).permutation.indices"]
      for s in 1...2 {
        expected += ["dense1.weight", "dense1.bias", "output.weight", "output.bias"].map { "block\(b).coupling.subnet\(s).\($0)" }
      }
    }
    XCTAssertEqual(flow.namedParameters.map(\.name), expected)
    XCTAssertEqual(flow.trainable.count, 2 * (2 + 8))
    let rotation = CouplingFlow<Float>(dimension: 3, configuration: CouplingFlowConfiguration(depth: 1, subnet: .init(widths: [4]),
                                                                                               permutation: .orthogonal, actnorm: false), rng: &rng)
    XCTAssertEqual(rotation.namedParameters.map(\.name).prefix(2), ["block1.permutation.weight", "block1.coupling.subnet1.dense1.weight"])
    let bare = CouplingFlow<Float>(dimension: 1, configuration: CouplingFlowConfiguration(depth: 1, transform: .spline, permutation: .none,
                                                                                          actnorm: false), rng: &rng)
    XCTAssertEqual(bare.namedParameters.map(\.name), ["block1.coupling.subnet1.output.bias"])
  }

  /// The config object of DESIGN.md §7 decodes; missing keys take defaults; unknown keys and
  /// bad values are errors that name the key.
  func testConfigurationDecoding() throws {
    let json = """
      {"type": "coupling_flow", "depth": 6, "transform": "affine",
       "subnet": {"widths": [128, 128], "activation": "silu", "dropout": 0.0},
       "permutation": "random", "actnorm": true}
      """
    let cfg = try JSONDecoder().decode(CouplingFlowConfiguration.self, from: Data(json.utf8))
    XCTAssertEqual(cfg, CouplingFlowConfiguration())
    let spline = try JSONDecoder().decode(CouplingFlowConfiguration.self, from: Data("""
      {"transform": "spline", "bins": 8, "bound": 3.5, "permutation": "orthogonal", "clamp": "tanh",
       "clamp_value": 2.5, "subnet": {"widths": [32], "residual": true, "activation": "elu"}}
      """.utf8))
    XCTAssertEqual(spline, CouplingFlowConfiguration(transform: .spline, subnet: .init(widths: [32], activation: .elu, residual: true),
                                                     permutation: .orthogonal, clamp: .tanh, clampValue: 2.5, bins: 8, bound: 3.5))
    XCTAssertEqual(try JSONDecoder().decode(CouplingFlowConfiguration.self, from: JSONEncoder().encode(spline)), spline)
    func message(_ text: String) -> String {
      do {
        _ = try JSONDecoder().decode(CouplingFlowConfiguration.self, from: Data(text.utf8))
        return "no error"
      } catch DecodingError.dataCorrupted(let context) {
        return context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
      } catch {
        return "\(error)"
      }
    }
    XCTAssertTrue(message(#"{"depht": 4}"#).hasPrefix("depht: unknown key"), message(#"{"depht": 4}"#))
    XCTAssertTrue(message(#"{"subnet": {"width": [4]}}"#).hasPrefix("subnet.width: unknown key"))
    XCTAssertEqual(message(#"{"depth": 0}"#), "depth: depth must be ≥ 1, got 0")
    XCTAssertEqual(message(#"{"subnet": {"dropout": 1.5}}"#), "subnet.dropout: dropout must be in [0, 1), got 1.5")
    XCTAssertEqual(message(#"{"type": "flow_matching"}"#), "type: expected \"coupling_flow\", got \"flow_matching\"")
    XCTAssertNotEqual(message(#"{"transform": "cubic"}"#), "no error")
  }

  /// log p(θ|c) = −½‖z‖² − (D/2)·log 2π + log|det J|, and loss = −mean log p − (D/2)·log 2π.
  func testLogProbAndLoss() {
    var rng = RandomStream(seed: 2)
    let flow = CouplingFlow<Double>(dimension: 3, conditionDimension: 2,
                                    configuration: CouplingFlowConfiguration(depth: 2, subnet: .init(widths: [8])), rng: &rng)
    randomize(flow, seed: 3, scale: 0.2)
    let g = Graph<Double>()
    let theta = g.constant(randomValues(15, seed: 4), shape: Shape(5, 3)), c = g.constant(randomValues(10, seed: 5), shape: Shape(5, 2))
    let (z, ld) = flow.forward(theta, condition: c)
    let logProb = flow.logProb(theta, condition: c).scalars
    let constant = 1.5 * Foundation.log(2 * Double.pi)
    for b in 0..<5 {
      let q = (0..<3).map { z.scalars[3 * b + $0] }.reduce(0) { $0 + $1 * $1 }
      XCTAssertEqual(logProb[b], -q / 2 - constant + ld.scalars[b], accuracy: 1e-12)
    }
    XCTAssertEqual(flow.loss(theta, condition: c).item, -logProb.reduce(0, +) / 5 - constant, accuracy: 1e-12)
  }

  /// sample(count:condition:) maps fresh normal draws through the inverse, row m with condition
  /// m; the chunked array version gives the same values.
  func testSamplingRowsAndChunks() {
    var rng = RandomStream(seed: 6)
    let flow = CouplingFlow<Double>(dimension: 2, conditionDimension: 3,
                                    configuration: CouplingFlowConfiguration(depth: 2, transform: .spline, subnet: .init(widths: [8])),
                                    rng: &rng)
    randomize(flow, seed: 7, scale: 0.2)
    let conditions = randomValues(2 * 3, seed: 8)
    let g = Graph<Double>()
    var draw = RandomStream(seed: 9)
    let samples = flow.sample(count: 4, condition: g.constant(conditions, shape: Shape(2, 3)), in: g, rng: &draw)
    XCTAssertEqual(samples.shape, Shape(2, 4, 2))
    // The same z, mapped one condition row at a time.
    var replay = RandomStream(seed: 9)
    let z = (0..<16).map { _ in replay.normal() }
    for m in 0..<2 {
      let c = (0..<4).flatMap { _ in conditions[(3 * m)..<(3 * m + 3)] }
      let expected = evaluate(flow, Array(z[(8 * m)..<(8 * m + 8)]), dimension: 2, condition: c, conditionDimension: 3, inverse: true).z
      for i in 0..<8 { XCTAssertEqual(samples.scalars[8 * m + i], expected[i], accuracy: 1e-12) }
    }
    var chunked = RandomStream(seed: 9)
    let values = flow.sample(count: 4, conditions: conditions, rng: &chunked, rowsPerChunk: 3)
    XCTAssertEqual(values.count, 16)
    for i in 0..<16 { XCTAssertEqual(values[i], samples.scalars[i], accuracy: 1e-12) }
    XCTAssertEqual(chunked, draw)
    // Unconditional: [count, D].
    let plain = CouplingFlow<Float>(dimension: 2, configuration: CouplingFlowConfiguration(depth: 1, subnet: .init(widths: [4])), rng: &rng)
    XCTAssertEqual(plain.sample(count: 7, condition: nil, in: Graph<Float>(), rng: &draw).shape, Shape(7, 2))
  }

  /// A batch with a NaN or ∞ (in θ or in the condition), or with a finite loss but a
  /// non-finite gradient, is rejected by `accumulateGradients` and leaves every weight and every
  /// accumulated gradient exactly as it was, also on the very first batch (ActNorm not yet
  /// initialised). A clean batch is accepted and reports its loss and gradient norm.
  func testNonFiniteBatchNeverReachesTheWeights() {
    for transform in CouplingFlowConfiguration.TransformKind.allCases {
      var rng = RandomStream(seed: 10)
      let flow = CouplingFlow<Float>(dimension: 3, conditionDimension: 2,
                                     configuration: CouplingFlowConfiguration(depth: 3, transform: transform, subnet: .init(widths: [16])),
                                     rng: &rng)
      let adam = Adam(parameters: flow.namedParameters)
      let clean = randomValues(64 * 3, seed: 11).map { Float($0) }, c = randomValues(64 * 2, seed: 12).map { Float($0) }
      func snapshot() -> [[Float]] {
        flow.namedParameters.flatMap { [$0.parameter.values, Array(UnsafeBufferPointer(start: $0.parameter.grad, count: $0.parameter.count))] }
      }
      func step(_ theta: [Float], _ cond: [Float]) -> FlowGradientStep? {
        let g = Graph<Float>(training: true)
        guard let result = flow.accumulateGradients(g.constant(theta, shape: Shape(64, 3)), condition: g.constant(cond, shape: Shape(64, 2)))
        else { return nil }
        adam.update(learningRate: 1e-3)
        return result
      }
      for pass in 0..<2 {  // before and after the ActNorm initialisation
        let before = snapshot()
        for (index, value) in [(5, Float.nan), (100, .infinity), (7, -.infinity)] {
          var theta = clean
          theta[index] = value
          XCTAssertNil(step(theta, c), "\(transform): θ[\(index)] = \(value)")
          var cond = c
          cond[index % c.count] = value
          XCTAssertNil(step(clean, cond), "\(transform): c[\(index % c.count)] = \(value)")
        }
        // A finite batch and loss whose gradient is not: c = √p at p = 0 (a stand-in for a
        // summary network). Checked once ActNorm is initialised (pass 1): on the first finite
        // batch the forward pass initialises ActNorm from the data, before any gradient exists.
        if pass == 1 {
          let summary = Parameter<Float>(shape: Shape(64, 2))
          let g0 = Graph<Float>(training: true)
          XCTAssertNil(flow.accumulateGradients(g0.constant(clean, shape: Shape(64, 3)), condition: g0.parameter(summary).sqrt(),
                                                otherParameters: [summary]))
          XCTAssertEqual(summary.values + Array(UnsafeBufferPointer(start: summary.grad, count: 128)),
                         [Float](repeating: 0, count: 256))
        }
        XCTAssertEqual(snapshot(), before, "\(transform) pass \(pass): a rejected batch changed a weight or gradient")
        let g = Graph<Float>()
        let expectedLoss = flow.loss(g.constant(clean, shape: Shape(64, 3)), condition: g.constant(c, shape: Shape(64, 2))).item
        flow.zeroGradients()
        let result = step(clean, c)
        XCTAssertNotNil(result)
        XCTAssertEqual(Float(result?.loss ?? 0), expectedLoss, accuracy: 1e-5)
        XCTAssertGreaterThan(result?.gradientNorm ?? 0, 0)
      }
    }
  }
}
