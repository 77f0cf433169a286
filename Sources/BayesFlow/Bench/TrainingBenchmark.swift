import CBLAS
import Foundation

/// Training speed with the architecture of the BayesFlow speed anchors (docs/benchmarks.md):
/// CouplingFlow depth 6 (12 affine couplings, each an MLP 128-128 with hard SiLU and dropout
/// 0.05, output layer at zero), ActNorm, random permutations; Adam 1e-3, batch 256, 100,000
/// offline pairs. Only optimizer steps are timed (no validation or checkpoints).
public enum TrainingBenchmark {
  public static let anchorConfig: String = """
    {"simulator": {"name": "two_moons"},
     "inference_network": {"type": "coupling_flow", "depth": 6, "transform": "affine",
       "subnet": {"widths": [128, 128], "activation": "hard_silu", "dropout": 0.05},
       "permutation": "random", "actnorm": true},
     "training": {"mode": "offline", "simulation_budget": 100000, "epochs": 1, "batch_size": 256,
       "learning_rate": 0.001, "schedule": "constant", "clip_norm": null, "validation_simulations": 0, "seed": 1},
     "output": "/tmp/bayesflow-bench"}
    """

  /// Steps per second for `simulator` (two_moons or gaussian_linear) with `threads` threads and
  /// `shards` batch shards of our own, and `blasThreads` OpenBLAS threads inside each gemm
  /// (restored to 1 afterwards — the CLI's setting).
  public static func run(simulator: any Simulator, threads: Int, shards: Int, blasThreads: Int = 1, steps: Int = 1000) throws -> BenchmarkResult {
    bf_blas_set_threads(Int32(blasThreads))
    defer { bf_blas_set_threads(1) }
    var json = try JSONValue.parse(anchorConfig)
    json = try json.setting("simulator.name", to: .string(simulator.name))
    json = try json.setting("training.threads", to: .number(Double(threads)))
    json = try json.setting("training.shards", to: .number(Double(shards)))
    let config = try RunConfig(json)
    let trainer = Trainer(config: config, simulator: simulator, directory: "/tmp/bayesflow-bench", progress: ProgressReporter(quiet: true))
    let rate = try trainer.timeSteps(steps: steps, warmup: 50)
    return BenchmarkResult(name: "train_\(simulator.name)", values: [("steps_per_second", rate), ("threads", Double(threads)), ("shards", Double(shards)), ("blas_threads", Double(blasThreads))],
                           notes: ["anchor architecture: depth 6 affine, MLP 128-128 hard_silu, dropout 0.05, batch 256, offline 100k"])
  }
}
