import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// Simulation-based calibration of a trained `secird` checkpoint, for docs/secird.md. Not a unit
/// test: skipped unless SECIRD_SBC_CHECKPOINT names a checkpoint (scripts/secird_germany.sh):
///
///     SECIRD_SBC_CHECKPOINT=runs/secird_germany/checkpoint.h5 SECIRD_SBC_OUT=docs/secird-results/sbc \
///       .build/release/bayesflow-swiftPackageTests.xctest SimulatorsTests.SECIRDCalibrationRun/testSBC
///
/// M held-out prior simulations (random streams (SECIRD_SBC_SEED, i), a seed the training never
/// uses), L posterior draws each, and the library's `CalibrationDiagnostics`: SBC ranks against the
/// 95% simultaneous ECDF band (Säilynoja et al. 2022), χ² of the rank histogram, coverage,
/// recovery (R² of the posterior median) and contraction (1 − posterior variance / prior variance,
/// the median over the M data sets: the mean is dominated by the few data sets whose
/// posterior has a heavy tail) per parameter. Writes OUT.json (everything) and OUT.md (the table).
/// Options: SECIRD_SBC_SIMULATIONS (M, default 500), SECIRD_SBC_DRAWS (L, default 1000),
/// SECIRD_SBC_SEED (default 20201), SECIRD_SBC_LABEL (a line for the Markdown header).
final class SECIRDCalibrationRun: XCTestCase {
  let env = ProcessInfo.processInfo.environment

  func testSBC() throws {
    guard let checkpoint = env["SECIRD_SBC_CHECKPOINT"] else {
      throw XCTSkip("set SECIRD_SBC_CHECKPOINT (and SECIRD_SBC_OUT) to run the SECIRD calibration")
    }
    let out = env["SECIRD_SBC_OUT"] ?? "sbc"
    let m = Int(env["SECIRD_SBC_SIMULATIONS"] ?? "") ?? 500
    let l = Int(env["SECIRD_SBC_DRAWS"] ?? "") ?? 1000
    let seed = UInt64(env["SECIRD_SBC_SEED"] ?? "") ?? 20201
    let started = Date()

    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    XCTAssertEqual(posterior.simulator.name, "secird")
    let names = posterior.parameterNames, p = names.count

    // M held-out simulations (failed ones are skipped; the next indices fill in).
    let engine = SimulationEngine(simulator: posterior.simulator, seed: seed, threads: posterior.threads)
    var truths: [[Double]] = [], observations: [Observation] = []
    var next = 0
    while truths.count < m {
      let want = m - truths.count
      let batch = try engine.simulate(next..<(next + want))
      next += want
      for k in 0..<batch.count {
        truths.append(Array(batch.theta(k)))
        let start = k * batch.observationSize
        observations.append(Observation(batch.observations[start..<(start + batch.observationSize)].map(Double.init),
                                         length: Int(batch.lengths[k])))
      }
    }
    let simulated = Date()

    // L draws per data set, 50 data sets per call.
    var values: [Double] = []
    values.reserveCapacity(m * l * p)
    for lo in stride(from: 0, to: m, by: 50) {
      let hi = min(m, lo + 50)
      values += try posterior.sampleFlat(Array(observations[lo..<hi]), count: l, seed: seed &+ 1 &+ UInt64(lo))
    }
    let sampled = Date()
    let draws = PosteriorDraws(simulations: m, draws: l, parameters: p, values: values)
    let d = CalibrationDiagnostics(truths: truths, draws: draws, parameterNames: names)
    let finished = Date()

    let h = posterior.history
    let steps = (h.epoch.last ?? 0) * posterior.config.training.batchesPerEpoch
    let failing = d.parameters.filter { !$0.isCalibrated }.map(\.name)
    let coverageIndex = d.options.levels.firstIndex { abs($0 - 0.95) < 1e-9 }!
    let medianIndex = d.options.levels.firstIndex { abs($0 - 0.5) < 1e-9 }!

    func median(_ v: [Double]) -> Double { ParameterSummary.quantile(v.sorted(), 0.5) }
    func num(_ x: Double) -> JSONValue { .number(x, literal: String(format: "%.6g", x)) }
    /// The evaluation points z where the ECDF leaves the band (direction: + above, − below).
    func violations(_ c: ParameterCalibration) -> [Double] {
      let counts = d.band.counts(c.ranks.ranks)
      return counts.indices.compactMap { i in
        counts[i] > d.band.upper[i] ? d.band.points[i] : counts[i] < d.band.lower[i] ? -d.band.points[i] : nil
      }
    }
    let rows: [JSONValue] = d.parameters.map { c in
      .object([("name", .string(c.name)), ("inside_band", .bool(c.isCalibrated)),
               ("max_ecdf_deviation", num(c.ranks.maxECDFDeviation)),
               ("chi_square_p", num(c.ranks.chiSquarePValue)),
               ("coverage_50", num(c.coverage.empirical[medianIndex])),
               ("coverage_95", num(c.coverage.empirical[coverageIndex])),
               ("calibration_error", num(c.coverage.calibrationError)),
               ("r2_median", num(c.medianRecovery.r2)),
               ("contraction_median", num(median(c.contraction.contractions))),
               ("contraction_mean", num(c.contraction.meanContraction)),
               ("mean_z", num(c.contraction.meanZ)), ("sd_z", num(c.contraction.sdZ)),
               ("rank_0_count", num(Double(c.ranks.ranks.filter { $0 == 0 }.count))),
               ("rank_L_count", num(Double(c.ranks.ranks.filter { $0 == l }.count))),
               ("outside_at", .array(violations(c).map { num($0) })),
               ("histogram", .array(c.ranks.histogram.map { num(Double($0)) }))])
    }
    let json = JSONValue.object([
      ("checkpoint", .string(checkpoint)), ("simulations", num(Double(m))), ("draws", num(Double(l))),
      ("seed", num(Double(seed))), ("failed_simulations", num(Double(engine.failed))),
      ("band_confidence", num(d.band.confidence)), ("band_points", num(Double(d.band.points.count))),
      ("band_gamma", num(d.band.gamma)),
      ("training_epochs", num(Double(h.epoch.last ?? 0))), ("training_steps", num(Double(steps))),
      ("training_simulations", num(Double(h.simulations.last ?? 0))),
      ("training_seconds", num(h.seconds.last ?? .nan)), ("validation_loss", num(h.validationLoss.last ?? .nan)),
      ("inside_band", num(Double(p - failing.count))), ("parameters_total", num(Double(p))),
      ("outside_band", .array(failing.map { .string($0) })),
      ("seconds_simulate", num(simulated.timeIntervalSince(started))),
      ("seconds_sample", num(sampled.timeIntervalSince(simulated))),
      ("seconds_diagnostics", num(finished.timeIntervalSince(sampled))),
      ("parameters", .array(rows)),
    ])
    try (json.prettyText() + "\n").write(toFile: out + ".json", atomically: true, encoding: .utf8)

    var md = "# SBC of `secird`: \(p - failing.count) of \(p) parameters inside the 95% simultaneous ECDF band\n\n"
    if let label = env["SECIRD_SBC_LABEL"] { md += label + "\n\n" }
    md += "Checkpoint `\(checkpoint)` after \(h.epoch.last ?? 0) epochs (\(steps) steps, \(h.simulations.last ?? 0) training simulations, "
    md += String(format: "%.0f s of training, validation loss %.3f). ", h.seconds.last ?? .nan, h.validationLoss.last ?? .nan)
    md += "M = \(m) held-out simulations (seed \(seed), \(engine.failed) failed and replaced), L = \(l) draws each; "
    md += "band: \(d.band.points.count) points, γ = \(String(format: "%.3g", d.band.gamma)). "
    md += "Outside the band: \(failing.isEmpty ? "none" : failing.joined(separator: ", ")). "
    md += String(format: "Ranks 0 / L: data sets whose true value lies below / above all L draws (%.2f expected each under calibration).\n\n", Double(m) / Double(l + 1))
    md += "| parameter | in band | max \\|ECDF − z\\| | χ² p | cov. 50% | cov. 95% | R² (median) | contraction (median) | mean z | sd z | ranks 0 / L |\n"
    md += "|---|---|---|---|---|---|---|---|---|---|---|\n"
    for c in d.parameters {
      md += "| \(c.name) | \(c.isCalibrated ? "yes" : "**no**") | "
      md += String(format: "%.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %ld / %ld |\n", c.ranks.maxECDFDeviation,
                   c.ranks.chiSquarePValue, c.coverage.empirical[medianIndex], c.coverage.empirical[coverageIndex],
                   c.medianRecovery.r2, median(c.contraction.contractions), c.contraction.meanZ, c.contraction.sdZ,
                   c.ranks.ranks.filter { $0 == 0 }.count, c.ranks.ranks.filter { $0 == l }.count)
    }
    if !failing.isEmpty {
      md += "\nWhere the ECDF leaves the band (fractional rank z; ↑ above the band = too many ranks below z, ↓ below it):\n\n"
      for c in d.parameters where !c.isCalibrated {
        let v = violations(c)
        let shown = v.prefix(8).map { String(format: "%@%.3f", $0 > 0 ? "↑" : "↓", abs($0)) }.joined(separator: ", ")
        md += "- \(c.name): \(v.count) point\(v.count == 1 ? "" : "s"): \(shown)\(v.count > 8 ? ", …" : "")\n"
      }
    }
    try md.write(toFile: out + ".md", atomically: true, encoding: .utf8)
    print("SECIRD SBC: \(p - failing.count)/\(p) inside the band; outside: \(failing); wrote \(out).json, \(out).md")
  }
}
