import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

/// Every invertible block and small flows (affine and spline, random and orthogonal mixing):
/// round trips, log-det against a finite-difference Jacobian, gradient checks, identity at
/// initialisation. Weights are randomised (zero-initialised output layers and ActNorm included)
/// so that each check can fail.
final class InvertibleBlockTests: XCTestCase {
  let dimensions = [1, 2, 3, 5, 10]

  /// The spread of the randomised weights. The round-trip error in Float is about the unit
  /// roundoff times the condition number of the map, which grows like exp(Σ|log-derivatives|)
  /// through a stack: with inputs up to |x| = 10 feeding the subnets, weights 4× larger make
  /// 3-block spline flows (d = 10) amplify roundoff by > 10⁶ even in Double (measured). With
  /// these scales the Float round trip sees a mean |log-det| per dimension of 0.02–0.45
  /// (asserted > 0.02: non-trivial) and the Double checks larger ones.
  func weightScale(_ name: String, double: Bool) -> Double {
    if name.contains("spline") && !double { return name.hasPrefix("flow") ? 0.03 : 0.05 }
    if name.hasPrefix("flow") || name == "affine-noclamp" { return 0.1 }
    return double ? 0.3 : 0.2
  }

  func changesVolume(_ name: String) -> Bool {
    name.hasPrefix("affine") || name.hasPrefix("spline") || name.hasPrefix("actnorm") || name.hasPrefix("flow")
  }

  /// inverse(forward(x)) = x in Float to < 1e-4 (|x| up to 10), and the two log-dets cancel.
  func testRoundTripFloat() {
    for d in dimensions {
      for cd in [0, 3] {
        for (name, block) in invertibleBlocks(Float.self, dimension: d, condition: cd, seed: UInt64(10 * d + cd)) {
          randomize(block, seed: UInt64(d), scale: weightScale(name, double: false))
          let rows = 64
          let x = mixedInputs(rows * d, seed: 3).map { Float($0) }
          let c = cd > 0 ? randomValues(rows * cd, seed: 5).map { Float($0) } : nil
          let (z, ld) = evaluate(block, x, dimension: d, condition: c, conditionDimension: cd)
          let (back, ldInverse) = evaluate(block, z, dimension: d, condition: c, conditionDimension: cd, inverse: true)
          let err = zip(x, back).map { abs($0 - $1) }.max()!
          XCTAssertLessThan(err, 1e-4, "\(name) d=\(d) c=\(cd): round-trip error \(err)")
          let ldErr = zip(ld, ldInverse).map { abs($0 + $1) }.max()!
          XCTAssertLessThan(ldErr, 1e-4, "\(name) d=\(d) c=\(cd): log-det forward + inverse = \(ldErr)")
          XCTAssertTrue(z.allSatisfy(\.isFinite), "\(name) d=\(d)")
          if changesVolume(name) {
            let meanAbs = ld.map { abs($0) }.reduce(0, +) / Float(rows * d)
            XCTAssertGreaterThan(meanAbs, 0.02, "\(name) d=\(d): log-det per dimension is trivial")
          }
        }
      }
    }
  }

  /// log|det J| of forward (and of inverse) equals log|det| of the central-difference Jacobian
  /// (Double, h = 1e-6) to 1e-5 relative (absolute below 1), at points inside and outside the
  /// spline's interval [−3, 3].
  func testLogDeterminantMatchesFiniteDifferences() {
    for d in dimensions {
      for cd in [0, 2] {
        for (name, block) in invertibleBlocks(Double.self, dimension: d, condition: cd, seed: UInt64(7 * d + cd)) {
          randomize(block, seed: UInt64(d + 100), scale: weightScale(name, double: true))
          let rows = 4
          let x = randomValues(rows * d, seed: UInt64(d), scale: 2.5)
          let c = cd > 0 ? randomValues(rows * cd, seed: 9) : nil
          for inverse in [false, true] {
            let analytic = evaluate(block, x, dimension: d, condition: c, conditionDimension: cd, inverse: inverse).logDet
            for r in 0..<rows {
              let cr = c.map { Array($0[(r * cd)..<((r + 1) * cd)]) }
              let numeric = numericalLogAbsDeterminant(at: Array(x[(r * d)..<((r + 1) * d)])) {
                evaluate(block, $0, dimension: d, condition: cr, conditionDimension: cd, inverse: inverse).z
              }
              XCTAssertLessThan(abs(analytic[r] - numeric) / max(1, abs(numeric)), 1e-5,
                                "\(name) d=\(d) c=\(cd) inverse=\(inverse) row \(r): \(analytic[r]) vs \(numeric)")
            }
            // The log-det must not be trivially zero for the blocks that change volume.
            if changesVolume(name) {
              XCTAssertGreaterThan(analytic.map(abs).max()!, 1e-3, "\(name) d=\(d): log-det is trivially 0")
            }
          }
        }
      }
    }
  }

  /// VJPs of [z | log-det] w.r.t. x, c and all trainable parameters, for forward and inverse
  /// (Double, central differences, random cotangent) to < 1e-6: single blocks.
  func testBlockGradients() { checkBlockGradients(dimensions: [1, 2, 3, 5]) { !$0.hasPrefix("flow") } }

  /// The same for small flows (3 blocks; affine and spline; permutation and rotation).
  func testFlowGradients() { checkBlockGradients(dimensions: [1, 2, 3]) { $0.hasPrefix("flow") } }

  func checkBlockGradients(dimensions: [Int], where include: (String) -> Bool) {
    for d in dimensions {
      for cd in [0, 2] {
        for (name, block) in invertibleBlocks(Double.self, dimension: d, condition: cd, seed: UInt64(3 * d + cd))
        where include(name) {
          randomize(block, seed: UInt64(d + 200), scale: weightScale(name, double: true))
          let rows = 3
          // sd 2.5, and two values surely beyond the spline interval [−3, 3] (identity tails).
          var x = randomValues(rows * d, seed: UInt64(d + 1), scale: 2.5)
          x[0] = 4.2
          x[x.count - 1] = -3.7
          var inputs = [(Shape(rows, d), x)]
          if cd > 0 { inputs.append((Shape(rows, cd), randomValues(rows * cd, seed: 4))) }
          for inverse in [false, true] {
            let r = checkGradients(inputs: inputs, parameters: block.namedParameters) { _, xs in
              outputAndLogDet(block, xs[0], condition: xs.count > 1 ? xs[1] : nil, inverse: inverse)
            }
            XCTAssertLessThan(r.maxRelativeError, 1e-6, "\(name) d=\(d) c=\(cd) inverse=\(inverse): \(r)")
          }
        }
      }
    }
  }

  /// A fresh coupling block (zero output layers) is the identity with log-det 0; a fresh flow
  /// (ActNorms marked initialised, so σ = β = 0) is its fixed permutations and rotations only:
  /// it keeps every row's norm, with log-det 0.
  func testFreshBlocksAreTheIdentity() {
    for d in [1, 4] {
      for (name, block) in invertibleBlocks(Float.self, dimension: d, condition: 2, seed: 1)
      where name.hasPrefix("affine") || name.hasPrefix("spline") || name.hasPrefix("flow") {
        for (key, p) in block.namedParameters where key.hasSuffix("initialized") { p.value[0] = 1 }
        let x = mixedInputs(16 * d, seed: 2).map { Float($0) }
        let c = randomValues(16 * 2, seed: 3).map { Float($0) }
        let (z, ld) = evaluate(block, x, dimension: d, condition: c, conditionDimension: 2)
        XCTAssertLessThan(ld.map(abs).max()!, 1e-5, name)
        if name.hasPrefix("flow") {
          for r in 0..<16 {
            let norm = { (v: [Float]) in v[(r * d)..<((r + 1) * d)].reduce(0) { $0 + $1 * $1 }.squareRoot() }
            XCTAssertEqual(norm(z), norm(x), accuracy: 1e-4 * max(1, norm(x)), name)
          }
        } else {
          XCTAssertLessThan(zip(x, z).map { abs($0 - $1) }.max()!, 2e-5, name)
        }
      }
    }
  }

  /// ActNorm maps its first finite batch to mean 0 and sd 1 per dimension; a batch with a NaN
  /// or ∞ does not initialise it.
  func testActNormDataDependentInitialisation() {
    let d = 3, rows = 500
    let act = ActNorm<Float>(dimension: d)
    let x = randomValues(rows * d, seed: 8).enumerated().map { Float($0.element * Double($0.offset % d + 1) + Double($0.offset % d) * 4) }
    var bad = x
    bad[4] = .nan
    _ = evaluate(act, bad, dimension: d, condition: nil, conditionDimension: 0)
    bad[4] = .infinity
    _ = evaluate(act, bad, dimension: d, condition: nil, conditionDimension: 0)
    XCTAssertFalse(act.isInitialized)
    XCTAssertEqual(act.logScale.values + act.bias.values, [Float](repeating: 0, count: 2 * d))
    let (z, _) = evaluate(act, x, dimension: d, condition: nil, conditionDimension: 0)
    XCTAssertTrue(act.isInitialized)
    for j in 0..<d {
      let column = stride(from: j, to: rows * d, by: d).map { Double(z[$0]) }
      let mean = column.reduce(0, +) / Double(rows)
      let sd = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)).squareRoot()
      XCTAssertEqual(mean, 0, accuracy: 1e-5)
      XCTAssertEqual(sd, 1, accuracy: 1e-5)
    }
    // A second batch does not initialise again.
    let before = act.logScale.values
    _ = evaluate(act, x.map { $0 * 10 }, dimension: d, condition: nil, conditionDimension: 0)
    XCTAssertEqual(act.logScale.values, before)
  }

  /// Permutation indices and orthogonal weights are saved parameters: loading them into a
  /// block built with another seed reproduces the block.
  func testFixedMixingIsRebuiltFromParameters() throws {
    var r1 = RandomStream(seed: 1), r2 = RandomStream(seed: 2)
    let a = RandomPermutation<Float>(dimension: 7, rng: &r1), b = RandomPermutation<Float>(dimension: 7, rng: &r2)
    XCTAssertEqual(a.permutation.sorted(), Array(0..<7))
    XCTAssertNotEqual(a.permutation, b.permutation)
    try b.loadParameters(a.parameterValues())
    XCTAssertEqual(a.permutation, b.permutation)
    let x = (0..<14).map(Float.init)
    XCTAssertEqual(evaluate(a, x, dimension: 7, condition: nil, conditionDimension: 0).z,
                   evaluate(b, x, dimension: 7, condition: nil, conditionDimension: 0).z)
    let z = evaluate(a, x, dimension: 7, condition: nil, conditionDimension: 0).z
    for j in 0..<7 { XCTAssertEqual(z[j], x[a.permutation[j]]) }
    XCTAssertEqual(a.namedParameters.map(\.name), ["indices"])
    XCTAssertFalse(a.indices.isTrainable)
    let m = OrthogonalMixing<Float>(dimension: 4, rng: &r1)
    XCTAssertEqual(m.namedParameters.map(\.name), ["weight"])
    XCTAssertFalse(m.weight.isTrainable)
  }

  /// D = 1 with a condition: the coupling's parameters come from c alone (one subnet); without
  /// one, from a learned constant. Odd D splits ⌈D/2⌉ / ⌊D/2⌋.
  func testDimensionOneAndOddSplits() {
    var rng = RandomStream(seed: 4)
    let conditional = AffineCoupling<Float>(dimension: 1, conditionDimension: 2, subnet: .init(widths: [4]), rng: &rng)
    XCTAssertEqual(conditional.namedParameters.map(\.name),
                   ["subnet1.dense1.weight", "subnet1.dense1.bias", "subnet1.output.weight", "subnet1.output.bias"])
    XCTAssertEqual(conditional.namedParameters[0].parameter.shape, Shape(2, 4))
    let plain = SplineCoupling<Float>(dimension: 1, subnet: .init(widths: [4]), bins: 4, rng: &rng)
    XCTAssertEqual(plain.namedParameters.map(\.name), ["subnet1.output.bias"])
    XCTAssertEqual(plain.namedParameters[0].parameter.shape, Shape(11))
    let odd = AffineCoupling<Float>(dimension: 5, conditionDimension: 3, subnet: .init(widths: [4]), rng: &rng)
    XCTAssertEqual([odd.firstHalf, odd.secondHalf], [3, 2])
    let shapes = Dictionary(uniqueKeysWithValues: odd.namedParameters.map { ($0.name, $0.parameter.shape) })
    XCTAssertEqual(shapes["subnet1.dense1.weight"], Shape(2 + 3, 4))  // [x₂, c] → parameters of x₁
    XCTAssertEqual(shapes["subnet1.output.weight"], Shape(4, 3 * 2))
    XCTAssertEqual(shapes["subnet2.dense1.weight"], Shape(3 + 3, 4))  // [z₁, c] → parameters of x₂
    XCTAssertEqual(shapes["subnet2.output.weight"], Shape(4, 2 * 2))
  }
}
