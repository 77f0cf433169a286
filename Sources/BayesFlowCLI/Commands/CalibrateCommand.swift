import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow calibrate --checkpoint CKPT`: simulation-based calibration of a trained model, as
/// one self-contained HTML report and a JSON of the numbers (docs/calibration.md).
struct CalibrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate",
    abstract: "Check calibration on simulations from the prior: SBC ranks, ECDF bands, coverage, recovery, contraction; HTML report and JSON metrics.")

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(help: ArgumentHelp("Data sets simulated from the prior (at least 20).", valueName: "n"))
  var simulations: Int = 1000

  @Option(help: ArgumentHelp("Posterior draws per data set (at least 10).", valueName: "l"))
  var draws: Int = 1000

  @Option(help: ArgumentHelp("Seed of the calibration's random streams (separate from training's).", valueName: "s"))
  var seed: UInt64 = 1

  @Option(help: ArgumentHelp("HTML report (default: calibration.html next to the checkpoint).", valueName: "file"))
  var report: String?

  @Option(help: ArgumentHelp("Metrics JSON (default: calibration.json next to the checkpoint).", valueName: "file"))
  var metrics: String?

  @Option(help: ArgumentHelp("One observation for the example posterior (.json, .csv or .h5; default: the first simulated data set).", valueName: "file"))
  var observation: String?

  @Option(help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
  var threads: Int?

  @Flag(help: "No progress on stderr.")
  var quiet = false

  func validate() throws {
    guard simulations >= 20 else { throw ValidationError("--simulations must be at least 20, got \(simulations)") }
    guard simulations <= 1_000_000 else { throw ValidationError("--simulations must be at most 1000000, got \(simulations)") }
    guard draws >= 10 else { throw ValidationError("--draws must be at least 10, got \(draws)") }
    guard draws <= 100_000 else { throw ValidationError("--draws must be at most 100000, got \(draws)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let report, !(report.lowercased().hasSuffix(".html") || report.lowercased().hasSuffix(".htm")) {
      throw ValidationError("--report must end in .html, got \(report)")
    }
    if let metrics, !metrics.lowercased().hasSuffix(".json") { throw ValidationError("--metrics must end in .json, got \(metrics)") }
  }

  /// The report and metrics paths: as given, or next to the checkpoint.
  var outputURLs: (html: URL, json: URL) {
    let directory = URL(fileURLWithPath: checkpoint).deletingLastPathComponent()
    return (report.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("calibration.html"),
            metrics.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("calibration.json"))
  }

  func run() throws {
    // Everything that can be wrong with the inputs is checked before any work.
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    if let threads { posterior.threads = threads }
    var example: CalibrationExample? = nil
    if let observation {
      let ys = try ObservationFile.read(observation, shape: posterior.observationShape)
      guard ys.count == 1 else { throw InputError(observation, "\(ys.count) observations given; calibrate shows one") }
      example = CalibrationExample(label: URL(fileURLWithPath: observation).lastPathComponent, observation: ys[0])
    }
    let (htmlURL, jsonURL) = outputURLs
    for (url, flag) in [(htmlURL, "--report"), (jsonURL, "--metrics")] {
      var isDirectory: ObjCBool = false
      let parent = url.deletingLastPathComponent().path
      guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw InputError(url.path, "cannot write \(flag): no such directory \(parent)")
      }
      guard FileManager.default.isWritableFile(atPath: parent) else {
        throw InputError(url.path, "cannot write \(flag): directory \(parent) is not writable")
      }
    }
    // All M × L × P draws are held in memory at once (Double).
    let p = posterior.parameterNames.count
    let bytes = Double(simulations) * Double(draws) * Double(p) * 8
    let memory = Double(ProcessInfo.processInfo.physicalMemory)
    guard bytes <= memory / 2 else {
      throw InputError("--simulations", "\(simulations) data sets × \(draws) draws × \(p) parameters need "
                       + String(format: "%.1f GB for the draws; this machine has %.1f GB (use fewer simulations or draws)", bytes / 1e9, memory / 1e9))
    }

    var settings = CalibrationRunSettings()
    settings.simulations = simulations
    settings.draws = draws
    settings.seed = seed
    let progress = ProgressReporter(quiet: quiet)
    let run = CalibrationRun(posterior: posterior, settings: settings)
    var result: CalibrationRun.Result
    do {
      result = try run.run(example: example) { stage, fraction in
        progress.live("calibrate: \(stage) \(ProgressReporter.bar(fraction)) \(Int((100 * fraction).rounded()))%  \(ProgressReporter.duration(progress.elapsed))")
      }
    } catch let e as InputError where e.source.isEmpty {
      throw InputError(example == nil ? checkpoint : observation!, e.message)
    }
    let (html, json) = result.render()
    try writeAtomically(html, to: htmlURL)
    try writeAtomically(json, to: jsonURL)
    let t = result.timings
    progress.line("calibrated \(posterior.simulator.name): \(simulations) data sets × \(draws) draws × \(p) parameters on \(posterior.threads) threads in "
                  + String(format: "%.1f s (simulation %.1f s, sampling %.1f s, diagnostics %.1f s, example %.1f s, report %.1f s)",
                           t.total, t.simulation, t.sampling, t.diagnostics, t.example, t.report)
                  + (result.failedSimulations > 0 ? " (\(result.failedSimulations) failed simulations replaced)" : ""))
    print(Self.summaryTable(result.diagnostics), terminator: "")
    print("report: \(htmlURL.path)")
    print("metrics: \(jsonURL.path)")
  }

  func writeAtomically(_ text: String, to url: URL) throws {
    do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
      throw InputError(url.path, "cannot write: \(error.localizedDescription)")
    }
  }

  /// Per parameter: verdict, max |ECDF − uniform|, coverage calibration error, R², contraction.
  static func summaryTable(_ d: CalibrationDiagnostics) -> String {
    let width = max(12, (d.parameters.map(\.name.count).max() ?? 0) + 2)
    func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
      s.count >= n ? s : (left ? s + String(repeating: " ", count: n - s.count) : String(repeating: " ", count: n - s.count) + s)
    }
    func num(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "nan" }
    var out = pad("parameter", width, left: true) + pad("verdict", 16, left: true) + pad("max|ECDF-z|", 12) + pad("cov. error", 12)
      + pad("R²", 9) + pad("contraction", 13) + "\n"
    for q in d.parameters {
      out += pad(q.name, width, left: true) + pad(q.isCalibrated ? "calibrated" : "NOT calibrated", 16, left: true)
      out += pad(num(q.ranks.maxECDFDeviation), 12) + pad(num(q.coverage.calibrationError), 12)
      out += pad(num(q.medianRecovery.r2), 9) + pad(num(q.contraction.meanContraction), 13) + "\n"
    }
    let ok = d.parameters.filter(\.isCalibrated).count
    let expected = Double(d.parameters.count) * (1 - d.band.confidence)
    out += "\(ok) of \(d.parameters.count) parameters calibrated (rank ECDF inside the \(Int((d.band.confidence * 100).rounded()))% simultaneous band; "
      + String(format: "about %.1f false alarms expected by chance)\n", expected)
    return out
  }
}
