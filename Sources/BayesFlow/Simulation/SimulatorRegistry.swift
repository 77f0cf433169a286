/// How to build a simulator by name from its config options.
public struct SimulatorFactory: Sendable {
  public let name: String
  public let about: String
  /// Builds the simulator from `simulator.options`; must read every option it accepts through
  /// the `ConfigObject` (unknown options are rejected by the caller afterwards).
  public let make: @Sendable (ConfigObject) throws -> any Simulator

  public init(name: String, about: String, make: @escaping @Sendable (ConfigObject) throws -> any Simulator) {
    self.name = name
    self.about = about
    self.make = make
  }
}

/// The simulators the CLI knows by name.
public struct SimulatorRegistry: Sendable {
  public let factories: [SimulatorFactory]

  public init(_ factories: [SimulatorFactory]) {
    self.factories = factories.sorted { $0.name < $1.name }
  }

  public var names: [String] { factories.map(\.name) }

  /// Builds `name` with `options` (the `simulator.options` object of a config).
  public func make(name: String, options: JSONValue?, path: String = "simulator") throws -> any Simulator {
    guard let factory = factories.first(where: { $0.name == name }) else {
      throw ConfigError(path: path + ".name", "unknown simulator \"\(name)\" (available: \(names.joined(separator: ", ")))")
    }
    let object = try ConfigObject(options, path: path + ".options")
    let simulator = try factory.make(object)
    try object.finish()
    return simulator
  }

  /// Builds the simulator named in a config's `simulator` section.
  public func make(from config: JSONValue) throws -> any Simulator {
    let section = try ConfigObject(config["simulator"], path: "simulator")
    guard let name = try section.string("name", default: nil) else {
      throw ConfigError(path: "simulator.name", "missing (expected one of: \(names.joined(separator: ", ")))")
    }
    let options = section.value("options")
    try section.finish()
    return try make(name: name, options: options)
  }
}
