import BayesFlow
import Foundation
import Simulators
import Tensors
import XCTest

/// The `stellar_tracks` simulator: exactness at grid nodes, the truncated prior, continuity,
/// reproducibility, options.
final class StellarTracksTests: XCTestCase {
  static func noiseless(bands: [PhotometricBand] = [.V, .I, .J, .H]) throws -> StellarTracks {
    var options = StellarTracks.Options()
    options.noise = 0
    options.bands = bands
    return try StellarTracks(options: options)
  }

  func testDeclaresParametersShapeAndDerivedQuantities() throws {
    let sim = try StellarTracks()
    XCTAssertEqual(sim.name, "stellar_tracks")
    XCTAssertEqual(sim.parameterNames, ["log_age", "log_mass", "metallicity", "A_V"])
    XCTAssertEqual(sim.parameters[0].support, .interval(lower: 6.0, upper: 10.2))
    XCTAssertEqual(sim.parameters[1].support, .interval(lower: -1.0, upper: 2.5))
    XCTAssertEqual(sim.parameters[2].support, .interval(lower: -2.19174, upper: 0.3))
    XCTAssertEqual(sim.parameters[3].support, .interval(lower: 0, upper: 3))
    XCTAssertEqual(sim.observationShape, .vector(4))
    XCTAssertEqual(sim.derivedQuantityNames, ["mass_current", "log_L", "log_Teff", "log_g"])
    XCTAssertNil(sim.priorLogDensity([8, 0, 0, 1]))
    print("stellar_tracks: prior acceptance \(sim.priorAcceptance)")
  }

  /// At a grid node with A_V = 0 and no noise, every row of unique mass comes back exactly
  /// (all 11 bands and the 4 derived quantities; float32 storage, so 1e-4 is generous).
  func testGridNodesReproduceTheGrid() throws {
    let all = PhotometricBand.allCases
    let sim = try StellarTracksTests.noiseless(bands: all)
    let grid = sim.grid
    var rng = RandomStream(seed: 1)
    var checked = 0
    for k in stride(from: 0, to: grid.isochroneCount, by: 7) {
      let (z, t) = grid.node(ofIsochrone: k)
      let rows = grid.rows(ofIsochrone: k)
      for r in rows {
        let m = grid.logMass(row: r)
        if r > rows.lowerBound && grid.logMass(row: r - 1) == m { continue }
        if r + 1 < rows.upperBound && grid.logMass(row: r + 1) == m { continue }
        let theta = [t, m, z, 0.0]
        let mags = all.map { grid.value($0.column, row: r) }
        if mags.contains(where: \.isNaN) {
          XCTAssertThrowsError(try sim.simulate(theta, &rng))
          continue
        }
        let y = try sim.simulate(theta, &rng).values
        for (b, band) in all.enumerated() {
          XCTAssertEqual(y[b], mags[b], accuracy: 1e-4, "\(band) at isochrone \(k) row \(r)")
        }
        let derived = sim.derivedQuantities(theta)
        for (i, column) in [StellarGrid.Column.massCurrent, .logL, .logTeff, .logG].enumerated() {
          XCTAssertEqual(derived[i], grid.value(column, row: r), accuracy: 1e-4, "\(column) at isochrone \(k) row \(r)")
        }
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 15_000)
  }

  /// A solar twin (4.57 Gyr, 1 M☉, [M/H] = 0, off all nodes): M_V ≈ 4.8, L ≈ L☉, Teff ≈ 5770 K,
  /// log g ≈ 4.44 (PARSEC's solar calibration is within a few per cent of these).
  func testSolarTwin() throws {
    let sim = try StellarTracksTests.noiseless(bands: [.V, .K])
    var rng = RandomStream(seed: 6)
    let theta = [log10(4.57e9), 0.0, 0.0, 0.0]
    let y = try sim.simulate(theta, &rng).values
    let d = sim.derivedQuantities(theta)
    XCTAssertEqual(y[0], 4.81, accuracy: 0.15, "M_V")
    XCTAssertEqual(y[0] - y[1], 1.5, accuracy: 0.15, "V − K")
    XCTAssertEqual(d[0], 1.0, accuracy: 0.01, "current mass")
    XCTAssertEqual(d[1], 0.0, accuracy: 0.06, "log L")
    XCTAssertEqual(d[2], log10(5772.0), accuracy: 0.01, "log Teff")
    XCTAssertEqual(d[3], 4.438, accuracy: 0.05, "log g")
    print("solar twin: V \(y[0]), V−K \(y[0] - y[1]), derived \(d)")
  }

  /// Off-node lookups blend the corners: between two age nodes on the lower main sequence the
  /// magnitude lies between the two nodes' magnitudes at the same mass.
  func testOffNodeLowerMainSequenceIsBetweenTheNodes() throws {
    let sim = try StellarTracksTests.noiseless()
    var rng = RandomStream(seed: 2)
    for z in [-1.95, -0.45, 0.3] {
      for m in [-0.8, -0.5, -0.2] {
        let a = try sim.simulate([9.0, m, z, 0], &rng).values[0]
        let b = try sim.simulate([9.12, m, z, 0], &rng).values[0]
        let mid = try sim.simulate([9.06, m, z, 0], &rng).values[0]
        XCTAssertEqual(mid, (a + b) / 2, accuracy: 1e-9, "[M/H] \(z), log M \(m)")
      }
    }
  }

  /// Extinction adds A_V·(A_b/A_V); noise has the configured scale.
  func testExtinctionAndNoise() throws {
    let sim = try StellarTracksTests.noiseless()
    var rng = RandomStream(seed: 3)
    let theta = [9.5, -0.1, -0.3, 0.0]
    let clean = try sim.simulate(theta, &rng).values
    let reddened = try sim.simulate([9.5, -0.1, -0.3, 2.0], &rng).values
    for b in 0..<4 {
      XCTAssertEqual(reddened[b] - clean[b], 2 * sim.extinctionRatios[b], accuracy: 1e-12)
    }
    let noisy = try StellarTracks()
    let n = 20_000
    var sum = 0.0, sumSq = 0.0
    for _ in 0..<n {
      let d = try noisy.simulate(theta, &rng).values[0] - clean[0]
      sum += d
      sumSq += d * d
    }
    let sd = (sumSq / Double(n) - (sum / Double(n)) * (sum / Double(n))).squareRoot()
    XCTAssertEqual(sum / Double(n), 0, accuracy: 4 * 0.03 / Double(n).squareRoot())
    XCTAssertEqual(sd, 0.03, accuracy: 4 * 0.03 / (2 * Double(n)).squareRoot())
  }

  /// Prior draws are existing, observable stars inside the box; stars that do not exist at
  /// their age are never drawn.
  func testPriorReturnsOnlyExistingObservableStars() throws {
    let sim = try StellarTracks()
    let grid = sim.grid
    var rng = RandomStream(seed: 4)
    var oldMassive = 0
    for _ in 0..<20_000 {
      let theta = sim.samplePrior(&rng)
      XCTAssertTrue(sim.inPriorSupport(theta))
      XCTAssertTrue(zip(sim.parameters, theta).allSatisfy { $0.support.contains($1) })
      let star = try XCTUnwrap(grid.lookup(metallicity: theta[2], logAge: theta[0], logMass: theta[1]))
      for band in sim.options.bands { XCTAssertLessThanOrEqual(grid.value(band.column, at: star), 30) }
      XCTAssertTrue(sim.derivedQuantities(theta).allSatisfy(\.isFinite))
      XCTAssertNoThrow(try sim.simulate(theta, &rng))
      // The oldest isochrones end below 1.04 M☉ (README: 0.74–1.03 at log age 10.08–10.2).
      if theta[0] > 10.08 && theta[1] > log10(1.04) { oldMassive += 1 }
    }
    XCTAssertEqual(oldMassive, 0)
    // Stars that do not exist are outside the support, and fail to simulate.
    let dead = [9.6, log10(3.0), 0.0, 1.0]  // a 3 M☉ star at 4 Gyr is a white dwarf
    XCTAssertFalse(sim.inPriorSupport(dead))
    XCTAssertThrowsError(try sim.simulate(dead, &rng))
    XCTAssertTrue(sim.derivedQuantities(dead).allSatisfy(\.isNaN))
    XCTAssertFalse(sim.inPriorSupport([9.6, log10(0.5), 0.0, 3.5]))  // A_V outside the box
  }

  /// The largest jump of f on [a, b]: scan in steps of `h`, and bisect every step whose
  /// change exceeds `tolerance` 40 times towards its larger half. A continuous function (even a
  /// steep one) leaves a change of about slope · h / 2⁴⁰; a discontinuity leaves its full size.
  static func largestJump(from a: Double, to b: Double, h: Double = 1e-3, tolerance: Double = 1e-3,
                          _ f: (Double) -> [Double]) -> [Double] {
    var worst = [Double](repeating: 0, count: f(a).count)
    var x = a
    while x < b {
      let x1 = min(b, x + h)
      let fa = f(x), fb = f(x1)
      for i in worst.indices where abs(fb[i] - fa[i]) > tolerance {
        var (lo, hi, flo, fhi) = (x, x1, fa[i], fb[i])
        for _ in 0..<40 {
          let mid = (lo + hi) / 2, fm = f(mid)[i]
          if abs(fm - flo) >= abs(fhi - fm) { (hi, fhi) = (mid, fm) } else { (lo, flo) = (mid, fm) }
        }
        worst[i] = max(worst[i], abs(fhi - flo))
      }
      x = x1
    }
    return worst
  }

  /// Derived quantities and V are continuous in mass along the main sequence (from M_min to the
  /// turn-off, across M_a where mass matching hands over to phase matching), at off-node ages
  /// and metallicities; they are steep near the turn-off hook (up to ~200 mag/dex), so the test
  /// looks for jumps, not slopes.
  func testDerivedQuantitiesAreContinuousInMassAlongTheMainSequence() throws {
    let sim = try StellarTracksTests.noiseless()
    let grid = sim.grid
    var rng = RandomStream(seed: 5)
    for (t, z) in [(9.3, -0.5), (7.5, 0.1), (10.1, -2.0), (6.7, -1.3), (8.41, -1.0), (6.05, 0.2)] {
      let iso = SyntheticIsochrone(grid: grid, corners: try XCTUnwrap(grid.corners(metallicity: z, logAge: t)))
      let msEnd = iso.turnOffLogMass
      XCTAssertLessThan(iso.anchorLogMass, msEnd)
      let jumps = StellarTracksTests.largestJump(from: iso.lowerLogMass, to: msEnd) { m in
        sim.derivedQuantities([t, m, z, 0]) + [(try? sim.simulate([t, m, z, 0], &rng).values[0]) ?? .nan]
      }
      for (name, jump) in zip(sim.derivedQuantityNames + ["V"], jumps) {
        XCTAssertLessThan(jump, 1e-6, "\(name) jumps at log t \(t), [M/H] \(z)")
      }
    }
    // The He flash (RGB tip → core-He burning, same initial mass) is a real jump and is kept.
    let k = grid.isochrone(metallicity: 9, age: 32)  // [M/H] +0.05, log t 9.84 (README Q4)
    let rgb = try XCTUnwrap(grid.rows(ofIsochrone: k, segment: 2)), cheb = try XCTUnwrap(grid.rows(ofIsochrone: k, segment: 3))
    XCTAssertEqual(grid.logMass(row: rgb.upperBound), grid.logMass(row: cheb.lowerBound))
    let (z, t) = grid.node(ofIsochrone: k)
    let flash = StellarTracksTests.largestJump(from: grid.logMass(row: rgb.lowerBound), to: grid.logMass(row: cheb.upperBound),
                                               h: 1e-5) { m in [sim.derivedQuantities([t, m, z, 0])[1]] }
    XCTAssertGreaterThan(flash[0], 1.5)  // log L 3.402 → 1.701
  }

  func testSimulationsAreReproducibleBySeed() throws {
    let sim = try StellarTracks()
    func run(_ seed: UInt64) throws -> [[Double]] {
      try (0..<200).map { i in
        var rng = RandomStream(seed: seed, stream: UInt64(i))
        let theta = sim.samplePrior(&rng)
        return theta + (try sim.simulate(theta, &rng).values)
      }
    }
    let serial = try run(7)
    XCTAssertEqual(serial, try run(7))
    XCTAssertNotEqual(serial, try run(8))
    // The same draws from two threads sharing the grid (immutable shared state).
    final class Box: @unchecked Sendable { var rows = [[Double]](repeating: [], count: 200) }
    let box = Box()
    DispatchQueue.concurrentPerform(iterations: 4) { part in
      for i in stride(from: part, to: 200, by: 4) {
        var rng = RandomStream(seed: 7, stream: UInt64(i))
        let theta = sim.samplePrior(&rng)
        box.rows[i] = theta + ((try? sim.simulate(theta, &rng).values) ?? [])
      }
    }
    XCTAssertEqual(box.rows, serial)
  }

  func testOptionsAreReadAndValidatedWithPaths() throws {
    func make(_ json: String) throws -> StellarTracks {
      let options = try ConfigObject(try JSONValue.parse(json), path: "simulator.options")
      let sim = try StellarTracks(config: options)
      try options.finish()
      return sim
    }
    let custom = try make(#"{"bands": ["B", "V", "K", "G"], "noise": 0.05, "log_age": [8, 9.5], "log_mass": [-0.5, 0.5], "metallicity": [-1, 0], "A_V": [0, 1], "magnitude_limit": 25, "R_V": 3.1}"#)
    XCTAssertEqual(custom.options.bands, [.B, .V, .K, .G])
    XCTAssertEqual(custom.observationShape, .vector(4))
    XCTAssertEqual(custom.options.noise, 0.05)
    XCTAssertEqual(custom.parameters[0].support, .interval(lower: 8, upper: 9.5))
    XCTAssertEqual(custom.options.magnitudeLimit, 25)
    let defaults = try make("{}")
    XCTAssertEqual(defaults.options, StellarTracks.Options())

    let cases: [(String, String)] = [
      (#"{"bands": ["V", "X"]}"#, "simulator.options.bands[1]"),
      (#"{"bands": []}"#, "simulator.options.bands"),
      (#"{"bands": ["V", "V"]}"#, "simulator.options.bands"),
      (#"{"noise": -1}"#, "simulator.options.noise"),
      (#"{"log_age": [5.5, 9]}"#, "simulator.options.log_age"),
      (#"{"log_age": [9, 8]}"#, "simulator.options.log_age"),
      (#"{"log_age": [9, 9]}"#, "simulator.options.log_age"),
      (#"{"log_mass": [0]}"#, "simulator.options.log_mass"),
      (#"{"metallicity": [-3, 0]}"#, "simulator.options.metallicity"),
      (#"{"A_V": [0, 30]}"#, "simulator.options.A_V"),
      (#"{"R_V": "3.1"}"#, "simulator.options.R_V"),
      (#"{"bandz": ["V"]}"#, "simulator.options.bandz"),
      (#"{"log_age": [10.1, 10.2], "log_mass": [1, 2]}"#, "simulator.options"),
    ]
    var bad = StellarTracks.Options()
    bad.logMass = 0.5...3.0
    XCTAssertThrowsError(try StellarTracks(options: bad)) { XCTAssertEqual(($0 as? ConfigError)?.path, "log_mass") }
    bad = StellarTracks.Options()
    bad.bands = []
    XCTAssertThrowsError(try StellarTracks(options: bad)) { XCTAssertEqual(($0 as? ConfigError)?.path, "bands") }
    for (json, path) in cases {
      XCTAssertThrowsError(try make(json), json) { error in
        guard let error = error as? ConfigError else { return XCTFail("\(json): \(error)") }
        XCTAssertEqual(error.path, path, "\(json): \(error)")
      }
    }
  }

  /// The factory to add to `BuiltinSimulators.registry` (Simulators/Registry.swift), exercised
  /// through a registry of its own: options are read, unknown keys rejected with their path.
  func testRegistryFactorySnippet() throws {
    let registry = SimulatorRegistry([
      SimulatorFactory(name: "stellar_tracks", about: StellarTracks.summary) { options in
        try StellarTracks(config: options)
      },
    ])
    let sim = try registry.make(name: "stellar_tracks", options: try JSONValue.parse(#"{"bands": ["V", "I"], "noise": 0.05}"#))
    XCTAssertEqual(sim.observationShape, .vector(2))
    XCTAssertEqual(sim.parameterNames, ["log_age", "log_mass", "metallicity", "A_V"])
    XCTAssertThrowsError(try registry.make(name: "stellar_tracks", options: try JSONValue.parse(#"{"nois": 0.05}"#))) {
      XCTAssertEqual(($0 as? ConfigError)?.path, "simulator.options.nois")
    }
    let config = try JSONValue.parse(#"{"simulator": {"name": "stellar_tracks", "options": {"log_age": [5, 9]}}}"#)
    XCTAssertThrowsError(try registry.make(from: config)) {
      XCTAssertEqual(($0 as? ConfigError)?.path, "simulator.options.log_age")
    }
  }

  /// Simulations per second on one thread (reported, not asserted; see docs/stellar-grid.md).
  func testThroughput() throws {
    let sim = try StellarTracks()
    var rng = RandomStream(seed: 9)
    let thetas = (0..<20_000).map { _ in sim.samplePrior(&rng) }
    let n = 200_000
    var checksum = 0.0
    var start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<n { checksum += try sim.simulate(thetas[i % thetas.count], &rng).values[0] }
    let simulate = Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<n { checksum += sim.samplePrior(&rng)[0] }
    let prior = Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<n {
      let theta = sim.samplePrior(&rng)
      checksum += try sim.simulate(theta, &rng).values[0]
    }
    let both = Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    XCTAssertTrue(checksum.isFinite)
    print(String(format: "stellar_tracks throughput (1 thread): simulate %.0f/s, samplePrior %.0f/s, prior + simulate %.0f/s",
                 simulate, prior, both))
  }
}
