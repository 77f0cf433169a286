/// How well point estimates recover the true values across data sets.
///
/// For estimates θ̂ₘ (posterior median or mean) and truths θ*ₘ, m = 1…M, with θ̄* the mean truth:
///
///     R²    = 1 − Σ (θ̂ₘ − θ*ₘ)² / Σ (θ*ₘ − θ̄*)²     (coefficient of determination; 1 is perfect,
///                                                   ≈ 0 for estimates unrelated to the truth)
///     ρ     = Pearson correlation of θ̂ and θ*
///     RMSE  = √(Σ (θ̂ₘ − θ*ₘ)² / M)
///     NRMSE = RMSE / (max θ* − min θ*)              (normalised by the range of the truths,
///                                                   as BayesFlow's `root_mean_squared_error`)
public struct Recovery: Sendable {
  public let r2: Double
  public let correlation: Double
  public let rmse: Double
  public let nrmse: Double

  public init(estimates: [Double], truths: [Double]) {
    precondition(estimates.count == truths.count && truths.count >= 2, "Recovery: needs ≥ 2 paired values")
    let n = Double(truths.count)
    let mt = truths.reduce(0, +) / n, me = estimates.reduce(0, +) / n
    var ssRes = 0.0, ssTot = 0.0, sEE = 0.0, sET = 0.0
    var lo = Double.infinity, hi = -Double.infinity
    for (e, t) in zip(estimates, truths) {
      ssRes += (e - t) * (e - t)
      ssTot += (t - mt) * (t - mt)
      sEE += (e - me) * (e - me)
      sET += (e - me) * (t - mt)
      lo = min(lo, t)
      hi = max(hi, t)
    }
    r2 = 1 - ssRes / ssTot
    correlation = sET / (sEE * ssTot).squareRoot()
    rmse = (ssRes / n).squareRoot()
    nrmse = rmse / (hi - lo)
  }
}
