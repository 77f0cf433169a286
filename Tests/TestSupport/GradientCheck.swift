import Tensors

/// The outcome of comparing reverse-mode gradients with central finite differences.
public struct GradientCheckResult: CustomStringConvertible {
  /// Largest |numeric − analytic| / max(1, |numeric|) over all checked coordinates.
  public var maxRelativeError: Double = 0
  /// Where it occurred ("input 1[5]", "parameter dense1.weight[3]").
  public var worst: String = "none"
  /// Number of coordinates checked.
  public var checked = 0

  public var description: String { "max relative error \(maxRelativeError) at \(worst) over \(checked) coordinates" }

  mutating func record(_ numeric: Double, _ analytic: Double, _ at: @autoclosure () -> String) {
    checked += 1
    let err = Swift.abs(numeric - analytic) / Swift.max(1, Swift.abs(numeric))
    if err > maxRelativeError || err.isNaN {
      maxRelativeError = err.isNaN ? .infinity : err
      worst = "\(at()) (numeric \(numeric), analytic \(analytic))"
    }
  }
}

/// Checks the vector–Jacobian products of `function` in Double against central differences.
///
/// With a random cotangent v (seeded), the analytic gradient of ⟨v, f(x, θ)⟩ with respect to
/// every input element and every trainable parameter element is compared with
/// (⟨v, f(x + heᵢ)⟩ − ⟨v, f(x − heᵢ)⟩)/2h. A random v means errors in different output
/// components cannot cancel. Each evaluation gets a fresh graph with the same random stream,
/// so stochastic ops (dropout) draw the same masks every time.
public func checkGradients(
  inputs: [(shape: Shape, values: [Double])],
  parameters: [(name: String, parameter: Parameter<Double>)] = [],
  step h: Double = 1e-5, seed: UInt64 = 1, training: Bool = false,
  _ function: (Graph<Double>, [Tensor<Double>]) -> Tensor<Double>
) -> GradientCheckResult {
  var inputValues = inputs.map(\.values)
  let graph = Graph<Double>(training: training)
  func evaluate(_ cotangent: [Double]?) -> (output: [Double], value: Double) {
    graph.reset()
    graph.rng = RandomStream(seed: seed, stream: 99)
    let xs = zip(inputs, inputValues).map { graph.variable($1, shape: $0.shape) }
    let y = function(graph, xs)
    let out = y.scalars
    let value = cotangent.map { v in zip(v, out).reduce(0) { $0 + $1.0 * $1.1 } } ?? 0
    return (out, value)
  }
  // Analytic pass.
  let first = evaluate(nil)
  var rng = RandomStream(seed: seed, stream: 7)
  let v = first.output.map { _ in rng.normal() }
  graph.reset()
  graph.rng = RandomStream(seed: seed, stream: 99)
  let xs = zip(inputs, inputValues).map { graph.variable($1, shape: $0.shape) }
  let y = function(graph, xs)
  v.withUnsafeBufferPointer { graph.backward(from: y, seed: $0) }
  let inputGrads = xs.map { x in x.gradient.map(Array.init) ?? [Double](repeating: 0, count: x.count) }
  let paramGrads = parameters.map { entry in
    graph.gradient(of: entry.parameter).map { Array(UnsafeBufferPointer(start: $0, count: entry.parameter.count)) }
      ?? [Double](repeating: 0, count: entry.parameter.count)
  }
  var result = GradientCheckResult()
  for k in 0..<inputs.count {
    for i in 0..<inputValues[k].count {
      let x0 = inputValues[k][i]
      inputValues[k][i] = x0 + h
      let plus = evaluate(v).value
      inputValues[k][i] = x0 - h
      let minus = evaluate(v).value
      inputValues[k][i] = x0
      result.record((plus - minus) / (2 * h), inputGrads[k][i], "input \(k)[\(i)]")
    }
  }
  for (k, entry) in parameters.enumerated() where entry.parameter.isTrainable {
    let p = entry.parameter
    for i in 0..<p.count {
      let x0 = p.value[i]
      p.value[i] = x0 + h
      let plus = evaluate(v).value
      p.value[i] = x0 - h
      let minus = evaluate(v).value
      p.value[i] = x0
      result.record((plus - minus) / (2 * h), paramGrads[k][i], "parameter \(entry.name)[\(i)]")
    }
  }
  return result
}

/// Standard normal values from a seeded stream, scaled and shifted (test inputs).
public func randomValues(_ n: Int, seed: UInt64, scale: Double = 1, shift: Double = 0) -> [Double] {
  var rng = RandomStream(seed: seed, stream: 1234)
  return (0..<n).map { _ in shift + scale * rng.normal() }
}

/// Values uniformly spread in [lower, upper], seeded.
public func uniformValues(_ n: Int, seed: UInt64, _ lower: Double, _ upper: Double) -> [Double] {
  var rng = RandomStream(seed: seed, stream: 4321)
  return (0..<n).map { _ in rng.uniform(lower, upper) }
}
