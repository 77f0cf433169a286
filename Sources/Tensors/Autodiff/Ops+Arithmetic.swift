/// Elementwise arithmetic with NumPy-style broadcasting, scalar arithmetic and unary maps.
///
/// Broadcasting: shapes are aligned at the last axis; each dimension must be equal or 1 in one
/// operand (that operand is repeated). A row vector [D] against [B, D], a column [B, 1], a
/// scalar [1] and [B, 1, C] against [B, T, C] are all allowed. The gradient of a broadcast
/// operand is the sum of the output gradient over the repeated axes.

/// The binary elementwise operations.
@usableFromInline
enum BinaryOp: Int { case add, sub, mul, div }

/// Index arithmetic of a broadcast over ≤ 4 dimensions: output extent and the strides of each
/// operand (0 along repeated axes).
@usableFromInline
struct Broadcast {
  var out: (Int, Int, Int, Int)
  var sa: (Int, Int, Int, Int)
  var sb: (Int, Int, Int, Int)
  var shape: Shape

  /// Allocation-free (it runs for every elementwise op of every step): shapes are right-aligned
  /// in four slots, missing leading dimensions count as 1.
  init?(_ a: Shape, _ b: Shape) {
    let rank = max(a.rank, b.rank)
    @inline(__always) func padded(_ s: Shape, _ i: Int) -> Int { i < 4 - s.rank ? 1 : s[i - (4 - s.rank)] }
    var o = (1, 1, 1, 1), stA = (0, 0, 0, 0), stB = (0, 0, 0, 0)
    var accA = 1, accB = 1
    for i in stride(from: 3, through: 0, by: -1) {
      let da = padded(a, i), db = padded(b, i)
      let n: Int
      if da == db || db == 1 { n = da } else if da == 1 { n = db } else { return nil }
      // Stride 0 along an axis the operand repeats.
      let sa = (da == 1 && n != 1) ? 0 : accA, sb = (db == 1 && n != 1) ? 0 : accB
      accA *= da
      accB *= db
      switch i {
      case 0: o.0 = n; stA.0 = sa; stB.0 = sb
      case 1: o.1 = n; stA.1 = sa; stB.1 = sb
      case 2: o.2 = n; stA.2 = sa; stB.2 = sb
      default: o.3 = n; stA.3 = sa; stB.3 = sb
      }
    }
    out = o
    sa = stA
    sb = stB
    shape = Shape(trailing: rank, of: o)
  }

  /// Calls `body(offsetA, offsetB, offsetOut, n, strideA, strideB)` for each innermost run.
  @inline(__always)
  func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
    var offOut = 0
    for i0 in 0..<out.0 {
      for i1 in 0..<out.1 {
        for i2 in 0..<out.2 {
          let oa = i0 * sa.0 + i1 * sa.1 + i2 * sa.2
          let ob = i0 * sb.0 + i1 * sb.1 + i2 * sb.2
          body(oa, ob, offOut, out.3, sa.3, sb.3)
          offOut += out.3
        }
      }
    }
  }
}

extension Graph {
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @usableFromInline
  func binary(_ op: BinaryOp, _ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
    let sa = a.shape, sb = b.shape
    guard let bc = Broadcast(sa, sb) else {
      preconditionFailure("cannot broadcast shapes \(sa) and \(sb)")
    }
    let t = makeNode(.binary, shape: bc.shape, requiresGrad: a.requiresGrad || b.requiresGrad, inputs: a.id, b.id)
    nodes[t.id].i0 = op.rawValue
    let x = a.pointer, y = b.pointer, z = t.pointer
    if sa == sb {
      BinaryKernels.apply(op, x, 1, y, 1, z, sa.count)
    } else {
      bc.forEachRun { oa, ob, oz, n, ia, ib in BinaryKernels.apply(op, x + oa, ia, y + ob, ib, z + oz, n) }
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardBinary(_ id: Int) {
    let op = BinaryOp(rawValue: nodes[id].i0)!
    let ia = input(0, of: id), ib = input(1, of: id)
    let g = nodes[id].grad!
    let a = nodes[ia].value, b = nodes[ib].value, y = nodes[id].value
    let sa = nodes[ia].shape, sb = nodes[ib].shape
    let needA = nodes[ia].requiresGrad, needB = nodes[ib].requiresGrad
    let ga = needA ? gradientBuffer(ia) : nil
    let gb = needB ? gradientBuffer(ib) : nil
    if sa == sb {
      BinaryKernels.backward(op, g, a, 1, b, 1, y, ga, gb, sa.count)
    } else {
      let bc = Broadcast(sa, sb)!
      bc.forEachRun { oa, ob, oz, n, sA, sB in
        BinaryKernels.backwardRun(op, g + oz, a + oa, sA, b + ob, sB, y + oz, ga.map { $0 + oa }, gb.map { $0 + ob }, n)
      }
    }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func scalarOp(_ op: Op, _ a: Tensor<S>, _ s: S) -> Tensor<S> {
    let t = makeNode(op, shape: a.shape, requiresGrad: a.requiresGrad, inputs: a.id)
    nodes[t.id].alpha = s
    let x = a.pointer, y = t.pointer
    if op == .addScalar { for i in 0..<a.count { y[i] = x[i] + s } } else { for i in 0..<a.count { y[i] = x[i] * s } }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardScalar(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let g = nodes[id].grad!, ga = gradientBuffer(ia), n = nodes[id].shape.count
    if nodes[id].op == .addScalar { for i in 0..<n { ga[i] += g[i] } } else {
      let s = nodes[id].alpha
      for i in 0..<n { ga[i] += g[i] * s }
    }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @usableFromInline
  func unary(_ op: UnaryOp, _ a: Tensor<S>, alpha: S, beta: S) -> Tensor<S> {
    let t = makeNode(.unary, shape: a.shape, requiresGrad: a.requiresGrad, inputs: a.id)
    nodes[t.id].i0 = Int(op.rawValue)
    nodes[t.id].alpha = alpha
    nodes[t.id].beta = beta
    if a.requiresGrad && UnaryKernels.savesSigmoid(op) {
      let s = values.allocate(a.count)
      nodes[t.id].aux = s
      S.unaryForward(op, a.pointer, t.pointer, sigmoid: s, count: a.count)
    } else {
      S.unaryForward(op, a.pointer, t.pointer, count: a.count, alpha: alpha, beta: beta)
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardUnary(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let op = UnaryOp(rawValue: UInt8(nodes[id].i0))!
    if let s = nodes[id].aux {
      S.unaryBackward(op, nodes[ia].value, nodes[id].value, sigmoid: s, nodes[id].grad!, gradientBuffer(ia),
                      count: nodes[id].shape.count)
    } else {
      S.unaryBackward(op, nodes[ia].value, nodes[id].value, nodes[id].grad!, gradientBuffer(ia),
                      count: nodes[id].shape.count, alpha: nodes[id].alpha, beta: nodes[id].beta)
    }
  }
}

@usableFromInline
enum BinaryKernels {
  /// z = x ∘ y over a run of n elements with strides ix, iy ∈ {0, 1} (0 repeats the element).
  @inline(__always)
  static func apply<S: TensorScalar>(_ op: BinaryOp, _ x: UnsafePointer<S>, _ ix: Int, _ y: UnsafePointer<S>, _ iy: Int,
                                     _ z: UnsafeMutablePointer<S>, _ n: Int) {
    switch (op, ix, iy) {
    case (.add, 1, 1): for i in 0..<n { z[i] = x[i] + y[i] }
    case (.sub, 1, 1): for i in 0..<n { z[i] = x[i] - y[i] }
    case (.mul, 1, 1): for i in 0..<n { z[i] = x[i] * y[i] }
    case (.div, 1, 1): for i in 0..<n { z[i] = x[i] / y[i] }
    case (.add, 1, 0): let v = y[0]; for i in 0..<n { z[i] = x[i] + v }
    case (.sub, 1, 0): let v = y[0]; for i in 0..<n { z[i] = x[i] - v }
    case (.mul, 1, 0): let v = y[0]; for i in 0..<n { z[i] = x[i] * v }
    case (.div, 1, 0): let v = y[0]; for i in 0..<n { z[i] = x[i] / v }
    case (.add, 0, 1): let v = x[0]; for i in 0..<n { z[i] = v + y[i] }
    case (.sub, 0, 1): let v = x[0]; for i in 0..<n { z[i] = v - y[i] }
    case (.mul, 0, 1): let v = x[0]; for i in 0..<n { z[i] = v * y[i] }
    case (.div, 0, 1): let v = x[0]; for i in 0..<n { z[i] = v / y[i] }
    default:
      for i in 0..<n {
        let u = x[i * ix], v = y[i * iy]
        switch op { case .add: z[i] = u + v; case .sub: z[i] = u - v; case .mul: z[i] = u * v; case .div: z[i] = u / v }
      }
    }
  }

  /// Gradients for equal shapes: ga += ∂z/∂x·g, gb += ∂z/∂y·g.
  @inline(__always)
  static func backward<S: TensorScalar>(_ op: BinaryOp, _ g: UnsafePointer<S>, _ x: UnsafePointer<S>, _ ix: Int,
                                        _ y: UnsafePointer<S>, _ iy: Int, _ z: UnsafePointer<S>,
                                        _ ga: UnsafeMutablePointer<S>?, _ gb: UnsafeMutablePointer<S>?, _ n: Int) {
    backwardRun(op, g, x, ix, y, iy, z, ga, gb, n)
  }

  /// Gradients over one broadcast run; a zero stride accumulates into one element.
  @inline(__always)
  static func backwardRun<S: TensorScalar>(_ op: BinaryOp, _ g: UnsafePointer<S>, _ x: UnsafePointer<S>, _ ix: Int,
                                           _ y: UnsafePointer<S>, _ iy: Int, _ z: UnsafePointer<S>,
                                           _ ga: UnsafeMutablePointer<S>?, _ gb: UnsafeMutablePointer<S>?, _ n: Int) {
    if let ga {
      switch op {
      case .add, .sub:
        if ix == 1 { for i in 0..<n { ga[i] += g[i] } } else { var s: S = 0; for i in 0..<n { s += g[i] }; ga[0] += s }
      case .mul:
        if ix == 1 { for i in 0..<n { ga[i] += g[i] * y[i * iy] } } else {
          var s: S = 0; for i in 0..<n { s += g[i] * y[i * iy] }; ga[0] += s
        }
      case .div:
        if ix == 1 { for i in 0..<n { ga[i] += g[i] / y[i * iy] } } else {
          var s: S = 0; for i in 0..<n { s += g[i] / y[i * iy] }; ga[0] += s
        }
      }
    }
    if let gb {
      switch op {
      case .add:
        if iy == 1 { for i in 0..<n { gb[i] += g[i] } } else { var s: S = 0; for i in 0..<n { s += g[i] }; gb[0] += s }
      case .sub:
        if iy == 1 { for i in 0..<n { gb[i] -= g[i] } } else { var s: S = 0; for i in 0..<n { s += g[i] }; gb[0] -= s }
      case .mul:
        if iy == 1 { for i in 0..<n { gb[i] += g[i] * x[i * ix] } } else {
          var s: S = 0; for i in 0..<n { s += g[i] * x[i * ix] }; gb[0] += s
        }
      case .div:
        // ∂(x/y)/∂y = −z/y
        if iy == 1 { for i in 0..<n { gb[i] -= g[i] * z[i] / y[i] } } else {
          var s: S = 0; for i in 0..<n { s += g[i] * z[i] }; gb[0] -= s / y[0]
        }
      }
    }
  }
}

// MARK: Operators

public func + <S>(a: Tensor<S>, b: Tensor<S>) -> Tensor<S> { a.graph.binary(.add, a, b) }
public func - <S>(a: Tensor<S>, b: Tensor<S>) -> Tensor<S> { a.graph.binary(.sub, a, b) }
public func * <S>(a: Tensor<S>, b: Tensor<S>) -> Tensor<S> { a.graph.binary(.mul, a, b) }
public func / <S>(a: Tensor<S>, b: Tensor<S>) -> Tensor<S> { a.graph.binary(.div, a, b) }
public func + <S>(a: Tensor<S>, s: S) -> Tensor<S> { a.graph.scalarOp(.addScalar, a, s) }
public func + <S>(s: S, a: Tensor<S>) -> Tensor<S> { a.graph.scalarOp(.addScalar, a, s) }
public func - <S>(a: Tensor<S>, s: S) -> Tensor<S> { a.graph.scalarOp(.addScalar, a, -s) }
public func - <S>(s: S, a: Tensor<S>) -> Tensor<S> { a.graph.unary(.affine, a, alpha: -1, beta: s) }
public func * <S>(a: Tensor<S>, s: S) -> Tensor<S> { a.graph.scalarOp(.mulScalar, a, s) }
public func * <S>(s: S, a: Tensor<S>) -> Tensor<S> { a.graph.scalarOp(.mulScalar, a, s) }
public func / <S>(a: Tensor<S>, s: S) -> Tensor<S> { a.graph.scalarOp(.mulScalar, a, 1 / s) }
public prefix func - <S>(a: Tensor<S>) -> Tensor<S> { a.graph.scalarOp(.mulScalar, a, -1) }

extension Tensor {
  /// y = f(x) elementwise (see `UnaryOp` for α, β).
  public func map(_ op: UnaryOp, alpha: S = 0, beta: S = 0) -> Tensor<S> {
    graph.unary(op, self, alpha: alpha, beta: beta)
  }
  public func exp() -> Tensor<S> { map(.exp) }
  public func log() -> Tensor<S> { map(.log) }
  public func softplus() -> Tensor<S> { map(.softplus) }
  public func sigmoid() -> Tensor<S> { map(.sigmoid) }
  public func tanh() -> Tensor<S> { map(.tanh) }
  public func atan() -> Tensor<S> { map(.atan) }
  public func relu() -> Tensor<S> { map(.relu) }
  public func elu(alpha: S = 1) -> Tensor<S> { map(.elu, alpha: alpha) }
  public func silu() -> Tensor<S> { map(.silu) }
  public func gelu() -> Tensor<S> { map(.gelu) }
  public func mish() -> Tensor<S> { map(.mish) }
  public func squared() -> Tensor<S> { map(.square) }
  public func sqrt() -> Tensor<S> { map(.sqrt) }
  public func abs() -> Tensor<S> { map(.abs) }
  public func reciprocal() -> Tensor<S> { map(.reciprocal) }
  /// min(max(x, lower), upper).
  public func clamped(_ lower: S, _ upper: S) -> Tensor<S> { map(.clamp, alpha: lower, beta: upper) }
}
