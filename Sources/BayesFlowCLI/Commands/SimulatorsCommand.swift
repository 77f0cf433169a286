import ArgumentParser
import BayesFlow
import Simulators

/// `bayesflow simulators`: what can be simulated.
struct SimulatorsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulators", abstract: "List the built-in simulators: parameters and observation shape.")

  func run() throws {
    for factory in BuiltinSimulators.registry.factories {
      let sim = try BuiltinSimulators.registry.make(name: factory.name, options: nil)
      print("\(factory.name)")
      print("  \(factory.about)")
      print("  parameters (\(sim.parameters.count)): " + sim.parameters.map { $0.support == .real ? $0.name : "\($0.name) \($0.support)" }.joined(separator: ", "))
      print("  observation: \(sim.observationShape)")
      if !sim.derivedQuantityNames.isEmpty { print("  derived: " + sim.derivedQuantityNames.joined(separator: ", ")) }
    }
  }
}
