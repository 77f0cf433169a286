/// A trainable tensor: persistent storage for its value and its accumulated gradient.
///
/// Values live at a stable address for the parameter's lifetime; layers and optimizers update
/// them in place. A `Graph` reads the value directly (no copy) and collects its gradient
/// separately, so several graphs on several threads can use one parameter at once; the trainer
/// then sums their gradients into `grad` in a fixed order.
public final class Parameter<S: TensorScalar> {
  public let shape: Shape
  public let value: UnsafeMutablePointer<S>
  public let grad: UnsafeMutablePointer<S>
  /// Whether optimizers update it (false for fixed permutations and similar constants that are
  /// still saved with the model).
  public var isTrainable: Bool

  public init(shape: Shape, trainable: Bool = true) {
    self.shape = shape
    value = .allocate(capacity: max(shape.count, 1))
    value.initialize(repeating: 0, count: max(shape.count, 1))
    grad = .allocate(capacity: max(shape.count, 1))
    grad.initialize(repeating: 0, count: max(shape.count, 1))
    isTrainable = trainable
  }

  public convenience init(shape: Shape, values: [S], trainable: Bool = true) {
    precondition(values.count == shape.count, "Parameter: \(values.count) values for shape \(shape)")
    self.init(shape: shape, trainable: trainable)
    values.withUnsafeBufferPointer { value.update(from: $0.baseAddress!, count: shape.count) }
  }

  deinit {
    value.deallocate()
    grad.deallocate()
  }

  public var count: Int { shape.count }

  /// The value as an array (a copy).
  public var values: [S] { Array(UnsafeBufferPointer(start: value, count: count)) }

  /// Overwrites the value.
  public func assign(_ v: [S]) {
    precondition(v.count == count, "Parameter.assign: \(v.count) values for shape \(shape)")
    v.withUnsafeBufferPointer { value.update(from: $0.baseAddress!, count: count) }
  }

  /// Sets the accumulated gradient to zero.
  public func zeroGrad() { grad.update(repeating: 0, count: count) }
}
