/// Anything with trainable parameters: layers, networks, whole approximators.
///
/// `visitParameters` reports every parameter once with its key relative to `self`; containers
/// prefix their children's keys (`block3.subnet.dense1.weight`). Keys are written literally in
/// each `visitParameters`, never derived from property names, so renaming a property does not
/// rename a checkpoint entry.
public protocol Layer: AnyObject {
  associatedtype Scalar: TensorScalar
  /// Calls `visit` once per parameter (trainable or fixed), with its key relative to `self`.
  func visitParameters(_ visit: (String, Parameter<Scalar>) -> Void)
}

extension Layer {
  /// All parameters with their full keys, in visiting order.
  public var namedParameters: [(name: String, parameter: Parameter<Scalar>)] {
    var list: [(name: String, parameter: Parameter<Scalar>)] = []
    visitParameters { list.append(($0, $1)) }
    return list
  }

  /// Trainable parameters in visiting order.
  public var trainableParameters: [Parameter<Scalar>] {
    namedParameters.map(\.parameter).filter(\.isTrainable)
  }

  /// Number of scalars in trainable parameters.
  public var trainableCount: Int { trainableParameters.reduce(0) { $0 + $1.count } }

  /// Visits `child`'s parameters with `prefix.` prepended to their keys.
  public func visit<L: Layer>(_ child: L, as prefix: String, _ visit: (String, Parameter<Scalar>) -> Void)
  where L.Scalar == Scalar {
    child.visitParameters { visit(prefix + "." + $0, $1) }
  }

  /// Copies values into the parameters by key. Every parameter must be present with its exact
  /// shape, and every key must belong to a parameter; otherwise nothing is changed and the
  /// error names the first offending key.
  public func loadParameters(_ values: [String: (shape: [Int], values: [Scalar])]) throws {
    let named = namedParameters
    for (name, p) in named {
      guard let entry = values[name] else { throw ParameterLoadError.missing(name) }
      guard entry.shape == p.shape.dims, entry.values.count == p.count else {
        throw ParameterLoadError.shapeMismatch(name, expected: p.shape.dims, found: entry.shape)
      }
    }
    let known = Set(named.map(\.name))
    if let extra = values.keys.sorted().first(where: { !known.contains($0) }) {
      throw ParameterLoadError.unexpected(extra)
    }
    for (name, p) in named { p.assign(values[name]!.values) }
  }

  /// The parameter values by key (for saving).
  public func parameterValues() -> [String: (shape: [Int], values: [Scalar])] {
    var out: [String: (shape: [Int], values: [Scalar])] = [:]
    for (name, p) in namedParameters { out[name] = (p.shape.dims, p.values) }
    return out
  }

  /// Sets the gradients of all parameters to zero.
  public func zeroGradients() { visitParameters { _, p in p.zeroGrad() } }
}

/// Why parameters could not be loaded into a layer.
public enum ParameterLoadError: Error, CustomStringConvertible, Equatable {
  case missing(String)
  case shapeMismatch(String, expected: [Int], found: [Int])
  case unexpected(String)

  public var description: String {
    switch self {
    case .missing(let k): return "parameter \(k) is missing"
    case let .shapeMismatch(k, e, f): return "parameter \(k) has shape \(f), expected \(e)"
    case .unexpected(let k): return "unexpected parameter \(k)"
    }
  }
}
