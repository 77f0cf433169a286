/// A recorded computation: the tape of reverse-mode automatic differentiation.
///
/// Every operation on `Tensor`s appends a node (operation, shape, value, inputs) to the graph
/// and computes its value at once (define-by-run). `backward(from:)` walks the nodes in reverse
/// and accumulates vector–Jacobian products into the gradients of every node that needs one:
/// for y = f(x₁, …, xₖ) with incoming gradient ḡ = ∂L/∂y, xᵢ.grad += ḡ·∂f/∂xᵢ.
///
/// Values and gradients live in the graph's arena; `reset()` frees them all at once and keeps
/// the memory, so a training step that is repeated allocates nothing once warm. A graph belongs
/// to one thread at a time; parallel training uses one graph per thread.
public final class Graph<S: TensorScalar> {
  @usableFromInline var nodes: [Node<S>] = []
  @usableFromInline var edges: [Int32] = []
  let values = Arena<S>()
  let indices = Arena<Int32>(initialCapacity: 1 << 12)
  private var parameterNodes: [ObjectIdentifier: Int32] = [:]
  private var parameterList: [(Parameter<S>, Int32)] = []

  /// Whether layers behave as in training (dropout active).
  public var isTraining: Bool
  /// The random stream of stochastic ops (dropout masks).
  public var rng: RandomStream
  /// When true, `backward` adds parameter gradients straight into `Parameter.grad` (one graph
  /// per step on one thread: no copy). When false (default), each graph keeps its own and
  /// `accumulateParameterGradients` adds them, so several graphs can run in parallel.
  public var accumulatesIntoParameters = false

  public init(training: Bool = false, rng: RandomStream = RandomStream(seed: 0)) {
    isTraining = training
    self.rng = rng
    nodes.reserveCapacity(1024)
    edges.reserveCapacity(2048)
  }

  /// Forgets all nodes and frees their memory for reuse. Tensors of this graph become invalid.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func reset() {
    nodes.removeAll(keepingCapacity: true)
    edges.removeAll(keepingCapacity: true)
    parameterNodes.removeAll(keepingCapacity: true)
    parameterList.removeAll(keepingCapacity: true)
    values.reset()
    indices.reset()
  }

  /// Number of recorded nodes.
  public var nodeCount: Int { nodes.count }

  // MARK: Leaves

  /// A constant tensor holding a copy of `data` (no gradient).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func constant(_ data: UnsafeBufferPointer<S>, shape: Shape) -> Tensor<S> {
    precondition(data.count == shape.count, "constant: \(data.count) values for shape \(shape)")
    let t = makeNode(.leaf, shape: shape, requiresGrad: false)
    if shape.count > 0 { t.pointer.update(from: data.baseAddress!, count: shape.count) }
    return t
  }

  /// A constant tensor holding a copy of `data` (no gradient).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func constant(_ data: [S], shape: Shape) -> Tensor<S> {
    data.withUnsafeBufferPointer { constant($0, shape: shape) }
  }

  /// A constant tensor filled with `value`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func filled(_ value: S, shape: Shape) -> Tensor<S> {
    let t = makeNode(.leaf, shape: shape, requiresGrad: false)
    t.pointer.update(repeating: value, count: shape.count)
    return t
  }

  /// An uninitialised constant to be filled by the caller through `pointer`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func uninitialized(shape: Shape) -> Tensor<S> {
    makeNode(.leaf, shape: shape, requiresGrad: false)
  }

  /// An input whose gradient is wanted (for gradient checks and input sensitivities):
  /// after `backward`, read it with `gradient(of:)`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func variable(_ data: [S], shape: Shape) -> Tensor<S> {
    let t = constant(data, shape: shape)
    nodes[t.id].requiresGrad = true
    return t
  }

  /// The parameter as a tensor of this graph (recorded once per graph, however often used).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func parameter(_ p: Parameter<S>) -> Tensor<S> {
    let key = ObjectIdentifier(p)
    if let id = parameterNodes[key] { return Tensor(graph: self, id: Int(id)) }
    let id = Int32(nodes.count)
    nodes.append(Node(op: .leaf, shape: p.shape, value: p.value, requiresGrad: p.isTrainable,
                      edgeStart: Int32(edges.count), edgeCount: 0))
    if accumulatesIntoParameters && p.isTrainable { nodes[Int(id)].grad = p.grad }
    parameterNodes[key] = id
    parameterList.append((p, id))
    return Tensor(graph: self, id: Int(id))
  }

  // MARK: Backward

  /// Reverse-mode sweep from a scalar `loss` (seed gradient 1).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward(from loss: Tensor<S>) {
    precondition(loss.shape.count == 1, "backward(from:) needs a scalar, got shape \(loss.shape)")
    backward(from: loss, seed: nil)
  }

  /// Reverse-mode sweep from `output` with cotangent `seed` (same shape; all ones if nil):
  /// gives the vector–Jacobian product seedᵀ·∂output/∂(inputs).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward(from output: Tensor<S>, seed: UnsafeBufferPointer<S>?) {
    let g = gradientBuffer(output.id)
    if let seed {
      precondition(seed.count == output.shape.count, "backward: seed has \(seed.count) values, output \(output.shape)")
      for i in 0..<seed.count { g[i] += seed[i] }
    } else {
      for i in 0..<output.shape.count { g[i] += 1 }
    }
    var id = output.id
    while id >= 0 {
      if nodes[id].grad != nil, nodes[id].requiresGrad { backwardNode(id) }
      id -= 1
    }
  }

  /// ∂L/∂t after `backward`, or nil if no gradient reached `t`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gradient(of t: Tensor<S>) -> UnsafeMutablePointer<S>? { nodes[t.id].grad }

  /// The gradient of `p` collected by this graph's last `backward`, or nil if `p` was unused.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gradient(of p: Parameter<S>) -> UnsafeMutablePointer<S>? {
    guard let id = parameterNodes[ObjectIdentifier(p)] else { return nil }
    return nodes[Int(id)].grad
  }

  /// Adds this graph's gradient of every trainable parameter it used into `Parameter.grad`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func accumulateParameterGradients() {
    guard !accumulatesIntoParameters else { return }
    for (p, id) in parameterList where p.isTrainable {
      guard let g = nodes[Int(id)].grad else { continue }
      for i in 0..<p.count { p.grad[i] += g[i] }
    }
  }

  // MARK: Node plumbing (used by op implementations and custom ops)

  /// Appends a node whose value buffer is fresh arena memory.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @usableFromInline
  func makeNode(_ op: Op, shape: Shape, requiresGrad: Bool,
                inputs a: Int = -1, _ b: Int = -1, _ c: Int = -1, _ d: Int = -1) -> Tensor<S> {
    let start = Int32(edges.count)
    var n: Int32 = 0
    if a >= 0 { edges.append(Int32(a)); n += 1 }
    if b >= 0 { edges.append(Int32(b)); n += 1 }
    if c >= 0 { edges.append(Int32(c)); n += 1 }
    if d >= 0 { edges.append(Int32(d)); n += 1 }
    let value = values.allocate(shape.count)
    nodes.append(Node(op: op, shape: shape, value: value, requiresGrad: requiresGrad,
                      edgeStart: start, edgeCount: n))
    return Tensor(graph: self, id: nodes.count - 1)
  }

  /// Appends a node that shares `value` with an existing buffer (reshape views).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func makeView(_ op: Op, shape: Shape, value: UnsafeMutablePointer<S>, requiresGrad: Bool, input: Int) -> Tensor<S> {
    edges.append(Int32(input))
    nodes.append(Node(op: op, shape: shape, value: value, requiresGrad: requiresGrad,
                      edgeStart: Int32(edges.count - 1), edgeCount: 1))
    return Tensor(graph: self, id: nodes.count - 1)
  }

  /// Appends a node with an arbitrary list of inputs (concatenation, custom ops).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func makeNode(_ op: Op, shape: Shape, inputs: UnsafeBufferPointer<Int>) -> Tensor<S> {
    let start = Int32(edges.count)
    var rg = false
    for x in inputs { edges.append(Int32(x)); rg = rg || nodes[x].requiresGrad }
    let value = values.allocate(shape.count)
    nodes.append(Node(op: op, shape: shape, value: value, requiresGrad: rg,
                      edgeStart: start, edgeCount: Int32(inputs.count)))
    return Tensor(graph: self, id: nodes.count - 1)
  }

  /// Input `k` of node `id`.
  @inline(__always) public func input(_ k: Int, of id: Int) -> Int {
    Int(edges[Int(nodes[id].edgeStart) + k])
  }

  /// Number of inputs of node `id`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func inputCount(of id: Int) -> Int { Int(nodes[id].edgeCount) }

  /// The gradient buffer of node `id`, allocated and zeroed on first use.
  @inline(__always) public func gradientBuffer(_ id: Int) -> UnsafeMutablePointer<S> {
    if let g = nodes[id].grad { return g }
    let n = nodes[id].shape.count
    let g = values.allocate(n)
    g.update(repeating: 0, count: n)
    nodes[id].grad = g
    return g
  }

  /// Whether node `id` needs a gradient (it depends on a trainable parameter or a variable).
  @inline(__always) public func requiresGrad(_ id: Int) -> Bool { nodes[id].requiresGrad }

  /// Scratch memory valid until `reset()` (for saving intermediates of custom ops).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func scratch(_ n: Int) -> UnsafeMutablePointer<S> { values.allocate(n) }

  /// Integer scratch memory valid until `reset()`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func scratchIndices(_ n: Int) -> UnsafeMutablePointer<Int32> { indices.allocate(n) }

  /// Shape of node `id`.
  @inline(__always) public func shape(of id: Int) -> Shape { nodes[id].shape }
  /// Value buffer of node `id`.
  @inline(__always) public func value(of id: Int) -> UnsafeMutablePointer<S> { nodes[id].value }
}

/// One recorded operation.
@usableFromInline
struct Node<S: TensorScalar> {
  var op: Op
  var shape: Shape
  var value: UnsafeMutablePointer<S>
  var grad: UnsafeMutablePointer<S>?
  var requiresGrad: Bool
  var edgeStart: Int32
  var edgeCount: Int32
  /// Real attributes (unary-op parameters, scale factors).
  var alpha: S = 0
  var beta: S = 0
  /// Integer attributes (axes, offsets, flags).
  var i0 = 0, i1 = 0, i2 = 0, i3 = 0
  /// Saved intermediate (dropout mask, softmax, argmax, custom-op state).
  var aux: UnsafeMutablePointer<S>?
  var aux2: UnsafeMutablePointer<S>?
  var auxIndices: UnsafeMutablePointer<Int32>?
  /// A saved random-stream state (dropout masks are regenerated, not stored).
  var rngState = RandomStream(seed: 0)
  var custom: (any CustomBackward<S>)?

  init(op: Op, shape: Shape, value: UnsafeMutablePointer<S>, requiresGrad: Bool, edgeStart: Int32, edgeCount: Int32) {
    self.op = op
    self.shape = shape
    self.value = value
    self.requiresGrad = requiresGrad
    self.edgeStart = edgeStart
    self.edgeCount = edgeCount
  }
}

/// The operations the graph knows how to differentiate.
@usableFromInline
enum Op: UInt8 {
  case leaf, unary, binary, addScalar, mulScalar, matmul, reduceSum, reduceMax, sumAll
  case logSumExp, concat, slice, reshape, transpose, gatherColumns, gatherRows, dropout, dense, custom
}

/// A hand-written vector–Jacobian product for a fused operation (LSTM sequence, spline
/// transform, …): the op computes its output itself and records a node with
/// `Graph.record(_:inputs:shape:)`; `backward` then accumulates the gradients of its inputs.
public protocol CustomBackward<Scalar>: AnyObject {
  associatedtype Scalar: TensorScalar
  /// Adds ∂L/∂(input k) for every input k of node `id` that requires a gradient
  /// (`graph.requiresGrad(graph.input(k, of: id))`), given ∂L/∂output = `graph.gradientBuffer(id)`.
  func backward(_ graph: Graph<Scalar>, node id: Int)
}
