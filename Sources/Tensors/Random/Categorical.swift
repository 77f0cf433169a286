import RealModule

/// The categorical distribution on {0, …, K−1} with probabilities p₀, …, p_{K−1}.
///
///     P(X = k) = pₖ,      F(k) = p₀ + ⋯ + pₖ,      E[X] = Σ k pₖ,   Var[X] = Σ k² pₖ − E[X]²
///
/// Sampling: Walker's alias method, built in O(K) by Vose's algorithm (Vose 1991, "A linear
/// algorithm for generating random numbers with a given distribution", IEEE TSE 17): one
/// uniform index i and one uniform U per draw, returning i if U < accept[i], else alias[i].
/// The tables are built once; draws cost O(1) and allocate nothing.
public struct Categorical: UnivariateDistribution, Sendable {
  /// The probabilities, normalised to sum 1.
  public let probabilities: [Double]
  @usableFromInline let accept: [Double]
  @usableFromInline let alias: [Int]

  /// Categorical over `probabilities.count` categories; the weights are normalised by their
  /// sum. Throws unless there is at least one weight, all are finite and ≥ 0, and the sum is
  /// positive and finite.
  public init(probabilities weights: [Double]) throws {
    try DistributionError.require(!weights.isEmpty, "Categorical", "probabilities",
                                  "non-empty", "[]")
    for (k, w) in weights.enumerated() {
      try DistributionError.require(w >= 0 && w.isFinite, "Categorical", "probabilities[\(k)]",
                                    "finite and ≥ 0", w)
    }
    let total = weights.reduce(0, +)
    try DistributionError.require(total > 0 && total.isFinite, "Categorical",
                                  "sum of probabilities", "finite and > 0", total)
    probabilities = weights.map { $0 / total }
    let count = weights.count
    var scaled = probabilities.map { $0 * Double(count) }
    var accept = [Double](repeating: 1, count: count)
    var alias = Array(0..<count)
    var small = scaled.indices.filter { scaled[$0] < 1 }
    var large = scaled.indices.filter { scaled[$0] >= 1 }
    while let s = small.last, let l = large.last {
      small.removeLast()
      large.removeLast()
      accept[s] = scaled[s]
      alias[s] = l
      scaled[l] = (scaled[l] + scaled[s]) - 1
      if scaled[l] < 1 { small.append(l) } else { large.append(l) }
    }
    // Columns left in either list are full (exactly 1 up to rounding): accept[k] = 1.
    self.accept = accept
    self.alias = alias
  }

  @inlinable
  public func sample(_ rng: inout RandomStream) -> Int {
    let i = rng.index(below: accept.count)
    return rng.uniform() < accept[i] ? i : alias[i]
  }

  public func logDensity(_ k: Int) -> Double {
    k >= 0 && k < probabilities.count ? Double.log(probabilities[k]) : -.infinity
  }

  public func cdf(_ k: Int) -> Double {
    if k < 0 { return 0 }
    if k >= probabilities.count - 1 { return 1 }
    return probabilities[...k].reduce(0, +)
  }

  public var mean: Double {
    probabilities.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
  }

  public var variance: Double {
    let m = mean
    return probabilities.enumerated().reduce(0) {
      $0 + (Double($1.offset) - m) * (Double($1.offset) - m) * $1.element
    }
  }
}
