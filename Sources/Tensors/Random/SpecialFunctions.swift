import RealModule

/// Special functions behind the log-densities and CDFs of the distributions.
///
/// Log-gamma, erf and erfc come from swift-numerics (`Double.logGamma`, `Double.erf`,
/// `Double.erfc`, i.e. the C library). Everything here is built on them, following Press et al.,
/// *Numerical Recipes*, 3rd ed. (2007) §6.1–6.6, and Loader, *Fast and accurate computation of
/// binomial probabilities* (2000) for the saddle-point form of Poisson and binomial masses.
/// Accuracy is stated per function, relative unless said otherwise.
public enum SpecialFunctions {
  /// ½ log 2π.
  static let halfLogTwoPi = 0.918_938_533_204_672_741_78

  /// δ(x) = log Γ(x+1) − [(x + ½) log x − x + ½ log 2π], the error of Stirling's formula, x > 0.
  ///
  /// x ≥ 10: the asymptotic series δ(x) = Σₖ B₂ₖ / (2k(2k−1) x²ᵏ⁻¹) to k = 7 (truncation error
  /// < 4·10⁻¹⁷); integers below 10: tabulated (mpmath, 20 digits); other x < 10: from
  /// `logGamma` (absolute error ~10⁻¹⁵). It lets binomial and Poisson probabilities be formed
  /// without cancelling large log-factorials (Loader 2000).
  public static func stirlingError(_ x: Double) -> Double {
    if x >= 10 {
      let r = 1 / x, r2 = r * r
      var s = 1.0 / 156
      s = -691.0 / 360_360 + r2 * s
      s = 1.0 / 1188 + r2 * s
      s = -1.0 / 1680 + r2 * s
      s = 1.0 / 1260 + r2 * s
      s = -1.0 / 360 + r2 * s
      s = 1.0 / 12 + r2 * s
      return s * r
    }
    if x == x.rounded(), x >= 1 { return stirlingTable[Int(x) - 1] }
    return Double.logGamma(x + 1) - (x + 0.5) * Double.log(x) + x - halfLogTwoPi
  }

  /// δ(1), …, δ(9) (mpmath, 20 digits).
  static let stirlingTable: [Double] = [
    0.081_061_466_795_327_258_22, 0.041_340_695_955_409_294_094, 0.027_677_925_684_998_339_149,
    0.020_790_672_103_765_093_112, 0.016_644_691_189_821_192_163, 0.013_876_128_823_070_747_999,
    0.011_896_709_945_891_770_095, 0.010_411_265_261_972_096_497, 0.009_255_462_182_712_732_917_7,
  ]

  /// The deviance term D(x, m) = x log(x/m) + m − x ≥ 0, for x > 0, m ≥ 0 (Loader's bd0).
  ///
  /// Near x = m it is evaluated as the series (x − m)v + 2x Σⱼ v²ʲ⁺¹/(2j+1) with
  /// v = (x − m)/(x + m), free of the cancellation of the direct form.
  static func deviance(_ x: Double, _ m: Double) -> Double {
    if abs(x - m) < 0.1 * (x + m) {
      let v = (x - m) / (x + m), v2 = v * v
      var s = (x - m) * v
      var ej = 2 * x * v
      var j = 1.0
      while true {
        ej *= v2
        let next = s + ej / (2 * j + 1)
        if next == s { return s }
        s = next
        j += 1
      }
    }
    return x * Double.log(x / m) + m - x
  }

  /// log(λᵏ e^{−λ} / Γ(k+1)) for real k > 0, λ > 0: the Poisson log-mass, continued to real k,
  /// as −δ(k) − D(k, λ) − ½ log(2πk) (Loader 2000); accurate to a few ulps of the result's scale.
  static func logPoissonKernel(_ k: Double, _ lambda: Double) -> Double {
    -stirlingError(k) - deviance(k, lambda) - 0.5 * Double.log(2 * Double.pi * k)
  }

  /// log[Γ(n+1)/(Γ(x+1)Γ(n−x+1)) pᵡ qⁿ⁻ˣ] for real 0 ≤ x ≤ n, p + q = 1 (q passed to keep
  /// its precision): Loader's saddle-point form δ(n) − δ(x) − δ(n−x) − D(x, np) − D(n−x, nq)
  /// − ½ log(2πx(n−x)/n), with the endpoints x = 0 and x = n handled directly.
  static func logBinomialKernel(_ x: Double, _ n: Double, _ p: Double, _ q: Double) -> Double {
    if p == 0 { return x == 0 ? 0 : -.infinity }
    if q == 0 { return x == n ? 0 : -.infinity }
    if x == 0 {
      if n == 0 { return 0 }
      return p < 0.1 ? -deviance(n, n * q) - n * p : n * Double.log(q)
    }
    if x == n { return q < 0.1 ? -deviance(n, n * p) - n * q : n * Double.log(p) }
    let lc = stirlingError(n) - stirlingError(x) - stirlingError(n - x)
      - deviance(x, n * p) - deviance(n - x, n * q)
    return lc - 0.5 * (Double.log(2 * Double.pi) + Double.log(x) + Double.log(onePlus: -x / n))
  }

  /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a+b), a, b > 0.
  ///
  /// With p = min(a, b), q = max(a, b) and δ = `stirlingError`, which also equals
  /// log Γ(x) − [(x − ½) log x − x + ½ log 2π]: for p ≥ 10,
  /// ½ log 2π − ½ log q + δ(p) + δ(q) − δ(p+q) + (p − ½) log(p/(p+q)) + q log(1 − p/(p+q));
  /// for q ≥ 10 > p, log Γ(p) + δ(q) − δ(p+q) + p − p log(p+q) + (q − ½) log(1 − p/(p+q));
  /// otherwise directly. The large-argument forms avoid cancelling log Γ values (as R's lbeta).
  public static func logBeta(_ a: Double, _ b: Double) -> Double {
    let p = min(a, b), q = max(a, b)
    if p >= 10 {
      let corr = stirlingError(p) + stirlingError(q) - stirlingError(p + q)
      return -0.5 * Double.log(q) + halfLogTwoPi + corr + (p - 0.5) * Double.log(p / (p + q))
        + q * Double.log(onePlus: -p / (p + q))
    }
    if q >= 10 {
      let corr = stirlingError(q) - stirlingError(p + q)
      return Double.logGamma(p) + corr + p - p * Double.log(p + q)
        + (q - 0.5) * Double.log(onePlus: -p / (p + q))
    }
    return Double.logGamma(p) + Double.logGamma(q) - Double.logGamma(p + q)
  }

  /// The regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a)
  /// = (1/Γ(a)) ∫₀ˣ t^{a−1} e^{−t} dt, for a > 0, x ≥ 0 (NaN otherwise).
  ///
  /// For x < a + 1 the series P = xᵃe^{−x}/Γ(a+1) · Σₙ xⁿ/((a+1)⋯(a+n)); otherwise 1 − Q with Q
  /// from its continued fraction (see `regularizedGammaQ`). The prefactor xᵃe^{−x}/Γ(a+1) is
  /// formed as exp(logPoissonKernel(a, x)), so it stays accurate for large a (NR §6.2).
  /// Relative error ≤ 10⁻¹⁴ against mpmath for a from 10⁻³ to 10⁶, except where the value is
  /// formed as 1 − Q and is much smaller than 1 (likewise for Q).
  public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
    guard a > 0, x >= 0 else { return .nan }
    if x == 0 { return 0 }
    if x == .infinity { return 1 }
    return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x)
  }

  /// The regularised upper incomplete gamma function Q(a, x) = 1 − P(a, x)
  /// = (1/Γ(a)) ∫ₓ^∞ t^{a−1} e^{−t} dt, for a > 0, x ≥ 0 (NaN otherwise).
  ///
  /// For x ≥ a + 1 the continued fraction Q = xᵃe^{−x}/Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a−
  /// 2·(2−a)/(x+5−a− ⋯))), evaluated by the modified Lentz method; otherwise 1 − P by the series.
  public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
    guard a > 0, x >= 0 else { return .nan }
    if x == 0 { return 1 }
    if x == .infinity { return 0 }
    return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x)
  }

  /// Continued fractions stop when a step changes the value by at most this factor (~1.4 ulp).
  private static let convergenceTolerance = 3e-16
  /// A bound on continued-fraction steps; they need O(√max(a, b)) steps, far fewer than this.
  private static let maxIterations = 1e6

  private static func gammaSeries(_ a: Double, _ x: Double) -> Double {
    var ap = a, term = 1.0, sum = 1.0
    repeat {
      ap += 1
      term *= x / ap
      sum += term
    } while term > sum * 1e-17
    return sum * Double.exp(logPoissonKernel(a, x))
  }

  private static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny, d = 1 / b, h = d
    var i = 1.0
    while i <= maxIterations {
      let an = -i * (i - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) <= convergenceTolerance { break }
      i += 1
    }
    // xᵃe^{−x}/Γ(a) = a · xᵃe^{−x}/Γ(a+1).
    return a * Double.exp(logPoissonKernel(a, x)) * h
  }

  /// The regularised incomplete beta function Iₓ(a, b) = (1/B(a, b)) ∫₀ˣ t^{a−1}(1−t)^{b−1} dt,
  /// for a, b > 0 and 0 ≤ x ≤ 1 (NaN otherwise).
  ///
  /// Continued fraction (NR §6.4): Iₓ(a, b) = xᵃ(1−x)ᵇ/(a B(a, b)) · 1/(1+ d₁/(1+ d₂/(1+ ⋯))),
  /// d₂ₘ₊₁ = −(a+m)(a+b+m)x/((a+2m)(a+2m+1)), d₂ₘ = m(b−m)x/((a+2m−1)(a+2m)), evaluated by
  /// modified Lentz; it converges fast for x < (a+1)/(a+b+2), otherwise the symmetry
  /// Iₓ(a, b) = 1 − I₁₋ₓ(b, a) is used. Relative error ≤ 2·10⁻¹⁴ against mpmath for a, b
  /// from 10⁻² to 10⁶, except where a value formed as 1 − I is much smaller than 1.
  public static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    guard a > 0, b > 0, x >= 0, x <= 1 else { return .nan }
    if x == 0 { return 0 }
    if x == 1 { return 1 }
    let logX = Double.log(x), log1mX = Double.log(onePlus: -x)
    let logFront = a * logX + b * log1mX - logBeta(a, b)
    if x < (a + 1) / (a + b + 2) {
      return Double.exp(logFront) * betaContinuedFraction(x, a, b) / a
    }
    return 1 - Double.exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
  }

  private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    var m = 1.0
    while m <= maxIterations {
      let m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) <= convergenceTolerance { break }
      m += 1
    }
    return h
  }

  /// Φ(z) = ½ erfc(−z/√2), the standard normal CDF (accurate in both tails down to 10⁻³⁰⁸).
  public static func standardNormalCDF(_ z: Double) -> Double {
    0.5 * Double.erfc(-z / 2.0.squareRoot())
  }

  /// log(1 − Φ(z)), the log upper tail of the standard normal, for all z.
  ///
  /// z < 0: log(1 − Q(−z)) with log1p. 0 ≤ z < 30: log(½ erfc(z/√2)). z ≥ 30 (where erfc
  /// nears underflow): the asymptotic series
  /// 1 − Φ(z) = φ(z)/z · Σₖ (−1)ᵏ (2k−1)!!/z²ᵏ, summed until terms drop below 10⁻¹⁷.
  public static func logStandardNormalTail(_ z: Double) -> Double {
    if z < 0 { return Double.log(onePlus: -0.5 * Double.erfc(-z / 2.0.squareRoot())) }
    if z < 30 { return Double.log(0.5 * Double.erfc(z / 2.0.squareRoot())) }
    if z == .infinity { return -.infinity }
    let r2 = 1 / (z * z)
    var term = 1.0, sum = 1.0, k = 1.0
    while abs(term) > 1e-17 {
      term *= -(2 * k - 1) * r2
      sum += term
      k += 1
    }
    return -0.5 * z * z - halfLogTwoPi - Double.log(z) + Double.log(sum)
  }

  /// log(Φ(hi) − Φ(lo)) for lo < hi (either may be infinite), without cancellation when the
  /// interval lies far in a tail.
  ///
  /// Intervals straddling 0, or inside [−1, 1]: ½[erf(hi/√2) − erf(lo/√2)]. Intervals in the
  /// right tail: log Q(lo) + log(1 − exp(log Q(hi) − log Q(lo))) with Q = 1 − Φ from
  /// `logStandardNormalTail`; left-tail intervals by symmetry. Intervals narrower than ε·|lo|
  /// lose the relative accuracy ε·|lo|/(hi − lo) that any difference of CDFs loses.
  public static func logStandardNormalMass(_ lo: Double, _ hi: Double) -> Double {
    if lo < 0 && hi > 0 || lo >= 0 && hi <= 1 || lo >= -1 && hi <= 0 {
      let s = 1 / 2.0.squareRoot()
      return Double.log(0.5 * (Double.erf(hi * s) - Double.erf(lo * s)))
    }
    if hi <= 0 { return logStandardNormalMass(-hi, -lo) }
    let logQLo = logStandardNormalTail(lo), logQHi = logStandardNormalTail(hi)
    return logQLo + Double.log(-Double.expMinusOne(logQHi - logQLo))
  }

  /// log I₀(x) for x ≥ 0, with I₀(x) = Σₖ (x²/4)ᵏ/(k!)² the modified Bessel function of the
  /// first kind of order 0.
  ///
  /// x < 25: the power series (positive terms, relative error ~10⁻¹⁵). x ≥ 25: the asymptotic
  /// expansion I₀(x) ~ eˣ/√(2πx) · Σₖ [(2k−1)!!]²/(k! (8x)ᵏ), summed while terms decrease and
  /// exceed 10⁻¹⁷ (its smallest term, ~e^{−2x}, is far below that).
  public static func logBesselI0(_ x: Double) -> Double {
    if x < 25 {
      // I₀(x) − 1 = Σₖ≥₁ …, so that log(1 + ·) keeps full precision for small x.
      let q = 0.25 * x * x
      var term = 1.0, sum = 0.0, k = 1.0
      repeat {
        term *= q / (k * k)
        sum += term
        k += 1
      } while term > 1e-17 * (1 + sum)
      return Double.log(onePlus: sum)
    }
    var term = 1.0, sum = 1.0, k = 1.0
    while term > 1e-17 * sum {
      term *= (2 * k - 1) * (2 * k - 1) / (8 * k * x)
      sum += term
      k += 1
    }
    return x - 0.5 * Double.log(2 * Double.pi * x) + Double.log(sum)
  }

  /// A(x) = I₁(x)/I₀(x) for x ≥ 0: the mean resultant length of a von Mises distribution
  /// with concentration x.
  ///
  /// From the continued fraction Iⱼ/Iⱼ₋₁ = 1/(2j/x + Iⱼ₊₁/Iⱼ), run backward from
  /// j = `besselRatioStart(x)` with Iⱼ₊₁/Iⱼ = 0 there (error below e⁻¹⁰⁰).
  public static func besselI1OverI0(_ x: Double) -> Double {
    if x == 0 { return 0 }
    var ratio = 0.0
    for j in stride(from: besselRatioStart(x), through: 1, by: -1) {
      ratio = 1 / (2 * Double(j) / x + ratio)
    }
    return ratio
  }

  /// An index N from which the backward recurrence of Iⱼ/Iⱼ₋₁ is accurate for all j ≤ N − 30:
  /// the ratios behave like exp(−j/x) for j ≪ x, so the start-up error decays like
  /// exp(−N²/x), and like (x/2j)² per step for j ≫ x.
  static func besselRatioStart(_ x: Double) -> Int { 40 + Int(10 * x.squareRoot()) }
}
