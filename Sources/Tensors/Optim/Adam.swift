import RealModule

/// Adam (Kingma & Ba 2015) with optional decoupled weight decay (AdamW, Loshchilov & Hutter 2019).
///
/// For each trainable parameter θ with gradient g at step t (1-based) and learning rate η:
///
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     m̂ = m/(1 − β₁ᵗ),       v̂ = v/(1 − β₂ᵗ)
///     θ ← θ − η·(m̂/(√v̂ + ε) + λθ)          (λ = weightDecay; 0 gives plain Adam)
///
/// Moments are kept in the parameters' scalar type and saved as `Double` (exactly), so a saved
/// optimizer state restores the run bit for bit. The parameters are fixed at construction, in
/// order, with names: the state is saved and loaded by those names. The update loop is written
/// over raw pointers with the bias corrections folded into two constants, so it vectorises.
public final class Adam<S: TensorScalar> {
  public let parameters: [(name: String, parameter: Parameter<S>)]
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  public var weightDecay: Double
  /// Number of updates applied so far (t).
  public private(set) var step = 0
  private var m: [UnsafeMutablePointer<S>]
  private var v: [UnsafeMutablePointer<S>]

  public init(parameters: [(name: String, parameter: Parameter<S>)], beta1: Double = 0.9,
              beta2: Double = 0.999, epsilon: Double = 1e-7, weightDecay: Double = 0) {
    self.parameters = parameters.filter { $0.parameter.isTrainable }
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    m = self.parameters.map { entry in
      let p = UnsafeMutablePointer<S>.allocate(capacity: max(entry.parameter.count, 1))
      p.initialize(repeating: 0, count: max(entry.parameter.count, 1))
      return p
    }
    v = self.parameters.map { entry in
      let p = UnsafeMutablePointer<S>.allocate(capacity: max(entry.parameter.count, 1))
      p.initialize(repeating: 0, count: max(entry.parameter.count, 1))
      return p
    }
  }

  deinit {
    for p in m { p.deallocate() }
    for p in v { p.deallocate() }
  }

  /// Applies one update with learning rate `learningRate` using each parameter's `grad`.
  ///
  /// With a = η/(1 − β₁ᵗ) and b = 1/(1 − β₂ᵗ): θ ← θ − a·m/(√(b·v) + ε) − ηλθ, which is the
  /// formula above with the bias corrections folded in.
  public func update(learningRate: Double) {
    advanceStep()
    for k in parameters.indices { applyUpdate(toParameter: k, learningRate: learningRate) }
  }

  /// Starts update t + 1 (then call `applyUpdate` once for every parameter, in any order or
  /// from several threads: the parameters are independent).
  public func advanceStep() { step += 1 }

  /// Updates parameter `k` (an index into `parameters`) with the current step's corrections.
  public func applyUpdate(toParameter k: Int, learningRate: Double) {
    let c1 = 1 / (1 - Double.pow(beta1, step)), c2 = 1 / (1 - Double.pow(beta2, step))
    let entry = parameters[k]
    Adam.kernel(theta: entry.parameter.value, grad: entry.parameter.grad, m: m[k], v: v[k], count: entry.parameter.count,
                b1: S(beta1), b2: S(beta2), a: S(learningRate * c1), b: S(c2), eps: S(epsilon),
                decay: S(learningRate * weightDecay))
  }

  /// The update over raw pointers, eight lanes at a time (explicit SIMD: the optimiser cannot
  /// prove the four buffers distinct, so it does not vectorise the scalar loop itself).
  @inline(__always)
  static func kernel(theta: UnsafeMutablePointer<S>, grad: UnsafeMutablePointer<S>, m: UnsafeMutablePointer<S>,
                     v: UnsafeMutablePointer<S>, count n: Int, b1: S, b2: S, a: S, b: S, eps: S, decay: S) {
    typealias V = SIMD8<S>
    let ob1 = 1 - b1, ob2 = 1 - b2
    let vb1 = V(repeating: b1), vb2 = V(repeating: b2), vob1 = V(repeating: ob1), vob2 = V(repeating: ob2)
    let va = V(repeating: a), vb = V(repeating: b), veps = V(repeating: eps), vdecay = V(repeating: decay)
    var i = 0
    while i + 8 <= n {
      let g = UnsafeRawPointer(grad + i).loadUnaligned(as: V.self)
      let mi = vb1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + vob1 * g
      let vi = vb2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + vob2 * g * g
      let th = UnsafeRawPointer(theta + i).loadUnaligned(as: V.self)
      UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
      UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
      UnsafeMutableRawPointer(theta + i).storeBytes(of: th - va * mi / ((vb * vi).squareRoot() + veps) - vdecay * th, as: V.self)
      i += 8
    }
    while i < n {
      let g = grad[i]
      let mi = b1 * m[i] + ob1 * g
      let vi = b2 * v[i] + ob2 * g * g
      m[i] = mi
      v[i] = vi
      let th = theta[i]
      theta[i] = th - a * mi / ((b * vi).squareRoot() + eps) - decay * th
      i += 1
    }
  }

  /// The optimizer state by name: `step`, and `m/<parameter>`, `v/<parameter>` moments.
  public func state() -> (step: Int, moments: [String: [Double]]) {
    var out: [String: [Double]] = [:]
    for (k, entry) in parameters.enumerated() {
      out["m/" + entry.name] = UnsafeBufferPointer(start: m[k], count: entry.parameter.count).map(Double.init)
      out["v/" + entry.name] = UnsafeBufferPointer(start: v[k], count: entry.parameter.count).map(Double.init)
    }
    return (step, out)
  }

  /// Restores a state saved by `state()`; every moment must be present with the right length.
  public func restore(step: Int, moments: [String: [Double]]) throws {
    for (k, entry) in parameters.enumerated() {
      for (prefix, buf) in [("m/", m[k]), ("v/", v[k])] {
        guard let vals = moments[prefix + entry.name] else { throw ParameterLoadError.missing(prefix + entry.name) }
        guard vals.count == entry.parameter.count else {
          throw ParameterLoadError.shapeMismatch(prefix + entry.name, expected: entry.parameter.shape.dims, found: [vals.count])
        }
        for i in 0..<vals.count { buf[i] = S(vals[i]) }
      }
    }
    self.step = step
  }
}
