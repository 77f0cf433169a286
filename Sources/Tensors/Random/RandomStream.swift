import RealModule

/// A seedable pseudo-random stream: xoshiro256** (Blackman & Vigna 2018).
///
/// Streams are addressed by `(seed, stream)`: simulation *i* of a run with seed *s* draws from
/// `RandomStream(seed: s, stream: i)`, so its result does not depend on which thread ran it or
/// how the run was split into batches. The 256-bit state is filled by SplitMix64 from a hash of
/// both numbers; distinct `(seed, stream)` pairs give statistically independent sequences
/// (the state space is 2²⁵⁶ and the seeding hash is a bijection of `seed` for fixed `stream`).
///
/// Period 2²⁵⁶ − 1; `next()` costs about 1 ns. Conforms to `RandomNumberGenerator` so the
/// standard library's `Int.random(in:using:)` and `shuffle(using:)` work with it.
public struct RandomStream: RandomNumberGenerator, Sendable, Equatable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// The stream `stream` of the family selected by `seed`.
  public init(seed: UInt64, stream: UInt64 = 0) {
    var sm = SplitMix64(state: SplitMix64.mix(seed) &+ SplitMix64.mix(stream ^ 0x6A09_E667_F3BC_C909))
    s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is the one fixed point
  }

  /// Restores a stream from `state` (as returned by `state`), for exact resume.
  public init(state: [UInt64]) {
    precondition(state.count == 4, "RandomStream state has 4 words")
    (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
  }

  /// The four state words, to be saved in a checkpoint.
  public var state: [UInt64] { [s0, s1, s2, s3] }

  /// A derived, independent stream for a sub-task (e.g. dropout masks of one step):
  /// consumes one draw of `self`.
  public mutating func split(_ tag: UInt64 = 0) -> RandomStream {
    RandomStream(seed: next(), stream: tag)
  }

  /// 64 uniformly random bits.
  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inlinable @inline(__always)
  func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

  /// Uniform on [0, 1) with 53 random bits.
  @inlinable @inline(__always)
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform on the open interval (0, 1): never 0, so `log` of it is finite.
  @inlinable @inline(__always)
  public mutating func uniformOpen() -> Double {
    (Double(next() >> 12) + 0.5) * 0x1.0p-52
  }

  /// Uniform on [a, b).
  @inlinable @inline(__always)
  public mutating func uniform(_ a: Double, _ b: Double) -> Double {
    a + (b - a) * uniform()
  }

  /// Uniform integer in 0..<n (Lemire's nearly divisionless method, unbiased).
  @inlinable
  public mutating func index(below n: Int) -> Int {
    precondition(n > 0, "index(below:) needs n > 0")
    return Int(next(upperBound: UInt64(n)))
  }

  /// A standard normal deviate N(0, 1), by the ziggurat method (Marsaglia & Tsang 2000,
  /// 256 layers). About 98.8% of draws cost one `next()` and one multiply.
  @inlinable
  public mutating func normal() -> Double {
    while true {
      let u = next()
      let i = Int(u & 0xFF)
      let sign: Double = (u & 0x100) == 0 ? 1 : -1
      let j = u >> 11  // 53 bits
      let x = Double(j) * Ziggurat.w[i]
      if j < Ziggurat.k[i] { return sign * x }
      if i == 0 {
        // Tail beyond r: Marsaglia's exponential-rejection sampler.
        var xt: Double, yt: Double
        repeat {
          xt = -Double.log(uniformOpen()) / Ziggurat.r
          yt = -Double.log(uniformOpen())
        } while 2 * yt < xt * xt
        return sign * (Ziggurat.r + xt)
      }
      let y = Ziggurat.f[i] + uniform() * (Ziggurat.f[i + 1] - Ziggurat.f[i])
      if y < Double.exp(-0.5 * x * x) { return sign * x }
    }
  }

  /// N(mean, sd²).
  @inlinable @inline(__always)
  public mutating func normal(mean: Double, sd: Double) -> Double {
    mean + sd * normal()
  }
}

/// SplitMix64 (Steele, Lea & Flood 2014): the seeding generator of xoshiro.
@usableFromInline
struct SplitMix64 {
  @usableFromInline var state: UInt64
  @usableFromInline init(state: UInt64) { self.state = state }
  @usableFromInline mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return SplitMix64.mix(state)
  }
  /// The SplitMix64 finaliser: a bijective 64-bit mixing function.
  @usableFromInline static func mix(_ z0: UInt64) -> UInt64 {
    var z = z0
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
