import Foundation

/// Up to four grid isochrones with positive weights summing to 1: the corners of a bilinear
/// interpolation in ([M/H], log age), or any other set (e.g. the two neighbours of a held-out
/// node).
public struct IsochroneCorners: Sendable, Equatable {
  public private(set) var count = 0
  var isochrone = SIMD4<Int>()
  var weight = SIMD4<Double>()

  /// Corners with the given weights; zero weights are dropped and the rest normalised.
  public init(_ corners: [(isochrone: Int, weight: Double)]) {
    for (k, w) in corners where w > 0 { append(k, w) }
    precondition(count > 0, "IsochroneCorners needs 1…4 corners with positive weight")
    normalise()
  }

  init() {}

  mutating func append(_ k: Int, _ w: Double) {
    precondition(count < 4, "at most 4 corner isochrones")
    isochrone[count] = k
    weight[count] = w
    count += 1
  }

  mutating func normalise() {
    var total = 0.0
    for c in 0..<count { total += weight[c] }
    for c in 0..<count { weight[c] = count == 1 ? 1 : weight[c] / total }
  }

  /// Corner `c` (0 ..< count).
  public subscript(c: Int) -> (isochrone: Int, weight: Double) {
    precondition(c >= 0 && c < count)
    return (isochrone[c], weight[c])
  }
}

/// One interpolated star: each corner isochrone contributes the linear interpolation (in
/// log M) between two consecutive rows, `row` and `row + 1`, at `fraction` ∈ [0, 1), with the
/// corner's weight. A fraction of exactly 0 reads `row` alone.
public struct StellarLookup: Sendable, Equatable {
  public internal(set) var count = 0
  var row = SIMD4<Int>()
  var fraction = SIMD4<Double>()
  var weight = SIMD4<Double>()

  /// Corner `c`'s row, fraction towards `row + 1` and weight.
  public subscript(c: Int) -> (row: Int, fraction: Double, weight: Double) {
    precondition(c >= 0 && c < count)
    return (row[c], fraction[c], weight[c])
  }
}

/// Where a star sits on a synthetic isochrone: `piece` 0 is the mass-matched lower main
/// sequence with `x` = log₁₀ M; piece j ≥ 1 runs between anchors j − 1 and j with
/// `x` ∈ [0, 1] the normalised log mass.
public struct PhaseCoordinate: Sendable, Equatable {
  public var piece: Int
  public var x: Double
  public init(piece: Int, x: Double) {
    self.piece = piece
    self.x = x
  }
}

/// The isochrone at an off-grid ([M/H], log age), interpolated from up to four grid isochrones
/// by equivalent evolutionary points, and its lookup by initial mass.
///
/// **Anchors.** Each corner isochrone is cut at the same anchors, so that equal positions
/// between anchors are equal evolutionary states:
///
///     a₀ = M_a = f · min over corners of the MS-end mass (last row of segment 0), f = 0.5
///     a₁ = last row of segment 0 (end of the main sequence, the turn-off)
///     then for every further phase segment s present in *all* corners: first row, last row
///
/// Segments missing from any corner are dropped (e.g. the TP-AGB near log t = 7.92, the CHeB of
/// isochrones that end on the SGB); the piece between two consecutive anchors covers whatever
/// rows lie between them in each corner (the inter-segment link, or a dropped segment).
///
/// **Matching.** Below M_a (the unevolved main sequence and the pre-main sequence) stars are
/// matched at equal initial mass: each corner is read at log M and the corners are blended
/// bilinearly. Between anchors j − 1 and j, a star is placed at the normalised log mass
///
///     x = (log M − S_{j−1}) / (S_j − S_{j−1}),    S_j = Σ_c w_c log M_c(a_j)
///
/// where S_j are the synthetic anchor masses; each corner c is read at
/// log M_c = log M_c(a_{j−1}) + x · (log M_c(a_j) − log M_c(a_{j−1})), and the corners are
/// blended with their weights. Along one isochrone, mass increases with the time a star has
/// evolved, so within a short phase the normalised mass is close to the normalised phase
/// lifetime: this is the scheme of `chronos.isochrone.isointerp2`, with mass matching kept where
/// it is right (the README suggests f ≈ 0.9; the leave-one-age-out test prefers 0.5 by a small
/// margin on the upper main sequence, docs/stellar-grid.md). The synthetic initial mass is
/// linear in x, so mass → (piece, x) is explicit, with no iteration. The lookup is continuous
/// in M except at real jumps (at M_a both schemes agree).
///
/// **Range.** A star exists when M_min ≤ M ≤ M_max, with M_min the largest corner minimum and
/// M_max = the last synthetic anchor S_last (stars above are remnants or in a phase not common
/// to all corners).
///
/// **Ties.** Repeated masses (He flash, TP-AGB float32 ties) are never averaged: within a
/// corner the search takes the last row whose mass is ≤ the target, so a jump of zero width in
/// mass stays a jump (the He flash: RGB tip → core-He burning at one initial mass).
public struct SyntheticIsochrone: Sendable {
  /// Default f: stars below f · (smallest corner turn-off mass) are matched by mass. Chosen
  /// by the leave-one-age-out test over f = 0.3…0.9 (docs/stellar-grid.md).
  public static let defaultMassMatchingFraction = 0.5

  public let grid: StellarGrid
  public let corners: IsochroneCorners
  /// Bit s set for each phase segment s kept (present in all corners).
  public let segmentMask: UInt8
  /// log₁₀ M_min and log₁₀ M_max: the stars that exist on this isochrone.
  public let lowerLogMass: Double
  public private(set) var upperLogMass: Double = -.infinity
  /// log₁₀ M_a, the top of the mass-matched piece (anchor 0).
  public let anchorLogMass: Double
  /// log₁₀ of the synthetic turn-off mass S₁ (end of the main sequence, anchor 1).
  public private(set) var turnOffLogMass: Double = -.infinity
  /// Anchors after a₀ (the pieces are 1…anchorCount).
  public private(set) var anchorCount = 0
  /// 4 bits per anchor j ≥ 1 at bit 4(j − 1): segment << 1 | (1 if its first row, 0 if last).
  private var anchorSpec: UInt64 = 0

  /// The synthetic isochrone of `corners`. `segmentMask` and `anchorLogMass` override the
  /// defaults (intersection of the corners' segments; M_a as above) so that two synthetic
  /// isochrones can share one piece structure, as the leave-one-out accuracy test does.
  public init(grid: StellarGrid, corners: IsochroneCorners, segmentMask: UInt8? = nil,
              anchorLogMass: Double? = nil,
              massMatchingFraction: Double = SyntheticIsochrone.defaultMassMatchingFraction) {
    self.grid = grid
    self.corners = corners
    var mask = segmentMask ?? 0b11_1111
    var lower = -Double.infinity, msEnd = Double.infinity
    for c in 0..<corners.count {
      let k = corners.isochrone[c]
      mask &= grid.segmentMask[k]
      lower = max(lower, grid.logMass[grid.isochroneStart[k]])
      msEnd = min(msEnd, grid.logMass[grid.segmentLast[k * StellarGrid.segmentCount]])
    }
    mask |= 1  // every isochrone has segment 0
    self.segmentMask = mask
    lowerLogMass = lower
    self.anchorLogMass = max(lower, anchorLogMass ?? (log10(massMatchingFraction) + msEnd))
    for s in 0..<StellarGrid.segmentCount where mask & (1 << s) != 0 {
      if s > 0 { addAnchor(segment: s, first: true) }
      addAnchor(segment: s, first: false)
    }
    upperLogMass = anchor(anchorCount).sum
    turnOffLogMass = anchor(1).sum
  }

  private mutating func addAnchor(segment s: Int, first: Bool) {
    anchorSpec |= UInt64(s << 1 | (first ? 1 : 0)) << UInt64(4 * anchorCount)
    anchorCount += 1
  }

  /// Per-corner rows and log masses of anchor j, and the synthetic log mass S_j. Anchor 0
  /// (the mass M_a) starts its piece's search at the first row of segment 0.
  private struct Anchor {
    var rows = SIMD4<Int>()
    var logMass = SIMD4<Double>()
    var sum = 0.0
  }

  @inline(__always)
  private func anchor(_ j: Int) -> Anchor {
    var a = Anchor()
    let spec = j == 0 ? 0 : Int((anchorSpec >> UInt64(4 * (j - 1))) & 0xF)
    let s = spec >> 1, isFirst = spec & 1 == 1
    for c in 0..<corners.count {
      let i = corners.isochrone[c] * StellarGrid.segmentCount + s
      let row = j == 0 || isFirst ? grid.segmentFirst[i] : grid.segmentLast[i]
      let lm = j == 0 ? anchorLogMass : grid.logMass[row]
      a.rows[c] = row
      a.logMass[c] = lm
      a.sum += corners.weight[c] * lm
    }
    return a
  }

  /// The star of initial mass 10^`logMass`, or nil if no such star exists at this age and
  /// metallicity (below M_min, above M_max, or NaN).
  @inline(__always)
  public func lookup(logMass m: Double) -> StellarLookup? {
    guard m >= lowerLogMass && m <= upperLogMass else { return nil }
    if m <= anchorLogMass { return massMatched(m) }
    var previous = anchor(0)
    for j in 1...anchorCount {
      let next = anchor(j)
      if m <= next.sum {
        let width = next.sum - previous.sum
        return resolve(previous, next, x: width > 0 ? max(0, (m - previous.sum) / width) : 0, exact: m)
      }
      previous = next
    }
    return nil
  }

  /// The phase coordinate of initial mass 10^`logMass` (nil outside [M_min, M_max]).
  public func coordinate(logMass m: Double) -> PhaseCoordinate? {
    guard m >= lowerLogMass && m <= upperLogMass else { return nil }
    if m <= anchorLogMass { return PhaseCoordinate(piece: 0, x: m) }
    var previous = anchor(0)
    for j in 1...anchorCount {
      let next = anchor(j)
      if m <= next.sum {
        let width = next.sum - previous.sum
        return PhaseCoordinate(piece: j, x: width > 0 ? min(1, max(0, (m - previous.sum) / width)) : 0)
      }
      previous = next
    }
    return nil
  }

  /// The star at phase coordinate `p` (nil if the piece does not exist or, for piece 0, the
  /// mass is outside [M_min, M_a]).
  public func lookup(at p: PhaseCoordinate) -> StellarLookup? {
    if p.piece == 0 {
      guard p.x >= lowerLogMass && p.x <= anchorLogMass else { return nil }
      return massMatched(p.x)
    }
    guard p.piece >= 1 && p.piece <= anchorCount, p.x >= 0 && p.x <= 1 else { return nil }
    return resolve(anchor(p.piece - 1), anchor(p.piece), x: p.x, exact: nil)
  }

  /// log₁₀ of the synthetic initial mass at phase coordinate `p`.
  public func logMass(at p: PhaseCoordinate) -> Double? {
    if p.piece == 0 { return p.x }
    guard p.piece >= 1 && p.piece <= anchorCount else { return nil }
    let a = anchor(p.piece - 1).sum, b = anchor(p.piece).sum
    return a + p.x * (b - a)
  }

  /// Every corner read at log M itself.
  @inline(__always)
  private func massMatched(_ m: Double) -> StellarLookup {
    var p = StellarLookup()
    p.count = corners.count
    for c in 0..<corners.count {
      let k = corners.isochrone[c] * StellarGrid.segmentCount
      let (row, f) = grid.search(m, from: grid.segmentFirst[k], to: grid.segmentLast[k])
      p.row[c] = row
      p.fraction[c] = f
      p.weight[c] = corners.weight[c]
    }
    return p
  }

  /// Every corner read at normalised position x between anchors `a` and `b`; with a single
  /// corner and a known mass (`exact`), at that mass itself (no rounding from x).
  @inline(__always)
  private func resolve(_ a: Anchor, _ b: Anchor, x: Double, exact: Double?) -> StellarLookup {
    var p = StellarLookup()
    p.count = corners.count
    for c in 0..<corners.count {
      let t = corners.count == 1 && exact != nil ? exact! : a.logMass[c] + x * (b.logMass[c] - a.logMass[c])
      let (row, f) = grid.search(t, from: a.rows[c], to: b.rows[c])
      p.row[c] = row
      p.fraction[c] = f
      p.weight[c] = corners.weight[c]
    }
    return p
  }
}

extension StellarGrid {
  /// The bilinear corners of ([M/H], log age): the four surrounding isochrones with weights
  /// (1 − w_Z)(1 − w_t), w_Z(1 − w_t), (1 − w_Z)w_t, w_Z·w_t; corners of zero weight are
  /// left out (a node within 1e-9 counts as exact). Nil outside the grid.
  @inline(__always)
  public func corners(metallicity z: Double, logAge t: Double) -> IsochroneCorners? {
    guard let (iz, wz) = StellarGrid.bracket(z, metallicities),
          let (it, wt) = StellarGrid.bracket(t, logAges) else { return nil }
    var corners = IsochroneCorners()
    let k = iz * logAges.count + it, dz = logAges.count
    if wz < 1 && wt < 1 { corners.append(k, (1 - wz) * (1 - wt)) }
    if wz > 0 && wt < 1 { corners.append(k + dz, wz * (1 - wt)) }
    if wz < 1 && wt > 0 { corners.append(k + 1, (1 - wz) * wt) }
    if wz > 0 && wt > 0 { corners.append(k + dz + 1, wz * wt) }
    return corners
  }

  /// The interval [nodes[i], nodes[i + 1]] holding v and the weight of nodes[i + 1].
  @inline(__always)
  static func bracket(_ v: Double, _ nodes: [Double]) -> (Int, Double)? {
    let n = nodes.count, tolerance = 1e-9
    guard v >= nodes[0] - tolerance && v <= nodes[n - 1] + tolerance else { return nil }
    var lo = 0, hi = n - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if nodes[mid] <= v { lo = mid } else { hi = mid }
    }
    var w = (v - nodes[lo]) / (nodes[hi] - nodes[lo])
    if w < tolerance { w = 0 } else if w > 1 - tolerance { w = 1 }
    return (lo, w)
  }

  /// The star at ([M/H], log age, log₁₀ M_ini), or nil if it does not exist in the grid.
  public func lookup(metallicity z: Double, logAge t: Double, logMass m: Double) -> StellarLookup? {
    guard let corners = corners(metallicity: z, logAge: t) else { return nil }
    return SyntheticIsochrone(grid: self, corners: corners).lookup(logMass: m)
  }

  /// `column` at the interpolated star `p`.
  @inline(__always)
  public func value(_ column: Column, at p: StellarLookup) -> Double {
    var sum = 0.0
    let j = column.rawValue
    for c in 0..<p.count {
      let base = p.row[c] * StellarGrid.stride + j
      let f = p.fraction[c]
      let v0 = Double(table[base])
      let v = f == 0 ? v0 : v0 + f * (Double(table[base + StellarGrid.stride]) - v0)
      sum += p.weight[c] * v
    }
    return sum
  }

  /// log₁₀ of the interpolated initial mass of `p` (equals the queried mass).
  public func logMass(at p: StellarLookup) -> Double {
    var sum = 0.0
    for c in 0..<p.count {
      let r = p.row[c], f = p.fraction[c]
      let v = f == 0 ? logMass[r] : logMass[r] + f * (logMass[r + 1] - logMass[r])
      sum += p.weight[c] * v
    }
    return sum
  }

  /// The phase segment (0…5) of the row nearest to `p` in its heaviest corner.
  public func segment(at p: StellarLookup) -> Int {
    var best = 0
    for c in 1..<max(1, p.count) where p.weight[c] > p.weight[best] { best = c }
    let row = p.row[best] + (p.fraction[best] > 0.5 ? 1 : 0)
    return Int(segments[row])
  }

  /// The row r in lo…hi to read for log mass t, and the fraction of the way to r + 1: inside
  /// the range, the last row with log M[r] ≤ t (so a run of equal masses is stepped over, never
  /// averaged); lo with fraction 0 when t ≤ log M[lo], hi with fraction 0 when t ≥ log M[hi].
  @inline(__always)
  func search(_ t: Double, from lo: Int, to hi: Int) -> (Int, Double) {
    if hi <= lo || t <= logMass[lo] { return (lo, 0) }
    if t >= logMass[hi] { return (hi, 0) }
    var a = lo, b = hi  // logMass[a] < t < logMass[b]
    while b - a > 1 {
      let mid = (a + b) >> 1
      if logMass[mid] <= t { a = mid } else { b = mid }
    }
    return (a, (t - logMass[a]) / (logMass[b] - logMass[a]))
  }
}
