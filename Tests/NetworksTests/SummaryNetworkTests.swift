import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

/// Summary networks: gradient checks (Double), masking and permutation invariance, stream
/// fusion, parameter keys, configuration decoding and the factory.
final class SummaryNetworkTests: XCTestCase {
  let tolerance = 1e-6

  /// Parameter gradients of ⟨v, net(x)⟩ (v fixed), the summaries and x̄.
  func evaluate(_ net: any SummaryNetwork<Double>, _ x: [Double], shape: Shape, lengths: [Int32]?, cotangent v: [Double])
    -> (summary: [Double], grads: [String: [Double]], dx: [Double]) {
    let g = Graph<Double>()
    let xt = g.variable(x, shape: shape)
    let s = lengths.map { net(xt, lengths: $0) } ?? net(xt)
    v.withUnsafeBufferPointer { g.backward(from: s, seed: $0) }
    var grads: [String: [Double]] = [:]
    for (name, p) in net.namedParameters {
      grads[name] = g.gradient(of: p).map { Array(UnsafeBufferPointer(start: $0, count: p.count)) } ?? [Double](repeating: 0, count: p.count)
    }
    return (s.scalars, grads, Array(xt.gradient!))
  }

  func assertClose(_ a: [Double], _ b: [Double], _ accuracy: Double, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, label, file: file, line: line)
    let worst = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, accuracy, label, file: file, line: line)
  }

  static let smallSeries = TimeSeriesNetworkConfig(filters: 2, kernelSizes: [1, 2, 3], convBlocks: 2, blockChannels: 3,
                                                   padding: .same, activation: .tanh, recurrent: .lstm, units: 3,
                                                   bidirectional: true, skipSteps: 2, summaryDim: 2)

  // MARK: Time series

  func testTimeSeriesNetworkGradients() {
    let batch = 3, time = 7, channels = 2
    let x = randomValues(batch * time * channels, seed: 1)
    for recurrent in RecurrentKind.allCases {
      for padding in [Padding.causal, .same] {
        for lengths in [nil, [7, 4, 2]] as [[Int32]?] {
          var config = Self.smallSeries
          config.recurrent = recurrent
          config.padding = padding
          var rng = RandomStream(seed: 2)
          let net = TimeSeriesNetwork<Double>(channels: channels, config: config, rng: &rng)
          let r = checkGradients(inputs: [(Shape(batch, time, channels), x)], parameters: net.namedParameters) { _, v in
            lengths.map { net(v[0], lengths: $0) } ?? net(v[0])
          }
          XCTAssertLessThan(r.maxRelativeError, tolerance, "\(recurrent) \(padding) lengths=\(String(describing: lengths)): \(r)")
        }
      }
    }
  }

  /// A series padded with garbage to T = 13 inside a batch gives the same summary as the series
  /// alone; with a batch of one, the parameter gradients are also the same; padded inputs get
  /// zero gradient. Same padding, a strided skip path and both recurrences are all masked.
  func testTimeSeriesPaddingChangesNothing() {
    let channels = 2, length = 7, padded = 13
    let x = randomValues(length * channels, seed: 3)
    let garbage = randomValues((padded - length) * channels, seed: 4, scale: 10)
    let other = randomValues(padded * channels, seed: 5)
    for recurrent in RecurrentKind.allCases {
      var config = Self.smallSeries
      config.recurrent = recurrent
      var rng = RandomStream(seed: 6)
      let net = TimeSeriesNetwork<Double>(channels: channels, config: config, rng: &rng)
      let v = [0.7, -1.3]
      let alone = evaluate(net, x, shape: Shape(1, length, channels), lengths: nil, cotangent: v)
      let single = evaluate(net, x + garbage, shape: Shape(1, padded, channels), lengths: [Int32(length)], cotangent: v)
      assertClose(single.summary, alone.summary, 1e-13, "\(recurrent): summary")
      for (name, grad) in alone.grads { assertClose(single.grads[name]!, grad, 1e-12, "\(recurrent): ∂/∂\(name)") }
      assertClose(Array(single.dx[0..<(length * channels)]), alone.dx, 1e-12, "\(recurrent): x̄")
      XCTAssertTrue(single.dx[(length * channels)...].allSatisfy { $0 == 0 }, "\(recurrent): padded steps get zero gradient")
      // In a batch with another, full-length series.
      let batch = evaluate(net, other + x + garbage, shape: Shape(2, padded, channels), lengths: [Int32(padded), Int32(length)],
                           cotangent: v + v)
      assertClose(Array(batch.summary[2...]), alone.summary, 1e-13, "\(recurrent): summary in a batch")
    }
  }

  func testTimeSeriesKeysAndDefaults() {
    var rng = RandomStream(seed: 1)
    let net = TimeSeriesNetwork<Float>(channels: 3, rng: &rng)
    let names = net.namedParameters.map(\.name)
    XCTAssertEqual(Array(names.prefix(4)), ["conv1.branch1.weight", "conv1.branch1.bias", "conv1.branch2.weight", "conv1.branch2.bias"])
    XCTAssertTrue(names.contains("conv3.projection.weight"))
    XCTAssertEqual(Array(names.suffix(5)), ["lstm.w_input", "lstm.w_hidden", "lstm.bias", "output.weight", "output.bias"])
    XCTAssertEqual(net.blocks.count, 3)
    XCTAssertEqual(net.blocks[1].inputChannels, 64)
    XCTAssertEqual(net.summaryDim, 32)
    let p = Dictionary(uniqueKeysWithValues: net.namedParameters.map { ($0.name, $0.parameter.shape) })
    XCTAssertEqual(p["conv1.branch7.weight"], Shape(7, 3, 32))
    XCTAssertEqual(p["conv2.projection.weight"], Shape(1, 224, 64))
    XCTAssertEqual(p["lstm.w_hidden"], Shape(1, 128, 512))
    let bf = TimeSeriesNetwork<Float>(channels: 3, config: .bayesFlowDefault, rng: &rng)
    XCTAssertEqual(bf.namedParameters.map(\.name),
                   ["conv1.branch3.weight", "conv1.branch3.bias", "gru.w_input", "gru.w_hidden", "gru.bias",
                    "skip_conv.weight", "skip_conv.bias", "skip_gru.w_input", "skip_gru.w_hidden", "skip_gru.bias",
                    "output.weight", "output.bias"])
    XCTAssertEqual(bf.output.inputSize, 512)
  }

  // MARK: Deep set

  func testDeepSetGradients() {
    let batch = 2, size = 4, dim = 2
    let x = randomValues(batch * size * dim, seed: 7)
    for pooling in Pooling.allCases {
      for lengths in [nil, [4, 2]] as [[Int32]?] {
        var rng = RandomStream(seed: 8)
        let net = DeepSet<Double>(input: dim, widths: [4, 3], depth: 2, pooling: pooling, activation: .tanh, summaryDim: 2, rng: &rng)
        let r = checkGradients(inputs: [(Shape(batch, size, dim), x)], parameters: net.namedParameters) { _, v in
          lengths.map { net(v[0], lengths: $0) } ?? net(v[0])
        }
        XCTAssertLessThan(r.maxRelativeError, tolerance, "\(pooling) lengths=\(String(describing: lengths)): \(r)")
      }
    }
  }

  func testDeepSetIsPermutationInvariant() {
    let batch = 2, size = 6, dim = 3
    let x = randomValues(batch * size * dim, seed: 9)
    // Reverse the first set, rotate the second.
    let perms = [[5, 4, 3, 2, 1, 0], [2, 3, 4, 5, 0, 1]]
    var permuted = x
    for b in 0..<batch {
      for i in 0..<size {
        for d in 0..<dim { permuted[(b * size + i) * dim + d] = x[(b * size + perms[b][i]) * dim + d] }
      }
    }
    for pooling in Pooling.allCases {
      var rng = RandomStream(seed: 10)
      let net = DeepSet<Double>(input: dim, widths: [8, 8], depth: 2, pooling: pooling, summaryDim: 4, rng: &rng)
      let v = randomValues(batch * 4, seed: 11)
      let a = evaluate(net, x, shape: Shape(batch, size, dim), lengths: nil, cotangent: v)
      let b = evaluate(net, permuted, shape: Shape(batch, size, dim), lengths: nil, cotangent: v)
      assertClose(a.summary, b.summary, 1e-13, "\(pooling): summary")
      for (name, grad) in a.grads { assertClose(b.grads[name]!, grad, 1e-12, "\(pooling): ∂/∂\(name)") }
      // x̄ is permuted along with x.
      for bb in 0..<batch {
        for i in 0..<size {
          for d in 0..<dim {
            XCTAssertEqual(b.dx[(bb * size + i) * dim + d], a.dx[(bb * size + perms[bb][i]) * dim + d], accuracy: 1e-12)
          }
        }
      }
    }
  }

  func testDeepSetPaddingChangesNothing() {
    let dim = 2, n = 3, padded = 5
    let x = randomValues(n * dim, seed: 12)
    let garbage = randomValues((padded - n) * dim, seed: 13, scale: 5)
    for pooling in Pooling.allCases {
      var rng = RandomStream(seed: 14)
      let net = DeepSet<Double>(input: dim, widths: [6], depth: 1, pooling: pooling, summaryDim: 3, rng: &rng)
      let v = [1.0, -0.5, 0.25]
      let alone = evaluate(net, x, shape: Shape(1, n, dim), lengths: nil, cotangent: v)
      let masked = evaluate(net, x + garbage, shape: Shape(1, padded, dim), lengths: [Int32(n)], cotangent: v)
      assertClose(masked.summary, alone.summary, 1e-13, "\(pooling): summary")
      for (name, grad) in alone.grads { assertClose(masked.grads[name]!, grad, 1e-12, "\(pooling): ∂/∂\(name)") }
      XCTAssertTrue(masked.dx[(n * dim)...].allSatisfy { $0 == 0 }, "\(pooling): padded elements get zero gradient")
    }
  }

  // MARK: Streams

  func testStreamFusionMatchesSeparateNetworks() throws {
    // OutbreakFlow layout: one small time-series network per channel, summaries concatenated.
    let json = """
    {"type": "streams",
     "network": {"type": "time_series", "filters": 2, "kernel_sizes": [1, 2], "conv_blocks": 1, "block_channels": 2,
                 "activation": "tanh", "units": 3, "summary_dim": 2},
     "streams": {"deceased": {"channels": [2]}, "confirmed": {"channels": [0]},
                 "recovered": {"channels": [1], "network": {"type": "time_series", "conv_blocks": 0, "recurrent": "gru",
                                                             "units": 2, "summary_dim": 1}}}}
    """
    let config = try JSONDecoder().decode(SummaryNetworkConfig.self, from: Data(json.utf8))
    var rng = RandomStream(seed: 15)
    let net: any SummaryNetwork<Double> = try makeSummaryNetwork(config, input: .timeSeries(length: nil, channels: 3), rng: &rng)
    XCTAssertEqual(net.summaryDim, 5)
    let fusion = try XCTUnwrap(net as? StreamFusion<Double>)
    XCTAssertEqual(fusion.streams.map(\.name), ["confirmed", "recovered", "deceased"])
    let names = net.namedParameters.map(\.name)
    XCTAssertTrue(names.contains("stream_confirmed.lstm.w_hidden"))
    XCTAssertTrue(names.contains("stream_recovered.gru.w_input"))
    XCTAssertTrue(names.contains("stream_deceased.conv1.branch2.weight"))

    let batch = 2, time = 6
    let x = randomValues(batch * time * 3, seed: 16)
    let lengths: [Int32] = [6, 4]
    let g = Graph<Double>()
    let xt = g.constant(x, shape: Shape(batch, time, 3))
    let fused = net(xt, lengths: lengths).scalars
    var offset = 0
    for stream in fusion.streams {
      let channel = x.enumerated().filter { $0.offset % 3 == stream.channels[0] }.map(\.element)
      let own = stream.network(g.constant(channel, shape: Shape(batch, time, 1)), lengths: lengths).scalars
      let d = stream.network.summaryDim
      for b in 0..<batch {
        for k in 0..<d { XCTAssertEqual(fused[b * 5 + offset + k], own[b * d + k], accuracy: 1e-14, stream.name) }
      }
      offset += d
    }
    let r = checkGradients(inputs: [(Shape(batch, time, 3), x)], parameters: net.namedParameters) { _, v in net(v[0], lengths: lengths) }
    XCTAssertLessThan(r.maxRelativeError, tolerance, "\(r)")
  }

  func testMLPAndIdentitySummaries() throws {
    var rng = RandomStream(seed: 17)
    let mlp: any SummaryNetwork<Double> = try makeSummaryNetwork(.mlp(MLPSummaryConfig(widths: [5], activation: .tanh, summaryDim: 3)),
                                                                input: .timeSeries(length: 4, channels: 2), rng: &rng)
    XCTAssertEqual(mlp.summaryDim, 3)
    XCTAssertEqual(mlp.namedParameters.map(\.name), ["dense1.weight", "dense1.bias", "output.weight", "output.bias"])
    let r = checkGradients(inputs: [(Shape(3, 4, 2), randomValues(24, seed: 18))], parameters: mlp.namedParameters) { _, v in mlp(v[0]) }
    XCTAssertLessThan(r.maxRelativeError, tolerance, "\(r)")
    let none: any SummaryNetwork<Double> = try makeSummaryNetwork(.none, input: .vector(4), rng: &rng)
    let g = Graph<Double>()
    XCTAssertEqual(none(g.constant([1, 2, 3, 4, 5, 6, 7, 8], shape: Shape(2, 4))).scalars, [1, 2, 3, 4, 5, 6, 7, 8])
    XCTAssertTrue(none.namedParameters.isEmpty)
  }

  // MARK: Configuration

  func testConfigDecodingDefaultsAndRoundTrip() throws {
    let json = """
    {"type": "time_series", "filters": 32, "kernel_sizes": [1,2,3,4,5,6,7], "conv_blocks": 3, "recurrent": "lstm",
     "units": 128, "bidirectional": false, "summary_dim": 32, "activation": "relu"}
    """
    let config = try JSONDecoder().decode(SummaryNetworkConfig.self, from: Data(json.utf8))
    XCTAssertEqual(config, .timeSeries(TimeSeriesNetworkConfig()))
    let bf = try JSONDecoder().decode(SummaryNetworkConfig.self, from: Data("""
      {"type": "time_series", "filters": 32, "kernel_sizes": 3, "conv_blocks": 1, "block_channels": 0, "padding": "same",
       "activation": "mish", "recurrent": "gru", "units": 128, "bidirectional": true, "skip_steps": 4, "dropout": 0.05,
       "summary_dim": 16}
      """.utf8))
    XCTAssertEqual(bf, .timeSeries(.bayesFlowDefault))
    let set = try JSONDecoder().decode(SummaryNetworkConfig.self,
                                       from: Data(#"{"type": "deep_set", "widths": [64,64], "pooling": "mean", "summary_dim": 16}"#.utf8))
    XCTAssertEqual(set, .deepSet(DeepSetConfig()))
    XCTAssertEqual(try JSONDecoder().decode(SummaryNetworkConfig.self, from: Data(#"{"type": "none"}"#.utf8)), .none)
    XCTAssertEqual(try JSONDecoder().decode(SummaryNetworkConfig.self, from: Data(#"{"type": "mlp"}"#.utf8)), .mlp(MLPSummaryConfig()))
    let streams = StreamFusionConfig(streams: [
      .init(name: "confirmed", channels: [0], network: .timeSeries(TimeSeriesNetworkConfig(units: 64))),
      .init(name: "deceased", channels: [1, 2], network: .deepSet(DeepSetConfig(pooling: .attention))),
    ])
    for c in [config, bf, set, .none, .mlp(MLPSummaryConfig(widths: [3])), .streams(streams)] {
      let data = try JSONEncoder().encode(c)
      XCTAssertEqual(try JSONDecoder().decode(SummaryNetworkConfig.self, from: data), c, String(decoding: data, as: UTF8.self))
    }
  }

  func testConfigErrorsNameTheirPath() {
    func decodingError(_ json: String) -> String {
      do {
        _ = try JSONDecoder().decode(SummaryNetworkConfig.self, from: Data(json.utf8))
        return "no error"
      } catch let DecodingError.dataCorrupted(context) {
        return context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
      } catch {
        return "\(error)"
      }
    }
    XCTAssertTrue(decodingError(#"{"type": "time_series", "unit": 64}"#).hasPrefix("unit: unknown key \"unit\""))
    XCTAssertTrue(decodingError(#"{"type": "lstm"}"#).hasPrefix("type: unknown summary network type \"lstm\""))
    XCTAssertTrue(decodingError(#"{"type": "streams", "streams": {"a": {"channels": [0], "net": {}}}}"#).hasPrefix("streams.a.net: unknown key"))
    var rng = RandomStream(seed: 1)
    func factoryError(_ config: SummaryNetworkConfig, _ input: SummaryInput) -> String {
      do {
        let _: any SummaryNetwork<Float> = try makeSummaryNetwork(config, input: input, rng: &rng)
        return "no error"
      } catch {
        return "\(error)"
      }
    }
    XCTAssertEqual(factoryError(.timeSeries(TimeSeriesNetworkConfig(kernelSizes: [2, 3], padding: .valid)), .timeSeries(length: nil, channels: 1)),
                   "summary_network.padding: valid padding needs a single kernel size (parallel convolutions must keep equal lengths); use same or causal")
    XCTAssertEqual(factoryError(.deepSet(DeepSetConfig()), .timeSeries(length: 10, channels: 2)),
                   "summary_network.type: \"deep_set\" needs set observations, got a time series [10, 2]")
    XCTAssertEqual(factoryError(.none, .timeSeries(length: nil, channels: 2)),
                   "summary_network.type: \"none\" needs observations of fixed size, got a time series [T, 2] of varying size")
    XCTAssertEqual(factoryError(.timeSeries(TimeSeriesNetworkConfig(units: 0)), .timeSeries(length: nil, channels: 2)),
                   "summary_network.units: units must be positive, got 0")
    let overlap = StreamFusionConfig(streams: [.init(name: "a", channels: [0], network: .none), .init(name: "b", channels: [0, 5], network: .none)])
    XCTAssertEqual(factoryError(.streams(overlap), .timeSeries(length: 4, channels: 2)),
                   "summary_network.streams.b.channels: channel 0 is used by more than one stream")
  }
}
