import BayesFlow
import Foundation
import Tensors

/// Stellar-track lookup (issue #12; after Ksoll et al. 2020): absolute photometry of a single
/// star from its age, initial mass, metallicity and extinction, over the PARSEC v1.2S
/// isochrone grid (`StellarGrid`, docs/stellar-grid.md).
///
/// Parameters θ = (log_age, log_mass, metallicity, A_V):
///
///     log_age     log₁₀(t/yr)          ~ U(log_age range)      default (6.0, 10.2)
///     log_mass    log₁₀(M_ini/M☉)      ~ U(log_mass range)     default (−1.0, 2.5): 0.1–316 M☉
///     metallicity [M/H] (dex)          ~ U(metallicity range)  default (−2.19174, 0.30)
///     A_V         V-band extinction    ~ U(A_V range)          default (0, 3)
///
/// truncated to stars that exist and are observable: a draw is redrawn (rejection inside
/// `samplePrior`) when the star is outside the interpolated isochrone's mass range at that
/// (age, [M/H]) — a remnant, below the lowest mass, or in a phase not present at all four
/// corner isochrones — or when any selected band's noise-free, unreddened absolute magnitude is
/// NaN or fainter than `magnitude_limit` (default 30: cuts the dust-enshrouded TP-AGB stars of
/// quirk Q8 with V up to 102, and the 24 stars beyond the bolometric-correction tables, Q3).
///
/// Observation (vector, one value per band, default V, I, J, H):
///
///     y_b = M_b(θ) + A_V · (A_b/A_V) + σ ε_b,   ε_b ~ N(0, 1)
///
/// with M_b the grid magnitude interpolated by `SyntheticIsochrone`, A_b/A_V from Cardelli,
/// Clayton & Mathis (1989) with R_V = 3.1 at the band's effective wavelength
/// (`PhotometricBand`), and σ = `noise` (default 0.03 mag).
///
/// Derived quantities (deterministic in θ, same interpolation): current mass (M☉), log L
/// (L☉), log Teff (K), log g (cgs). NaN where the star does not exist.
public struct StellarTracks: Simulator {
  /// The configurable part; every field has the default used by the registry.
  public struct Options: Sendable, Equatable {
    public var logAge: ClosedRange<Double> = 6.0...10.2
    public var logMass: ClosedRange<Double> = -1.0...2.5
    public var metallicity: ClosedRange<Double> = -2.19174...0.30
    public var extinction: ClosedRange<Double> = 0...3
    public var bands: [PhotometricBand] = [.V, .I, .J, .H]
    /// Gaussian photometric noise σ (mag) per band.
    public var noise = 0.03
    /// Stars with a noise-free, unreddened magnitude above this in any selected band are
    /// unobservable and excluded from the prior.
    public var magnitudeLimit = 30.0
    /// Total-to-selective extinction R_V of the CCM89 law.
    public var rV = 3.1
    public init() {}
  }

  /// Bounds that options must respect: the grid's extent.
  public static let logAgeBounds = 6.0...10.2
  public static let logMassBounds = log10(0.09)...log10(350.0)
  public static let metallicityBounds = -2.19174...0.30
  public static let extinctionBounds = 0.0...20.0

  /// One line for the registry, available without loading the grid.
  public static let summary = "PARSEC isochrone lookup: log age, log initial mass, [M/H], A_V → absolute magnitudes (default V I J H)"

  public let name = "stellar_tracks"
  public var about: String { StellarTracks.summary }
  public let options: Options
  public let grid: StellarGrid
  /// A_b/A_V of each selected band.
  public let extinctionRatios: [Double]
  /// Share of box-uniform draws that are existing, observable stars (estimated from 20,000
  /// fixed-seed draws at initialisation); 1/this is the mean number of draws per prior sample.
  public let priorAcceptance: Double

  /// A simulator with `options`, which are checked: ranges ordered and inside the grid's
  /// bounds, bands non-empty and distinct, noise ≥ 0, some observable star in the prior box.
  /// Errors are `ConfigError`s whose path is the option's key (`log_age`, `bands`, …).
  public init(options: Options = Options(), grid: StellarGrid? = nil) throws {
    try StellarTracks.validate(options)
    self.options = options
    self.grid = try grid ?? StellarGrid.shared()
    extinctionRatios = options.bands.map { $0.extinctionRatio(rV: options.rV) }
    var rng = RandomStream(seed: 0x57E11A, stream: 0)
    var accepted = 0
    let trials = 20_000
    for _ in 0..<trials {
      let theta = StellarTracks.boxDraw(options, &rng)
      if StellarTracks.existingStar(theta, options, self.grid) != nil { accepted += 1 }
    }
    guard accepted > 0 else {
      throw ConfigError(path: "", "no observable star of the PARSEC grid lies in the prior box "
                        + "(log_age \(options.logAge), log_mass \(options.logMass), metallicity \(options.metallicity))")
    }
    priorAcceptance = Double(accepted) / Double(trials)
  }

  private static func validate(_ o: Options) throws {
    for (key, range, bounds) in [("log_age", o.logAge, logAgeBounds), ("log_mass", o.logMass, logMassBounds),
                                 ("metallicity", o.metallicity, metallicityBounds), ("A_V", o.extinction, extinctionBounds)] {
      guard range.lowerBound < range.upperBound else {
        throw ConfigError(path: key, "lower bound \(range.lowerBound) must be below upper bound \(range.upperBound)")
      }
      guard bounds.contains(range.lowerBound) && bounds.contains(range.upperBound) else {
        throw ConfigError(path: key, "[\(range.lowerBound), \(range.upperBound)] must lie within the grid's [\(bounds.lowerBound), \(bounds.upperBound)]")
      }
    }
    guard !o.bands.isEmpty else { throw ConfigError(path: "bands", "expected at least one band") }
    guard Set(o.bands).count == o.bands.count else {
      throw ConfigError(path: "bands", "bands repeat: \(o.bands.map(\.rawValue))")
    }
    guard o.noise >= 0 && o.noise.isFinite else { throw ConfigError(path: "noise", "expected a number ≥ 0, got \(o.noise)") }
    guard !o.magnitudeLimit.isNaN else { throw ConfigError(path: "magnitude_limit", "expected a number") }
    guard o.rV > 0 && o.rV.isFinite else { throw ConfigError(path: "R_V", "expected a number > 0, got \(o.rV)") }
  }

  /// Reads `bands`, `noise`, `log_age`, `log_mass`, `metallicity`, `A_V`, `magnitude_limit`
  /// and `R_V` from `simulator.options` (ranges as `[lower, upper]`); errors name the JSON path.
  public init(config: ConfigObject, grid: StellarGrid? = nil) throws {
    var o = Options()
    func range(_ key: String, _ def: ClosedRange<Double>) throws -> ClosedRange<Double> {
      let v = try config.doubleArray(key, default: [def.lowerBound, def.upperBound], count: 2...2)
      guard let v, v[0] <= v[1] else {
        let path = config.path.isEmpty ? key : config.path + "." + key
        throw ConfigError(path: path, v.map { "lower bound \($0[0]) must be below upper bound \($0[1])" } ?? "expected [lower, upper], got null")
      }
      return v[0]...v[1]
    }
    o.logAge = try range("log_age", o.logAge)
    o.logMass = try range("log_mass", o.logMass)
    o.metallicity = try range("metallicity", o.metallicity)
    o.extinction = try range("A_V", o.extinction)
    o.bands = (try config.stringArray("bands", default: o.bands.map(\.rawValue),
                                      allowed: PhotometricBand.allCases.map(\.rawValue)) ?? []).map { PhotometricBand(rawValue: $0)! }
    o.noise = try config.double("noise", default: o.noise, in: 0...10)
    o.magnitudeLimit = try config.double("magnitude_limit", default: o.magnitudeLimit, in: -20...200)
    o.rV = try config.double("R_V", default: o.rV, in: 2...6)
    do {
      try self.init(options: o, grid: grid)
    } catch let error as ConfigError {
      let path = [config.path, error.path].filter { !$0.isEmpty }.joined(separator: ".")
      throw ConfigError(path: path, error.message)
    }
  }

  public var parameters: [ParameterSpec] {
    [ParameterSpec("log_age", .interval(lower: options.logAge.lowerBound, upper: options.logAge.upperBound)),
     ParameterSpec("log_mass", .interval(lower: options.logMass.lowerBound, upper: options.logMass.upperBound)),
     ParameterSpec("metallicity", .interval(lower: options.metallicity.lowerBound, upper: options.metallicity.upperBound)),
     ParameterSpec("A_V", .interval(lower: options.extinction.lowerBound, upper: options.extinction.upperBound))]
  }

  public var observationShape: ObservationShape { .vector(options.bands.count) }

  public var derivedQuantityNames: [String] { ["mass_current", "log_L", "log_Teff", "log_g"] }

  /// One draw from the untruncated box prior.
  @inline(__always)
  private static func boxDraw(_ options: Options, _ rng: inout RandomStream) -> SIMD4<Double> {
    SIMD4(rng.uniform(options.logAge.lowerBound, options.logAge.upperBound),
          rng.uniform(options.logMass.lowerBound, options.logMass.upperBound),
          rng.uniform(options.metallicity.lowerBound, options.metallicity.upperBound),
          rng.uniform(options.extinction.lowerBound, options.extinction.upperBound))
  }

  /// The interpolated star at θ if it exists, lies inside the (open) prior box and is
  /// observable in every selected band.
  @inline(__always)
  private static func existingStar(_ theta: SIMD4<Double>, _ options: Options, _ grid: StellarGrid) -> StellarLookup? {
    guard options.logAge.lowerBound < theta[0] && theta[0] < options.logAge.upperBound,
          options.logMass.lowerBound < theta[1] && theta[1] < options.logMass.upperBound,
          options.metallicity.lowerBound < theta[2] && theta[2] < options.metallicity.upperBound,
          options.extinction.lowerBound < theta[3] && theta[3] < options.extinction.upperBound,
          let star = grid.lookup(metallicity: theta[2], logAge: theta[0], logMass: theta[1]) else { return nil }
    for band in options.bands {
      let m = grid.value(band.column, at: star)
      if !(m <= options.magnitudeLimit) { return nil }  // also rejects NaN
    }
    return star
  }

  /// θ ~ p(θ): box-uniform draws, redrawn until the star exists and is observable.
  public func samplePrior(_ rng: inout RandomStream) -> [Double] {
    var tries = 0
    while true {
      let theta = StellarTracks.boxDraw(options, &rng)
      if StellarTracks.existingStar(theta, options, grid) != nil { return [theta[0], theta[1], theta[2], theta[3]] }
      tries += 1
      precondition(tries < 10_000_000, "stellar_tracks: no observable star after 10⁷ prior draws")
    }
  }

  /// Whether θ is inside the prior box and is an existing, observable star.
  public func inPriorSupport(_ theta: [Double]) -> Bool {
    theta.count == 4 && StellarTracks.existingStar(SIMD4(theta[0], theta[1], theta[2], theta[3]), options, grid) != nil
  }

  /// y ~ p(y | θ). Throws `SimulationFailure` when the star does not exist in the grid (θ
  /// outside [M_min, M_max] at its age and metallicity, or outside the grid) or has no
  /// magnitude in a selected band (NaN; the magnitude limit applies only to the prior).
  public func simulate(_ theta: [Double], _ rng: inout RandomStream) throws -> Observation {
    guard theta.count == 4 else { throw SimulationFailure("stellar_tracks: θ has \(theta.count) values, expected 4") }
    guard let star = grid.lookup(metallicity: theta[2], logAge: theta[0], logMass: theta[1]) else {
      throw SimulationFailure("stellar_tracks: no star of log M = \(theta[1]) at log age \(theta[0]), [M/H] = \(theta[2]) in the grid")
    }
    let av = theta[3], sigma = options.noise
    var y = [Double](repeating: 0, count: options.bands.count)
    for (b, band) in options.bands.enumerated() {
      let m = grid.value(band.column, at: star)
      guard m.isFinite else {
        throw SimulationFailure("stellar_tracks: no \(band.rawValue) magnitude at log M = \(theta[1]), log age \(theta[0]), [M/H] = \(theta[2])")
      }
      y[b] = m + av * extinctionRatios[b] + (sigma > 0 ? sigma * rng.normal() : 0)
    }
    return Observation(y)
  }

  /// Current mass, log L, log Teff, log g at θ; NaN if the star does not exist in the grid.
  public func derivedQuantities(_ theta: [Double]) -> [Double] {
    guard theta.count == 4,
          let star = grid.lookup(metallicity: theta[2], logAge: theta[0], logMass: theta[1]) else {
      return [.nan, .nan, .nan, .nan]
    }
    return [grid.value(.massCurrent, at: star), grid.value(.logL, at: star),
            grid.value(.logTeff, at: star), grid.value(.logG, at: star)]
  }
}
