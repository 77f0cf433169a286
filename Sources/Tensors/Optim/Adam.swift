import RealModule

/// Adam (Kingma & Ba 2015) with optional decoupled weight decay (AdamW, Loshchilov & Hutter 2019).
///
/// For each trainable parameter θ with gradient g at step t (1-based) and learning rate η:
///
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     m̂ = m/(1 − β₁ᵗ),       v̂ = v/(1 − β₂ᵗ)
///     θ ← θ − η·(m̂/(√v̂ + ε) + λθ)          (λ = weightDecay; 0 gives plain Adam)
///
/// Moments are kept in `Double` whatever the parameter scalar, so a saved optimizer state
/// restores the run exactly. The parameters are fixed at construction, in order, with names:
/// the state is saved and loaded by those names.
public final class Adam<S: TensorScalar> {
  public let parameters: [(name: String, parameter: Parameter<S>)]
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  public var weightDecay: Double
  /// Number of updates applied so far (t).
  public private(set) var step = 0
  private var m: [UnsafeMutablePointer<Double>]
  private var v: [UnsafeMutablePointer<Double>]

  public init(parameters: [(name: String, parameter: Parameter<S>)], beta1: Double = 0.9,
              beta2: Double = 0.999, epsilon: Double = 1e-7, weightDecay: Double = 0) {
    self.parameters = parameters.filter { $0.parameter.isTrainable }
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    m = self.parameters.map { entry in
      let p = UnsafeMutablePointer<Double>.allocate(capacity: max(entry.parameter.count, 1))
      p.initialize(repeating: 0, count: max(entry.parameter.count, 1))
      return p
    }
    v = self.parameters.map { entry in
      let p = UnsafeMutablePointer<Double>.allocate(capacity: max(entry.parameter.count, 1))
      p.initialize(repeating: 0, count: max(entry.parameter.count, 1))
      return p
    }
  }

  deinit {
    for p in m { p.deallocate() }
    for p in v { p.deallocate() }
  }

  /// Applies one update with learning rate `learningRate` using each parameter's `grad`.
  public func update(learningRate: Double) {
    step += 1
    let b1 = beta1, b2 = beta2, eps = epsilon, lambda = weightDecay
    let c1 = 1 / (1 - Double.pow(b1, step)), c2 = 1 / (1 - Double.pow(b2, step))
    for (k, entry) in parameters.enumerated() {
      let p = entry.parameter, mk = m[k], vk = v[k]
      let theta = p.value, g = p.grad
      for i in 0..<p.count {
        let gi = Double(g[i])
        mk[i] = b1 * mk[i] + (1 - b1) * gi
        vk[i] = b2 * vk[i] + (1 - b2) * gi * gi
        let mhat = mk[i] * c1, vhat = vk[i] * c2
        let th = Double(theta[i])
        theta[i] = S(th - learningRate * (mhat / (vhat.squareRoot() + eps) + lambda * th))
      }
    }
  }

  /// The optimizer state by name: `step`, and `m/<parameter>`, `v/<parameter>` moments.
  public func state() -> (step: Int, moments: [String: [Double]]) {
    var out: [String: [Double]] = [:]
    for (k, entry) in parameters.enumerated() {
      out["m/" + entry.name] = Array(UnsafeBufferPointer(start: m[k], count: entry.parameter.count))
      out["v/" + entry.name] = Array(UnsafeBufferPointer(start: v[k], count: entry.parameter.count))
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
        vals.withUnsafeBufferPointer { buf.update(from: $0.baseAddress!, count: vals.count) }
      }
    }
    self.step = step
  }
}
