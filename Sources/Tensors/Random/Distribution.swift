import RealModule

/// A probability distribution that can be sampled with a `RandomStream` and evaluated.
///
/// Conforming types are small value types whose initialisers validate the parameters (throwing
/// `DistributionError`) and precompute every constant the sampler needs, so `sample(_:)`
/// allocates nothing (except for vector-valued distributions, whose result is an array) and
/// can be called at simulator rates.
public protocol Distribution {
  /// The type of a draw: `Double` (continuous), `Int` (counts, categories) or `[Double]`.
  associatedtype Value

  /// One draw, consuming values from `rng`.
  func sample(_ rng: inout RandomStream) -> Value

  /// The log-density at `x` (log-probability mass for discrete distributions); −∞ outside
  /// the support.
  func logDensity(_ x: Value) -> Double
}

extension Distribution {
  /// `count` independent draws.
  @inlinable
  public func sample(_ rng: inout RandomStream, count: Int) -> [Value] {
    var values: [Value] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(sample(&rng)) }
    return values
  }
}

/// A distribution on the real line or the integers, with closed-form moments and CDF.
public protocol UnivariateDistribution: Distribution {
  /// E[X] (NaN where it does not exist).
  var mean: Double { get }
  /// Var[X] (+∞ or NaN where it does not exist).
  var variance: Double { get }
  /// P(X ≤ x).
  func cdf(_ x: Value) -> Double
}
