import Foundation
import Networks
import Tensors

/// One measured benchmark case.
public struct BenchmarkResult: Sendable {
  public var name: String
  /// Named figures (e.g. "steps_per_second").
  public var values: [(key: String, value: Double)]
  public var notes: [String] = []

  public init(name: String, values: [(key: String, value: Double)], notes: [String] = []) {
    self.name = name
    self.values = values
    self.notes = notes
  }
}

/// Monotonic seconds.
@inline(__always) public func monotonicSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Training steps of a plain MLP (forward, backward, clipping, Adam) on one thread, and the
/// fraction of the step spent inside gemm.
///
/// MLP in → 128 → 128 → out with SiLU, batch 256, squared-error loss on random data; the
/// graph and its arena are reused, so after warm-up a step allocates nothing.
public enum MLPBenchmark {
  public static func run(steps: Int = 2000, batch: Int = 256, input: Int = 8, widths: [Int] = [128, 128],
                         output: Int = 8) -> BenchmarkResult {
    var rng = RandomStream(seed: 1)
    let mlp = MLP<Float>(input: input, widths: widths, output: output, activation: .silu, rng: &rng)
    let adam = Adam(parameters: mlp.namedParameters)
    let params = mlp.trainableParameters
    let graph = Graph<Float>(training: true)
    graph.accumulatesIntoParameters = true
    let x = (0..<(batch * input)).map { _ in Float(rng.normal()) }
    let y = (0..<(batch * output)).map { _ in Float(rng.normal()) }
    func step() {
      graph.reset()
      let pred = mlp(graph.constant(x, shape: Shape(batch, input)))
      let loss = (pred - graph.constant(y, shape: Shape(batch, output))).squared().mean()
      mlp.zeroGradients()
      graph.backward(from: loss)
      clipGradients(params, maxNorm: 5)
      adam.update(learningRate: 1e-4)
    }
    for _ in 0..<50 { step() }
    GemmTimer.reset()
    GemmTimer.isEnabled = true
    let t0 = monotonicSeconds()
    for _ in 0..<steps { step() }
    let elapsed = monotonicSeconds() - t0
    GemmTimer.isEnabled = false
    var flops = 0.0
    var width = input
    for w in widths + [output] {
      flops += 3 * 2 * Double(batch * width * w)  // forward, and two gemms in backward
      width = w
    }
    return BenchmarkResult(name: "mlp", values: [
      ("steps_per_second", Double(steps) / elapsed),
      ("milliseconds_per_step", 1000 * elapsed / Double(steps)),
      ("gemm_fraction", GemmTimer.seconds / elapsed),
      ("gemm_gflops", flops * Double(steps) / GemmTimer.seconds / 1e9),
      ("gemm_calls_per_step", Double(GemmTimer.calls) / Double(steps)),
    ], notes: ["MLP \(input)→\(widths.map(String.init).joined(separator: "→"))→\(output), SiLU, batch \(batch), one thread"])
  }
}
