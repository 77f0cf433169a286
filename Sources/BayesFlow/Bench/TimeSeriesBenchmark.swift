import Foundation
import Networks
import Tensors

/// Time-series summary network speed.
///
/// `layers`: one training step (forward and backward, batch 64, series length 100, 3 channels)
/// of a TimeSeriesNetwork with 32-filter multi-kernel convolutions and an LSTM(128), and each of
/// its layers timed alone on the same shapes. `anchor`: full training steps (summary network +
/// coupling flow of depth 6, MLP 128-128, Adam) with BayesFlow 2's default TimeSeriesNetwork
/// layers (`TimeSeriesNetworkConfig.bayesFlowDefault`) on series of length 100 with one channel,
/// batch 64: the configuration of the anchors' `sir` case.
public enum TimeSeriesBenchmark {
  static func timeIt(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    let t0 = monotonicSeconds()
    for _ in 0..<repeats { body() }
    return (monotonicSeconds() - t0) / Double(repeats)
  }

  /// Forward + backward of `f` on input [B, T, C] (a sum loss), in milliseconds.
  static func layerMilliseconds(_ shape: Shape, repeats: Int, _ f: (Tensor<Float>) -> Tensor<Float>) -> Double {
    var rng = RandomStream(seed: 3)
    let x = (0..<shape.count).map { _ in Float(rng.normal()) }
    let g = Graph<Float>(training: true)
    return 1000 * timeIt(repeats) {
      g.reset()
      let y = f(g.variable(x, shape: shape))
      g.backward(from: y.sum())
    }
  }

  public static func layers(batch: Int = 64, length: Int = 100, channels: Int = 3, repeats: Int = 20) -> BenchmarkResult {
    var rng = RandomStream(seed: 1)
    let config = TimeSeriesNetworkConfig(filters: 32, kernelSizes: [1, 2, 3, 4, 5, 6, 7], convBlocks: 3, blockChannels: 64,
                                         recurrent: .lstm, units: 128, summaryDim: 32)
    let net = TimeSeriesNetwork<Float>(channels: channels, config: config, rng: &rng)
    var values: [(key: String, value: Double)] = []
    values.append(("step_ms", layerMilliseconds(Shape(batch, length, channels), repeats: repeats) { net($0, lengths: nil) }))
    var width = channels
    for (i, block) in net.blocks.enumerated() {
      values.append(("conv\(i + 1)_ms", layerMilliseconds(Shape(batch, length, width), repeats: repeats) { block($0) }))
      width = block.outputChannels
    }
    values.append(("lstm_ms", layerMilliseconds(Shape(batch, length, width), repeats: repeats) { net.recurrent($0, lengths: nil) }))
    values.append(("dense_ms", layerMilliseconds(Shape(batch, net.recurrent.outputSize), repeats: repeats) { net.output($0) }))
    return BenchmarkResult(name: "timeseries_layers", values: values,
                           notes: ["TimeSeriesNetwork: 3 multi-kernel blocks (kernels 1–7 × 32 filters, 1×1 to 64), LSTM(128), dense 32; "
                                   + "batch \(batch), length \(length), \(channels) channels; forward + backward, one thread"])
  }

  /// Steps per second of full training steps in the anchors' `sir` configuration.
  public static func anchor(threads: Int, shards: Int, steps: Int = 60) throws -> BenchmarkResult {
    var json = try JSONValue.parse(TrainingBenchmark.anchorConfig)
    json = try json.setting("simulator.name", to: .string("exponential_decay"))
    json = try json.setting("simulator.options", to: try JSONValue.parse(#"{"min_length": 100, "max_length": 100}"#))
    json = try json.setting("summary_network", to: try JSONValue.parse("""
      {"type": "time_series", "filters": 32, "kernel_sizes": [3], "conv_blocks": 1, "block_channels": 0, "padding": "same",
       "activation": "mish", "recurrent": "gru", "units": 128, "bidirectional": true, "skip_steps": 4, "dropout": 0.05,
       "summary_dim": 16}
      """))
    json = try json.setting("training.batch_size", to: .number(64))
    json = try json.setting("training.simulation_budget", to: .number(3200))
    json = try json.setting("training.threads", to: .number(Double(threads)))
    json = try json.setting("training.shards", to: .number(Double(shards)))
    let config = try RunConfig(json)
    let trainer = Trainer(config: config, simulator: ExponentialDecayProbe(), directory: "/tmp/bayesflow-bench",
                          progress: ProgressReporter(quiet: true))
    let rate = try trainer.timeSteps(steps: steps, warmup: 5)
    return BenchmarkResult(name: "timeseries_anchor", values: [("steps_per_second", rate), ("threads", Double(threads))],
                           notes: ["BayesFlow 2 default TimeSeriesNetwork layers (conv 32 mish, biGRU 128 + skip GRU, summary 16) + flow depth 6 128-128; batch 64, length 100, 1 channel"])
  }
}

/// A fixed-length single-channel series (length 100) for the time-series benchmark: y_t =
/// exp(−k t/10) + noise, as `exponential_decay` with a fixed length.
struct ExponentialDecayProbe: Simulator {
  let name = "exponential_decay"
  let about = "fixed-length decay series for benchmarks"
  let parameters = [ParameterSpec("k", .interval(lower: 0.1, upper: 2))]
  var observationShape: ObservationShape { .timeSeries(length: 100, channels: 1, variableLength: true) }
  func samplePrior(_ rng: inout RandomStream) -> [Double] { [rng.uniform(0.1, 2)] }
  func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    Observation((0..<100).map { Foundation.exp(-theta[0] * Double($0) / 10) + 0.05 * rng.normal() }, length: 100)
  }
}
