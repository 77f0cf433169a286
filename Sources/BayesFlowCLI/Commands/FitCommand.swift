import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow fit CONFIG`: train the summary network and coupling flow on simulations.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit", abstract: "Train an amortized posterior (summary network + coupling flow) on simulations.")

  @Argument(help: ArgumentHelp("Run configuration (JSON, docs/config.md).", valueName: "config"))
  var config: String

  @Option(help: ArgumentHelp("Output directory for checkpoint.h5 (default: the config's output).", valueName: "dir"))
  var out: String?

  @Flag(help: "Continue the run from DIR/checkpoint.h5 if it exists (exactly as if never interrupted).")
  var resume = false

  @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value by its dotted path, e.g. training.epochs=5 (repeatable).", valueName: "key=value"))
  var overrides: [String] = []

  @Flag(help: "Print only the final summary.")
  var quiet = false

  func run() throws {
    let (runConfig, simulator) = try RunSetup.load(config, overrides: overrides)
    let directory = out ?? runConfig.output
    let progress = ProgressReporter(quiet: quiet)
    signal(SIGINT) { _ in trainingInterruptRequested = 1 }
    let trainer = Trainer(config: runConfig, simulator: simulator, directory: directory, progress: progress)
    let t = runConfig.training
    progress.line("fit \(simulator.name): \(t.mode.rawValue) training, \(t.epochs) epochs, batch \(t.batchSize), "
                  + "flow depth \(runConfig.inferenceNetwork.depth) \(runConfig.inferenceNetwork.transform.rawValue), summary \(runConfig.summaryNetwork.type)")
    let outcome: TrainingOutcome
    do { outcome = try trainer.run(resume: resume) } catch let e as TrainingInterrupted {
      FileHandle.standardError.write(Data("bayesflow: \(e)\n".utf8))
      Foundation.exit(130)
    }
    let h = outcome.history
    var summary = String(format: "trained %d epochs in %.1f s (%.0f steps/s", h.epoch.last ?? 0, outcome.seconds, outcome.stepsPerSecond)
    if t.mode == .online { summary += String(format: ", %.0f simulations/s", outcome.simulationsPerSecond) }
    summary += String(format: "); final loss %.4f, validation loss %.4f", h.loss.last ?? .nan, h.validationLoss.last ?? .nan)
    if outcome.position.skippedSteps > 0 { summary += "; \(outcome.position.skippedSteps) non-finite steps skipped" }
    print(summary)
    for n in outcome.notes { print("note: \(n)") }
    print("checkpoint: \(outcome.checkpoint)")
  }
}
