import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// `bayesflow logprob`: log posterior densities of given parameter values.
struct LogProbCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logprob", abstract: "Print log p(θ | y) for each row of a parameter file, one per line.")

  @Option(help: ArgumentHelp("A checkpoint written by bayesflow fit.", valueName: "file"))
  var checkpoint: String

  @Option(help: ArgumentHelp("One observation: .json, .csv or .h5.", valueName: "file"))
  var observation: String

  @Option(help: ArgumentHelp("Parameter rows: CSV (header optional) or JSON array of arrays.", valueName: "file"))
  var parameters: String

  func run() throws {
    let posterior = try Posterior(checkpoint: checkpoint, registry: BuiltinSimulators.registry)
    let observations = try ObservationFile.read(observation, shape: posterior.observationShape)
    guard observations.count == 1 else {
      throw InputError(observation, "\(observations.count) observations given; logprob takes one")
    }
    let rows = try ParameterFile.read(parameters, names: posterior.parameterNames)
    let values = posterior.logDensity(rows, observation: observations[0])
    try writeOutput(values.map(formatNumber).joined(separator: "\n") + "\n", to: nil)
  }
}
