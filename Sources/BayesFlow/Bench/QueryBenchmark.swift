import Foundation
import Tensors

/// Posterior query throughput with the anchors' two-moons model (see `TrainingBenchmark`):
/// draws per second for 1 observation × 10,000 draws and 100 observations × 1,000 draws, and log
/// densities per second for 100,000 (θ, y) pairs, each the median of `repeats` timed runs.
/// The model is trained briefly first (throughput does not depend on how well it is trained).
public enum QueryBenchmark {
  public static func run(simulator: any Simulator, registry: SimulatorRegistry, threads: Int, repeats: Int = 7) throws -> BenchmarkResult {
    let dir = NSTemporaryDirectory() + "bayesflow-bench-query-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var json = try JSONValue.parse(TrainingBenchmark.anchorConfig)
    json = try json.setting("simulator.name", to: .string(simulator.name))
    json = try json.setting("training.simulation_budget", to: .number(5000))
    json = try json.setting("training.validation_simulations", to: .number(0))
    let trainer = Trainer(config: try RunConfig(json), simulator: simulator, directory: dir, progress: ProgressReporter(quiet: true))
    let outcome = try trainer.run(resume: false)
    let posterior = try Posterior(checkpoint: outcome.checkpoint, registry: registry)
    posterior.threads = threads

    let engine = SimulationEngine(simulator: simulator, seed: 77, threads: 1)
    let batch = try engine.simulate(0..<100_000)
    let observations = (0..<batch.count).map { k in
      Observation(batch.observations[(k * batch.observationSize)..<((k + 1) * batch.observationSize)].map(Double.init), length: Int(batch.lengths[k]))
    }
    func median(_ body: () throws -> Void) rethrows -> Double {
      try body()  // warm-up
      var times: [Double] = []
      for _ in 0..<repeats {
        let t0 = monotonicSeconds()
        try body()
        times.append(monotonicSeconds() - t0)
      }
      return times.sorted()[repeats / 2]
    }
    let one = try median { _ = try posterior.sampleFlat([observations[0]], count: 10_000, seed: 1) }
    let many = try median { _ = try posterior.sampleFlat(Array(observations[0..<100]), count: 1_000, seed: 1) }
    let thetas = (0..<batch.count).map { Array(batch.theta($0)) }
    let pairs = median { _ = posterior.logDensity(pairs: thetas, observations: observations) }
    return BenchmarkResult(name: "query_\(simulator.name)", values: [
      ("sample_1x10k_draws_per_second", 10_000 / one),
      ("sample_100x1k_draws_per_second", 100_000 / many),
      ("logprob_pairs_per_second", Double(batch.count) / pairs),
      ("threads", Double(threads)),
    ], notes: ["anchor architecture (depth 6 affine, MLP 128-128 hard_silu); median of \(repeats) runs"])
  }
}

/// Simulations per second of `SimulationEngine` on 1 and 2 threads.
public enum SimulationBenchmark {
  public static func run(simulator: any Simulator, count: Int, threads: Int) throws -> BenchmarkResult {
    let engine = SimulationEngine(simulator: simulator, seed: 1, threads: threads)
    _ = try engine.simulate(0..<min(count, 1000))
    let t0 = monotonicSeconds()
    let batch = try engine.simulate(0..<count)
    let elapsed = monotonicSeconds() - t0
    return BenchmarkResult(name: "simulate_\(simulator.name)", values: [
      ("simulations_per_second", Double(batch.count) / elapsed), ("threads", Double(threads)),
    ])
  }
}
