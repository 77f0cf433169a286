import BayesFlow
import Foundation
import ODE
import Simulators
import Tensors
import XCTest

/// Speed and accuracy measurements of the `secird` simulator, for docs/secird-simulator.md.
/// Skipped unless SECIRD_BENCH=1 (timing belongs to benchmarks, not to the test suite):
///
///     SECIRD_BENCH=1 swift test -c release --skip-build --filter SECIRDBenchmarkTests
///
/// Optional: SECIRD_BENCH_COUNT (simulations per timing, default 2000), SECIRD_BENCH_REPEATS
/// (default 3), SECIRD_BENCH_SETTINGS (comma-separated labels, default all). SECIRD_THETA_FILE = a text file of θ rows (34 numbers each, `SECIRD`
/// order) and SECIRD_MEANS_FILE = where to write the noise-free means [81 × 3] of each row
/// under the standard integration, one row per line, for scripts/secird/secird_scipy_reference.py
/// to score against its tight reference.
final class SECIRDBenchmarkTests: XCTestCase {
  let env = ProcessInfo.processInfo.environment

  override func setUpWithError() throws {
    try XCTSkipUnless(env["SECIRD_BENCH"] == "1", "set SECIRD_BENCH=1 to run the SECIRD benchmark")
  }

  /// Integration settings by label: "adams" or "bdf", then "+restart" (restart at the knots of
  /// λ), "/qN" (maximum order N), "/hX" (first step X days), "/aX" (atol X persons), e.g.
  /// "adams+restart/q5".
  func settings() -> [(String, SECIRD.Integration)] {
    let labels = (env["SECIRD_BENCH_SETTINGS"] ?? "adams,adams+restart,bdf,bdf+restart")
      .split(separator: ",").map(String.init)
    return labels.map { label in
      var options = SECIRD.Integration.standard.options
      for part in label.split(separator: "/").dropFirst() {
        if part.hasPrefix("q") { options.maxOrder = Int(part.dropFirst()) }
        if part.hasPrefix("h") { options.initialStepSize = Double(part.dropFirst()) }
        if part.hasPrefix("a"), let atol = Double(part.dropFirst()) { options.absoluteTolerance = .scalar(atol) }
      }
      return (label, SECIRD.Integration(method: label.hasPrefix("bdf") ? .bdf : .adams,
                                        options: options, restartAtKnots: label.contains("+restart")))
    }
  }

  /// Simulations per second on 1 and 2 threads (prior draw + ODE + observation model + noise,
  /// run by `SimulationEngine`, which also collects the batch), each setting `repeats` times,
  /// as wall-clock rate and per CPU-second of the process (less sensitive to other load on a
  /// shared machine); and the bare loop `samplePrior` + `simulate` on one thread.
  func testSpeed() throws {
    let count = Int(env["SECIRD_BENCH_COUNT"] ?? "") ?? 2000
    let repeats = Int(env["SECIRD_BENCH_REPEATS"] ?? "") ?? 3
    func cpuSeconds() -> Double {
      var ts = timespec()
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
      return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
    }
    func wallSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
    func report(_ what: String, _ wall: [Double], _ cpu: [Double], failed: Int) {
      let w = wall.sorted(), c = cpu.sorted()
      print(String(format: "SECIRD speed %@ count=%d repeats=%d: wall median %.0f sims/s (min %.0f, max %.0f); "
                   + "per CPU-second median %.0f (min %.0f, max %.0f); failed %d",
                   what, count, repeats, w[w.count / 2], w.first!, w.last!, c[c.count / 2], c.first!,
                   c.last!, failed))
    }
    for (label, integration) in settings() {
      var model = try SECIRD()
      model.integration = integration
      for threads in env["SECIRD_BENCH_LOOP_ONLY"] == "1" ? [] : [1, 2] {
        var wall: [Double] = [], cpu: [Double] = []
        var failures = 0
        for r in 0..<repeats {
          let engine = SimulationEngine(simulator: model, seed: 42, threads: threads)
          _ = try engine.simulate(0..<(32 * threads))  // warm up the threads' solvers
          let (w0, c0) = (wallSeconds(), cpuSeconds())
          let batch = try engine.simulate((1000 + r * count)..<(1000 + (r + 1) * count))
          wall.append(Double(count) / (wallSeconds() - w0))
          cpu.append(Double(count) / (cpuSeconds() - c0))
          failures += batch.failures
        }
        report("\(label) engine threads=\(threads)", wall, cpu, failed: failures)
      }
      var wall: [Double] = [], cpu: [Double] = []
      var failures = 0
      for r in 0..<repeats {
        let (w0, c0) = (wallSeconds(), cpuSeconds())
        for i in (1000 + r * count)..<(1000 + (r + 1) * count) {
          var rng = RandomStream(seed: 42, stream: UInt64(i))
          let theta = model.samplePrior(&rng)
          do { _ = try model.simulate(theta, &rng) } catch { failures += 1 }
        }
        wall.append(Double(count) / (wallSeconds() - w0))
        cpu.append(Double(count) / (cpuSeconds() - c0))
      }
      report("\(label) loop threads=1", wall, cpu, failed: failures)
    }
  }

  /// Max relative error of the daily reported means (entries with reference > 1 person)
  /// against a tight CVODE BDF solution (rtol 1e-12, atol 1e-8), and the work per solve.
  func testAccuracy() throws {
    let reference = SECIRD.Integration(
      method: .bdf, options: ODEOptions(relativeTolerance: 1e-12, absoluteTolerance: .scalar(1e-8),
                                        maxSteps: 1_000_000))
    var tight = try SECIRD()
    tight.integration = reference
    var thetas: [[Double]] = []
    var rng = RandomStream(seed: 7)
    for _ in 0..<200 { thetas.append(tight.samplePrior(&rng)) }
    let references = try thetas.map { try tight.expectedObservation($0).values }
    for (label, integration) in settings() {
      var model = try SECIRD()
      model.integration = integration
      var errors: [Double] = []
      var steps: [Int] = [], evaluations: [Int] = []
      for (theta, ref) in zip(thetas, references) {
        let st = try model.solverWork(theta)
        steps.append(st.steps)
        evaluations.append(st.rhsEvaluations)
        let m = try model.expectedObservation(theta).values
        var worst = 0.0
        for (a, b) in zip(m, ref) where b > 1 { worst = max(worst, abs(a - b) / b) }
        errors.append(worst)
      }
      errors.sort()
      print(String(format: "SECIRD accuracy %@: max rel err of daily means (ref > 1) median %.2e, 95%% %.2e, max %.2e",
                   label, errors[errors.count / 2], errors[errors.count * 95 / 100], errors.last!)
            + "; median steps \(steps.sorted()[steps.count / 2]), f evaluations \(evaluations.sorted()[evaluations.count / 2])")
    }
  }

  /// Writes the standard integration's noise-free means for the θ rows of SECIRD_THETA_FILE.
  func testExportMeans() throws {
    guard let input = env["SECIRD_THETA_FILE"], let output = env["SECIRD_MEANS_FILE"] else {
      throw XCTSkip("set SECIRD_THETA_FILE and SECIRD_MEANS_FILE")
    }
    let model = try SECIRD()
    var lines: [String] = []
    for row in try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n") {
      let theta = row.split(separator: " ").compactMap { Double($0) }
      XCTAssertEqual(theta.count, 34)
      let m = try model.expectedObservation(theta).values
      lines.append(m.map { String($0) }.joined(separator: " "))
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
    print("SECIRD exported \(lines.count) rows of means to \(output)")
  }
}
