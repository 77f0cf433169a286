/// Reductions: sums, means, maxima and log-sum-exp along an axis or over everything.
///
/// An axis reduction views the input as [outer, n, inner] (n the reduced axis) and produces
/// [outer, inner], reshaped to the input's shape without that axis (or with it set to 1 when
/// `keepingDimension`).

extension Graph {
  /// Σ of all elements → [1]. VJP: x̄ += ȳ.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func sumAll(_ a: Tensor<S>) -> Tensor<S> {
    let t = makeNode(.sumAll, shape: Shape(1), requiresGrad: a.requiresGrad, inputs: a.id)
    var s: S = 0
    let x = a.pointer
    for i in 0..<a.count { s += x[i] }
    t.pointer[0] = s
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardSumAll(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let g = nodes[id].grad![0], ga = gradientBuffer(ia)
    for i in 0..<nodes[ia].shape.count { ga[i] += g }
  }

  static func reducedShape(_ s: Shape, axis: Int, keeping: Bool) -> Shape {
    var dims = s.dims
    if keeping { dims[axis] = 1 } else { dims.remove(at: axis) }
    return dims.isEmpty ? Shape(1) : Shape(dims)
  }

  /// y[o, i] = Σⱼ x[o, j, i]. VJP: x̄[o, j, i] += ȳ[o, i].
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func reduceSum(_ a: Tensor<S>, axis: Int, keeping: Bool) -> Tensor<S> {
    let s = a.shape
    let ax = axis < 0 ? s.rank + axis : axis
    let (outer, n, inner) = s.split(at: ax)
    let t = makeNode(.reduceSum, shape: Graph.reducedShape(s, axis: ax, keeping: keeping),
                     requiresGrad: a.requiresGrad, inputs: a.id)
    nodes[t.id].i0 = outer; nodes[t.id].i1 = n; nodes[t.id].i2 = inner
    let x = a.pointer, y = t.pointer
    y.update(repeating: 0, count: outer * inner)
    for o in 0..<outer {
      let yo = y + o * inner
      for j in 0..<n {
        let xr = x + (o * n + j) * inner
        for i in 0..<inner { yo[i] += xr[i] }
      }
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardReduceSum(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let outer = nodes[id].i0, n = nodes[id].i1, inner = nodes[id].i2
    let g = nodes[id].grad!, ga = gradientBuffer(ia)
    for o in 0..<outer {
      let go = g + o * inner
      for j in 0..<n {
        let gr = ga + (o * n + j) * inner
        for i in 0..<inner { gr[i] += go[i] }
      }
    }
  }

  /// y[o, i] = maxⱼ x[o, j, i]; the argmax is saved. VJP: x̄[o, j*, i] += ȳ[o, i].
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func reduceMax(_ a: Tensor<S>, axis: Int, keeping: Bool) -> Tensor<S> {
    let s = a.shape
    let ax = axis < 0 ? s.rank + axis : axis
    let (outer, n, inner) = s.split(at: ax)
    precondition(n > 0, "max over an empty axis")
    let t = makeNode(.reduceMax, shape: Graph.reducedShape(s, axis: ax, keeping: keeping),
                     requiresGrad: a.requiresGrad, inputs: a.id)
    nodes[t.id].i0 = outer; nodes[t.id].i1 = n; nodes[t.id].i2 = inner
    let arg = indices.allocate(outer * inner)
    nodes[t.id].auxIndices = arg
    let x = a.pointer, y = t.pointer
    for o in 0..<outer {
      for i in 0..<inner {
        var best = x[o * n * inner + i], bj: Int32 = 0
        for j in 1..<max(n, 1) {
          let v = x[(o * n + j) * inner + i]
          if v > best { best = v; bj = Int32(j) }
        }
        y[o * inner + i] = best
        arg[o * inner + i] = bj
      }
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardReduceMax(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let outer = nodes[id].i0, n = nodes[id].i1, inner = nodes[id].i2
    let g = nodes[id].grad!, ga = gradientBuffer(ia), arg = nodes[id].auxIndices!
    for o in 0..<outer {
      for i in 0..<inner {
        ga[(o * n + Int(arg[o * inner + i])) * inner + i] += g[o * inner + i]
      }
    }
  }

  /// y[r] = log Σⱼ exp(x[r, j]) over the last axis, computed as m + log Σ exp(x − m), m = max.
  /// The softmax is saved. VJP: x̄[r, j] += ȳ[r]·softmax(x)[r, j].
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func logSumExp(_ a: Tensor<S>, keeping: Bool) -> Tensor<S> {
    let s = a.shape
    let rows = s.rows, n = s.cols
    let t = makeNode(.logSumExp, shape: Graph.reducedShape(s, axis: s.rank - 1, keeping: keeping),
                     requiresGrad: a.requiresGrad, inputs: a.id)
    let p = values.allocate(rows * n)
    nodes[t.id].aux = p
    let x = a.pointer, y = t.pointer
    for r in 0..<rows {
      let xr = x + r * n, pr = p + r * n
      var m = xr[0]
      for j in 1..<max(n, 1) where xr[j] > m { m = xr[j] }
      var sum: S = 0
      for j in 0..<n { let e = S.mexp(xr[j] - m); pr[j] = e; sum += e }
      let inv = 1 / sum
      for j in 0..<n { pr[j] *= inv }
      y[r] = m + S.mlog(sum)
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardLogSumExp(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let s = nodes[ia].shape, rows = s.rows, n = s.cols
    let g = nodes[id].grad!, ga = gradientBuffer(ia), p = nodes[id].aux!
    for r in 0..<rows {
      let gr = g[r]
      for j in 0..<n { ga[r * n + j] += gr * p[r * n + j] }
    }
  }
}

extension Tensor {
  /// Σ of all elements, shape [1].
  public func sum() -> Tensor<S> { graph.sumAll(self) }
  /// Mean of all elements, shape [1].
  public func mean() -> Tensor<S> { graph.sumAll(self) * (1 / S(count)) }
  /// Σ along `axis` (negative counts from the end).
  public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor<S> {
    graph.reduceSum(self, axis: axis, keeping: keepingDimension)
  }
  /// Mean along `axis`.
  public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor<S> {
    let n = shape[axis]
    return graph.reduceSum(self, axis: axis, keeping: keepingDimension) * (1 / S(n))
  }
  /// Maximum along `axis`.
  public func max(axis: Int, keepingDimension: Bool = false) -> Tensor<S> {
    graph.reduceMax(self, axis: axis, keeping: keepingDimension)
  }
  /// log Σ exp along the last axis.
  public func logSumExp(keepingDimension: Bool = false) -> Tensor<S> {
    graph.logSumExp(self, keeping: keepingDimension)
  }
}
