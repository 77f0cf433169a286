/// Posterior draws for a batch of simulated data sets, stored flat in one array.
///
/// Shape [M, L, P]: M simulations (data sets), L draws per data set, P parameters;
/// draw l of parameter p for data set m is `values[(m·L + l)·P + p]`. This is the layout an
/// approximator produces when it samples L draws for each of M conditions, and it keeps a
/// 1,000 × 1,000 × 34 calibration run in one 272 MB buffer instead of a million small arrays.
public struct PosteriorDraws: Sendable {
  /// M, the number of data sets.
  public let simulations: Int
  /// L, the number of draws per data set.
  public let draws: Int
  /// P, the number of parameters.
  public let parameters: Int
  /// The draws, row-major [M, L, P].
  public var values: [Double]

  public init(simulations: Int, draws: Int, parameters: Int, values: [Double]) {
    precondition(simulations > 0 && draws > 0 && parameters > 0, "PosteriorDraws: empty shape [\(simulations), \(draws), \(parameters)]")
    precondition(values.count == simulations * draws * parameters,
                 "PosteriorDraws: \(values.count) values for shape [\(simulations), \(draws), \(parameters)]")
    self.simulations = simulations
    self.draws = draws
    self.parameters = parameters
    self.values = values
  }

  /// Flattens nested draws `[M][L][P]` (every inner array of equal length).
  public init(_ nested: [[[Double]]]) {
    let m = nested.count, l = nested.first?.count ?? 0, p = nested.first?.first?.count ?? 0
    var flat: [Double] = []
    flat.reserveCapacity(m * l * p)
    for set in nested {
      precondition(set.count == l, "PosteriorDraws: data sets have different numbers of draws")
      for draw in set {
        precondition(draw.count == p, "PosteriorDraws: draws have different numbers of parameters")
        flat.append(contentsOf: draw)
      }
    }
    self.init(simulations: m, draws: l, parameters: p, values: flat)
  }

  /// Draw `l` of parameter `p` for data set `m`.
  @inlinable public subscript(m: Int, l: Int, p: Int) -> Double {
    values[(m * draws + l) * parameters + p]
  }
}
