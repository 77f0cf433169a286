import XCTest
import Foundation
import Tensors

final class OptimizerTests: XCTestCase {
  /// Adam against a reference trajectory computed independently by this Python snippet
  /// (numpy), for θ₀ = (1, −2), gradient g = 2θ (loss ‖θ‖²), lr 0.1, β = (0.9, 0.999), ε = 1e−7:
  ///
  ///     import numpy as np
  ///     th = np.array([1., -2.]); m = np.zeros(2); v = np.zeros(2)
  ///     for t in range(1, 4):
  ///         g = 2 * th; m = .9 * m + .1 * g; v = .999 * v + .001 * g * g
  ///         th = th - .1 * (m / (1 - .9**t)) / (np.sqrt(v / (1 - .999**t)) + 1e-7)
  ///     np.set_printoptions(precision=12); print(repr(th))   # array([ 0.701586286971, -1.700623398937])
  func testAdamMatchesReference() {
    let p = Parameter<Double>(shape: Shape(2), values: [1, -2])
    let adam = Adam(parameters: [("theta", p)])
    for _ in 0..<3 {
      for i in 0..<2 { p.grad[i] = 2 * p.value[i] }
      adam.update(learningRate: 0.1)
    }
    XCTAssertEqual(p.value[0], 0.701586286971, accuracy: 1e-11)
    XCTAssertEqual(p.value[1], -1.700623398937, accuracy: 1e-11)
  }

  /// AdamW's decay is decoupled: with zero gradient, θ ← θ(1 − ηλ) exactly.
  func testAdamWDecoupledDecay() {
    let p = Parameter<Double>(shape: Shape(1), values: [2])
    let adam = Adam(parameters: [("w", p)], weightDecay: 0.01)
    adam.update(learningRate: 0.5)
    XCTAssertEqual(p.value[0], 2 * (1 - 0.5 * 0.01), accuracy: 1e-15)
  }

  func testAdamStateRoundTripResumesExactly() throws {
    func run(_ steps: Range<Int>, _ p: Parameter<Float>, _ adam: Adam<Float>) {
      for t in steps {
        for i in 0..<p.count { p.grad[i] = Float(Foundation.sin(Double(t + i))) + p.value[i] }
        adam.update(learningRate: 0.01)
      }
    }
    let p1 = Parameter<Float>(shape: Shape(3), values: [1, 2, 3])
    let a1 = Adam(parameters: [("p", p1)])
    run(0..<10, p1, a1)
    let p2 = Parameter<Float>(shape: Shape(3), values: [1, 2, 3])
    let a2 = Adam(parameters: [("p", p2)])
    run(0..<5, p2, a2)
    let saved = a2.state()
    let p3 = Parameter<Float>(shape: Shape(3), values: p2.values)
    let a3 = Adam(parameters: [("p", p3)])
    try a3.restore(step: saved.step, moments: saved.moments)
    run(5..<10, p3, a3)
    XCTAssertEqual(p3.values, p1.values)
    XCTAssertThrowsError(try a3.restore(step: 1, moments: [:]))
  }

  func testGlobalNormClipping() {
    let a = Parameter<Double>(shape: Shape(2)), b = Parameter<Double>(shape: Shape(1))
    a.grad[0] = 3; a.grad[1] = 0; b.grad[0] = 4
    let norm = clipGradients([a, b], maxNorm: 1)
    XCTAssertEqual(norm, 5)
    XCTAssertEqual(a.grad[0], 0.6, accuracy: 1e-15)
    XCTAssertEqual(b.grad[0], 0.8, accuracy: 1e-15)
    b.grad[0] = .nan
    XCTAssertTrue(clipGradients([a, b], maxNorm: 1).isNaN)
  }

  func testSchedules() {
    let cosine = LearningRateSchedule.cosine(initial: 1, totalSteps: 110, warmupSteps: 10, finalFraction: 0.1)
    XCTAssertEqual(cosine.learningRate(at: 0), 1.0 / 11, accuracy: 1e-15)
    XCTAssertEqual(cosine.learningRate(at: 10), 1, accuracy: 1e-15)
    XCTAssertEqual(cosine.learningRate(at: 60), 0.1 + 0.9 * 0.5, accuracy: 1e-12)
    XCTAssertEqual(cosine.learningRate(at: 110), 0.1, accuracy: 1e-12)
    XCTAssertEqual(cosine.learningRate(at: 500), 0.1, accuracy: 1e-12)
    let stair = LearningRateSchedule.exponentialStaircase(initial: 5e-4, rate: 0.99, every: 1000)
    XCTAssertEqual(stair.learningRate(at: 999), 5e-4)
    XCTAssertEqual(stair.learningRate(at: 2500), 5e-4 * 0.99 * 0.99, accuracy: 1e-18)
    XCTAssertEqual(LearningRateSchedule.constant(0.3).learningRate(at: 77), 0.3)
  }
}
