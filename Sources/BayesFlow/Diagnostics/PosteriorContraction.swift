/// Posterior z-scores and contraction per data set (Schad, Betancourt & Vasishth 2021,
/// "Toward a principled Bayesian workflow in cognitive science", Psychological Methods 26(1)).
///
///     zₘ = (x̄ₘ − θ*ₘ)/sₘ                 posterior mean x̄ₘ and sd sₘ, truth θ*ₘ
///     contractionₘ = 1 − sₘ²/σ²_prior
///
/// A calibrated posterior has z-scores of mean ≈ 0 and sd ≈ 1; contraction near 1 means the data
/// pin the parameter down, near 0 that the posterior is as wide as the prior. When the prior
/// variance is not given it is estimated from the truths (which were drawn from the prior):
/// σ²_prior = Σ (θ*ₘ − θ̄*)²/(M − 1).
public struct PosteriorContraction: Sendable {
  public let zScores: [Double]
  public let contractions: [Double]
  /// σ²_prior, given or estimated.
  public let priorVariance: Double

  public init(means: [Double], sds: [Double], truths: [Double], priorVariance: Double? = nil) {
    precondition(means.count == truths.count && sds.count == truths.count && truths.count >= 2,
                 "PosteriorContraction: one mean, sd and truth per data set")
    let n = Double(truths.count)
    let mt = truths.reduce(0, +) / n
    let v = priorVariance ?? truths.reduce(0) { $0 + ($1 - mt) * ($1 - mt) } / (n - 1)
    self.priorVariance = v
    zScores = (0..<truths.count).map { (means[$0] - truths[$0]) / sds[$0] }
    contractions = sds.map { 1 - $0 * $0 / v }
  }

  /// Mean of the z-scores.
  public var meanZ: Double { zScores.reduce(0, +) / Double(zScores.count) }
  /// Standard deviation of the z-scores (denominator M − 1).
  public var sdZ: Double {
    let m = meanZ
    return (zScores.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(zScores.count - 1)).squareRoot()
  }
  /// Mean contraction.
  public var meanContraction: Double { contractions.reduce(0, +) / Double(contractions.count) }
}
