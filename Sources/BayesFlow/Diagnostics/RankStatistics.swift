/// Simulation-based calibration of one parameter from its ranks (Talts, Betancourt, Simpson,
/// Vehtari & Gelman 2018, "Validating Bayesian inference algorithms with simulation-based
/// calibration", arXiv:1804.06788).
///
/// For data set m with true value θ*ₘ and L posterior draws θₘ₁…θₘL, the rank is
/// rₘ = #{l : θₘₗ < θ*ₘ} ∈ {0, …, L}. If the draws come from the exact posterior, θ*ₘ is one more
/// draw from it, so rₘ is uniform on {0, …, L} (continuous parameters; ties have probability 0
/// and are not randomised).
///
/// Two views of the same ranks:
/// - the ECDF of the fractional ranks compared with the simultaneous band of `ECDFBand`; the
///   parameter counts as calibrated when the ECDF is inside the band at every point;
/// - a histogram of B bins (bin b holds the ranks r with ⌊r·B/(L+1)⌋ = b, so bin b has
///   probability nᵦ/(L+1), nᵦ the number of rank values it holds) and Pearson's statistic
///   χ² = Σᵦ (Oᵦ − Eᵦ)²/Eᵦ, Eᵦ = N·nᵦ/(L+1), whose null distribution is approximately χ² with
///   B − 1 degrees of freedom (B is chosen so that Eᵦ ≥ 5).
public struct RankStatistics: Sendable {
  /// The rank of each data set, 0…L.
  public let ranks: [Int]
  /// L, the number of posterior draws behind each rank.
  public let draws: Int
  /// F̂(zᵢ): the fraction of ranks below each evaluation point of the band.
  public let ecdf: [Double]
  /// Whether the ECDF lies inside the simultaneous band everywhere.
  public let insideBand: Bool
  /// max over the evaluation points of |F̂(zᵢ) − zᵢ|.
  public let maxECDFDeviation: Double
  /// The rank histogram: counts per bin.
  public let histogram: [Int]
  /// The number of rank values (out of L + 1) in each histogram bin.
  public let binWidths: [Int]
  /// Pearson's χ² of the histogram against the discrete uniform distribution.
  public let chiSquare: Double
  /// Its p-value P(χ²_{B−1} ≥ χ²).
  public let chiSquarePValue: Double

  /// Ranks against `band` (which must be built for N = ranks.count and the same L);
  /// `bins` defaults to `RankStatistics.defaultBins`.
  public init(ranks: [Int], band: ECDFBand, bins: Int? = nil) {
    precondition(ranks.count == band.sampleSize, "RankStatistics: \(ranks.count) ranks for a band of N = \(band.sampleSize)")
    let l = band.draws, n = ranks.count
    self.ranks = ranks
    draws = l
    let counts = band.counts(ranks)
    ecdf = counts.map { Double($0) / Double(n) }
    insideBand = band.contains(counts: counts)
    var worst = 0.0
    for (i, z) in band.points.enumerated() { worst = max(worst, abs(ecdf[i] - z)) }
    maxECDFDeviation = worst

    let b = min(max(bins ?? RankStatistics.defaultBins(simulations: n, draws: l), 1), l + 1)
    var hist = [Int](repeating: 0, count: b), widths = hist
    for r in 0...l { widths[r * b / (l + 1)] += 1 }
    for r in ranks { hist[r * b / (l + 1)] += 1 }
    histogram = hist
    binWidths = widths
    var chi = 0.0
    for k in 0..<b {
      let expected = Double(n) * Double(widths[k]) / Double(l + 1)
      chi += (Double(hist[k]) - expected) * (Double(hist[k]) - expected) / expected
    }
    chiSquare = chi
    chiSquarePValue = b > 1 ? DiagnosticMath.chiSquareSurvival(chi, degreesOfFreedom: b - 1) : 1
  }

  /// B = min(20, ⌊N/5⌋, L + 1), at least 2: at most 20 bins, at least 5 expected ranks per bin.
  public static func defaultBins(simulations n: Int, draws l: Int) -> Int {
    max(2, min(20, n / 5, l + 1))
  }

  /// The pointwise band of a uniform rank histogram: for each bin, the central `level`
  /// interval [q₍₁₋ₗₑᵥₑₗ₎/₂, q₍₁₊ₗₑᵥₑₗ₎/₂] of Bin(N, nᵦ/(L+1)) (binomial quantiles, counts).
  public func histogramBand(level: Double = 0.99) -> (lower: [Int], upper: [Int]) {
    let n = ranks.count
    let lf = DiagnosticMath.logFactorials(upTo: n)
    var lo: [Int] = [], hi: [Int] = []
    for w in binWidths {
      let t = BinomialTable(n: n, p: Double(w) / Double(draws + 1), logFactorials: lf)
      lo.append(t.quantile((1 - level) / 2))
      hi.append(t.quantile((1 + level) / 2))
    }
    return (lo, hi)
  }
}
