/// A value computed in a `Graph`: a handle (graph, node index) to contiguous row-major storage
/// of `shape.count` scalars.
///
/// Tensors are cheap to copy and valid until their graph is reset. Operations on them
/// (`a + b`, `matmul(a, b)`, `x.map(.silu)`, …) compute their value at once and record how to
/// differentiate it; see `Graph`.
public struct Tensor<S: TensorScalar> {
  public let graph: Graph<S>
  public let id: Int

  @inlinable init(graph: Graph<S>, id: Int) {
    self.graph = graph
    self.id = id
  }

  public var shape: Shape { graph.nodes[id].shape }
  public var count: Int { graph.nodes[id].shape.count }
  /// The value storage (valid until the graph is reset).
  public var pointer: UnsafeMutablePointer<S> { graph.nodes[id].value }
  /// The value as a buffer (valid until the graph is reset).
  public var buffer: UnsafeMutableBufferPointer<S> { UnsafeMutableBufferPointer(start: pointer, count: count) }
  /// A copy of the value.
  public var scalars: [S] { Array(buffer) }
  /// The single value of a one-element tensor.
  public var item: S {
    precondition(count == 1, "item: tensor has shape \(shape)")
    return pointer[0]
  }
  /// Whether a gradient flows back through this tensor.
  public var requiresGrad: Bool { graph.nodes[id].requiresGrad }
  /// ∂L/∂self after `graph.backward`, or nil.
  public var gradient: UnsafeMutableBufferPointer<S>? {
    graph.nodes[id].grad.map { UnsafeMutableBufferPointer(start: $0, count: count) }
  }
}
