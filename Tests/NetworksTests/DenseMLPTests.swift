import XCTest
import Foundation
import Tensors
import Networks
import TestSupport

final class DenseMLPTests: XCTestCase {
  func testDenseGradients() {
    for activation in Activation.allCases where activation != .relu && activation != .leakyRelu && activation != .hardSilu {
      var rng = RandomStream(seed: 2)
      let dense = Dense<Double>(input: 3, output: 4, activation: activation, rng: &rng)
      for i in 0..<4 { dense.bias.value[i] = 0.1 * Double(i) - 0.15 }
      let r = checkGradients(inputs: [(Shape(5, 3), randomValues(15, seed: 4))], parameters: dense.namedParameters) { _, x in dense(x[0]) }
      XCTAssertLessThan(r.maxRelativeError, 1e-6, "\(activation): \(r)")
    }
  }

  func testMLPGradientsWithResidualAndDropout() {
    var rng = RandomStream(seed: 3)
    let mlp = MLP<Double>(input: 3, widths: [6, 6], output: 2, activation: .silu, dropout: 0.2, residual: true, rng: &rng)
    let r = checkGradients(inputs: [(Shape(4, 3), randomValues(12, seed: 5))], parameters: mlp.namedParameters, training: true) { _, x in mlp(x[0]) }
    XCTAssertLessThan(r.maxRelativeError, 1e-6, "\(r)")
    XCTAssertEqual(mlp.namedParameters.map(\.name),
                   ["dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias", "output.weight", "output.bias"])
  }

  func testZeroInitialisedOutputGivesZero() {
    var rng = RandomStream(seed: 1)
    let mlp = MLP<Float>(input: 2, widths: [8], output: 3, outputInitializer: .zeros, rng: &rng)
    let g = Graph<Float>()
    XCTAssertEqual(mlp(g.constant([1, 2, 3, 4], shape: Shape(2, 2))).scalars, [Float](repeating: 0, count: 6))
  }

  func testInitializers() {
    var rng = RandomStream(seed: 8)
    let p = Parameter<Double>(shape: Shape(200, 300))
    Initializer.glorotUniform.initialize(p, fanIn: 200, fanOut: 300, rng: &rng)
    let a = (6.0 / 500).squareRoot()
    XCTAssertLessThanOrEqual(p.values.map(abs).max()!, a)
    let variance = p.values.reduce(0) { $0 + $1 * $1 } / Double(p.count)
    // Var of U(−a, a) = a²/3; the sample variance of n draws has SE ≈ a²·√(4/45n).
    XCTAssertLessThan(abs(variance - a * a / 3), 5 * a * a * (4.0 / 45 / Double(p.count)).squareRoot())
    // Orthogonal: QᵀQ = I for a tall matrix, QQᵀ = I for a wide one.
    for (r, c) in [(6, 4), (4, 6), (5, 5)] {
      let q = Initializer.randomOrthogonal(rows: r, cols: c, rng: &rng)
      let n = min(r, c)
      for i in 0..<n {
        for j in 0..<n {
          var dot = 0.0
          if r >= c { for k in 0..<r { dot += q[k * c + i] * q[k * c + j] } } else { for k in 0..<c { dot += q[i * c + k] * q[j * c + k] } }
          XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
        }
      }
    }
  }

  func testParameterLoadingVerifiesKeysAndShapes() throws {
    var rng = RandomStream(seed: 1)
    let a = MLP<Float>(input: 2, widths: [3], output: 1, rng: &rng)
    let b = MLP<Float>(input: 2, widths: [3], output: 1, rng: &rng)
    try b.loadParameters(a.parameterValues())
    XCTAssertEqual(b.hidden[0].weight.values, a.hidden[0].weight.values)
    var missing = a.parameterValues()
    missing["output.bias"] = nil
    XCTAssertThrowsError(try b.loadParameters(missing)) { XCTAssertEqual("\($0)", "parameter output.bias is missing") }
    var wrong = a.parameterValues()
    wrong["dense1.weight"] = ([3, 2], [Float](repeating: 0, count: 6))
    XCTAssertThrowsError(try b.loadParameters(wrong)) { XCTAssertEqual("\($0)", "parameter dense1.weight has shape [3, 2], expected [2, 3]") }
    var extra = a.parameterValues()
    extra["dense9.weight"] = ([1], [0])
    XCTAssertThrowsError(try b.loadParameters(extra)) { XCTAssertEqual("\($0)", "unexpected parameter dense9.weight") }
  }

  /// End to end: an MLP learns y = sin(3x) + ε, ε ~ N(0, 0.1²), with Adam in Float. The best
  /// achievable test MSE is the noise variance 0.01; we require < 0.015 (fixed seed).
  func testMLPRegressionTrains() {
    var rng = RandomStream(seed: 21)
    let mlp = MLP<Float>(input: 1, widths: [64, 64], output: 1, activation: .silu, rng: &rng)
    let adam = Adam(parameters: mlp.namedParameters)
    let schedule = LearningRateSchedule.cosine(initial: 3e-3, totalSteps: 3000, warmupSteps: 100, finalFraction: 0.01)
    let g = Graph<Float>(training: true)
    let batch = 128
    var xs = [Float](repeating: 0, count: batch), ys = xs
    for step in 0..<3000 {
      for i in 0..<batch {
        let x = rng.uniform(-1.5, 1.5)
        xs[i] = Float(x)
        ys[i] = Float(Foundation.sin(3 * x) + 0.1 * rng.normal())
      }
      g.reset()
      let pred = mlp(g.constant(xs, shape: Shape(batch, 1)))
      let loss = (pred - g.constant(ys, shape: Shape(batch, 1))).squared().mean()
      mlp.zeroGradients()
      g.backward(from: loss)
      g.accumulateParameterGradients()
      clipGradients(mlp.trainableParameters, maxNorm: 5)
      adam.update(learningRate: schedule.learningRate(at: step))
    }
    var mse = 0.0
    let n = 2000
    let test = Graph<Float>()
    let tx = (0..<n).map { Float(-1.5 + 3 * Double($0) / Double(n - 1)) }
    let out = mlp(test.constant(tx, shape: Shape(n, 1))).scalars
    var noise = RandomStream(seed: 99)
    for i in 0..<n {
      let y = Foundation.sin(3 * Double(tx[i])) + 0.1 * noise.normal()
      mse += (Double(out[i]) - y) * (Double(out[i]) - y)
    }
    mse /= Double(n)
    XCTAssertLessThan(mse, 0.015, "test MSE \(mse) (noise floor 0.01)")
  }
}
