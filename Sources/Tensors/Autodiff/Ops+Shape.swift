/// Shape and indexing ops: concatenation, slicing, reshaping, gathers and dropout.

extension Graph {
  /// Concatenation along `axis`: each input is viewed as [outer, nₖ, inner] and the output is
  /// [outer, Σnₖ, inner]. VJP: each input receives its slice of ȳ.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func concat(_ ids: UnsafeBufferPointer<Int>, axis: Int) -> Tensor<S> {
    precondition(!ids.isEmpty, "concat of nothing")
    let first = nodes[ids[0]].shape
    let ax = axis < 0 ? first.rank + axis : axis
    var total = 0
    for id in ids {
      let s = nodes[id].shape
      precondition(s.rank == first.rank, "concat: ranks differ, \(first) and \(s)")
      for d in 0..<s.rank where d != ax {
        precondition(s[d] == first[d], "concat along axis \(ax): shapes \(first) and \(s) differ off-axis")
      }
      total += s[ax]
    }
    var shape = first
    shape[ax] = total
    let t = makeNode(.concat, shape: shape, inputs: ids)
    nodes[t.id].i0 = ax
    let (outer, _, inner) = shape.split(at: ax)
    let y = t.pointer
    var offset = 0
    for id in ids {
      let n = nodes[id].shape[ax], x = nodes[id].value
      for o in 0..<outer {
        (y + (o * total + offset) * inner).update(from: x + o * n * inner, count: n * inner)
      }
      offset += n
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardConcat(_ id: Int) {
    let ax = nodes[id].i0, shape = nodes[id].shape, total = shape[ax]
    let (outer, _, inner) = shape.split(at: ax)
    let g = nodes[id].grad!
    var offset = 0
    for k in 0..<inputCount(of: id) {
      let ik = input(k, of: id)
      let n = nodes[ik].shape[ax]
      if nodes[ik].requiresGrad {
        let gk = gradientBuffer(ik)
        for o in 0..<outer {
          let src = g + (o * total + offset) * inner, dst = gk + o * n * inner
          for i in 0..<(n * inner) { dst[i] += src[i] }
        }
      }
      offset += n
    }
  }

  /// x[..., start ..< start+length, ...] along `axis`. VJP: scatter-add ȳ into x̄.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func slice(_ a: Tensor<S>, axis: Int, start: Int, length: Int) -> Tensor<S> {
    let s = a.shape
    let ax = axis < 0 ? s.rank + axis : axis
    precondition(start >= 0 && length >= 0 && start + length <= s[ax],
                 "slice \(start)..<\(start + length) out of range for axis \(ax) of \(s)")
    var shape = s
    shape[ax] = length
    let t = makeNode(.slice, shape: shape, requiresGrad: a.requiresGrad, inputs: a.id)
    nodes[t.id].i0 = ax
    nodes[t.id].i1 = start
    let (outer, n, inner) = s.split(at: ax)
    let x = a.pointer, y = t.pointer
    for o in 0..<outer {
      (y + o * length * inner).update(from: x + (o * n + start) * inner, count: length * inner)
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardSlice(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let ax = nodes[id].i0, start = nodes[id].i1, length = nodes[id].shape[ax]
    let (outer, n, inner) = nodes[ia].shape.split(at: ax)
    let g = nodes[id].grad!, ga = gradientBuffer(ia)
    for o in 0..<outer {
      let src = g + o * length * inner, dst = ga + (o * n + start) * inner
      for i in 0..<(length * inner) { dst[i] += src[i] }
    }
  }

  /// The same values under another shape (no copy). VJP: x̄ += ȳ.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func reshape(_ a: Tensor<S>, _ shape: Shape) -> Tensor<S> {
    precondition(shape.count == a.count, "reshape: \(a.shape) has \(a.count) elements, \(shape) has \(shape.count)")
    return makeView(.reshape, shape: shape, value: a.pointer, requiresGrad: a.requiresGrad, input: a.id)
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardReshape(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let g = nodes[id].grad!, ga = gradientBuffer(ia)
    for i in 0..<nodes[id].shape.count { ga[i] += g[i] }
  }

  /// y[r, j] = x[r, idx[j]] along the last axis (a permutation, or any selection).
  /// VJP: x̄[r, idx[j]] += ȳ[r, j].
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func gatherColumns(_ a: Tensor<S>, _ idx: [Int32]) -> Tensor<S> {
    let s = a.shape, cols = s.cols
    let t = makeNode(.gatherColumns, shape: s.withLast(idx.count), requiresGrad: a.requiresGrad, inputs: a.id)
    let saved = indices.allocate(idx.count)
    idx.withUnsafeBufferPointer { saved.update(from: $0.baseAddress!, count: idx.count) }
    for j in 0..<idx.count { precondition(idx[j] >= 0 && Int(idx[j]) < cols, "gatherColumns: index \(idx[j]) out of range 0..<\(cols)") }
    nodes[t.id].auxIndices = saved
    let x = a.pointer, y = t.pointer, m = idx.count
    for r in 0..<s.rows {
      let xr = x + r * cols, yr = y + r * m
      for j in 0..<m { yr[j] = xr[Int(saved[j])] }
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardGatherColumns(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let cols = nodes[ia].shape.cols, m = nodes[id].shape.cols, rows = nodes[id].shape.rows
    let g = nodes[id].grad!, ga = gradientBuffer(ia), idx = nodes[id].auxIndices!
    for r in 0..<rows {
      let gr = g + r * m, gar = ga + r * cols
      for j in 0..<m { gar[Int(idx[j])] += gr[j] }
    }
  }

  /// y[j, …] = x[idx[j], …] along the first axis. VJP: x̄[idx[j], …] += ȳ[j, …].
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func gatherRows(_ a: Tensor<S>, _ idx: UnsafeBufferPointer<Int32>) -> Tensor<S> {
    let s = a.shape, width = s.count / max(s[0], 1)
    var shape = s
    shape[0] = idx.count
    let t = makeNode(.gatherRows, shape: shape, requiresGrad: a.requiresGrad, inputs: a.id)
    let saved = indices.allocate(idx.count)
    for j in 0..<idx.count {
      precondition(idx[j] >= 0 && Int(idx[j]) < s[0], "gatherRows: index \(idx[j]) out of range 0..<\(s[0])")
      saved[j] = idx[j]
    }
    nodes[t.id].auxIndices = saved
    let x = a.pointer, y = t.pointer
    for j in 0..<idx.count { (y + j * width).update(from: x + Int(saved[j]) * width, count: width) }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardGatherRows(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let s = nodes[ia].shape, width = s.count / max(s[0], 1), m = nodes[id].shape[0]
    let g = nodes[id].grad!, ga = gradientBuffer(ia), idx = nodes[id].auxIndices!
    for j in 0..<m {
      let src = g + j * width, dst = ga + Int(idx[j]) * width
      for i in 0..<width { dst[i] += src[i] }
    }
  }

  /// Inverted dropout: y = x ⊙ m with mᵢ = 1/(1−p) with probability 1−p, else 0, drawn from
  /// the graph's stream (`DropoutMask`: 16-bit uniforms, so p is resolved to 1/65536; the same
  /// masks as the fused dense node). Identity (no node) when not training or p = 0.
  /// VJP: x̄ += ȳ ⊙ m.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func dropout(_ a: Tensor<S>, rate p: Double) -> Tensor<S> {
    precondition(p >= 0 && p < 1, "dropout rate must be in [0, 1), got \(p)")
    guard isTraining, p > 0 else { return a }
    let t = makeNode(.dropout, shape: a.shape, requiresGrad: a.requiresGrad, inputs: a.id)
    let mask = values.allocate(a.count)
    nodes[t.id].aux = mask
    let ones = values.allocate(a.count)
    ones.update(repeating: 1, count: a.count)
    DropoutMask.apply(rate: p, rng: &rng, input: ones, output: mask, count: a.count)
    let x = a.pointer, y = t.pointer, n = a.count
    for k in 0..<n { y[k] = x[k] * mask[k] }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardDropout(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let g = nodes[id].grad!, ga = gradientBuffer(ia), m = nodes[id].aux!
    for i in 0..<nodes[id].shape.count { ga[i] += g[i] * m[i] }
  }
}

/// Concatenation of tensors along `axis` (see `Graph.concat`).
public func concat<S>(_ tensors: [Tensor<S>], axis: Int) -> Tensor<S> {
  precondition(!tensors.isEmpty, "concat of nothing")
  return withUnsafeTemporaryAllocation(of: Int.self, capacity: tensors.count) { buf in
    for (k, t) in tensors.enumerated() { buf[k] = t.id }
    return tensors[0].graph.concat(UnsafeBufferPointer(buf), axis: axis)
  }
}

/// Concatenation of two tensors along `axis` (no array needed).
public func concat<S>(_ a: Tensor<S>, _ b: Tensor<S>, axis: Int) -> Tensor<S> {
  withUnsafeTemporaryAllocation(of: Int.self, capacity: 2) { buf in
    buf[0] = a.id
    buf[1] = b.id
    return a.graph.concat(UnsafeBufferPointer(buf), axis: axis)
  }
}

extension Tensor {
  /// Elements start..<start+length along `axis`.
  public func slice(axis: Int, start: Int, length: Int) -> Tensor<S> {
    graph.slice(self, axis: axis, start: start, length: length)
  }
  /// Splits along `axis` into consecutive pieces of the given sizes.
  public func split(axis: Int, sizes: [Int]) -> [Tensor<S>] {
    var start = 0
    return sizes.map { n in defer { start += n }; return slice(axis: axis, start: start, length: n) }
  }
  /// The same elements with another shape.
  public func reshaped(_ shape: Shape) -> Tensor<S> { graph.reshape(self, shape) }
  /// Columns (last axis) selected by `indices`.
  public func gatherColumns(_ indices: [Int32]) -> Tensor<S> { graph.gatherColumns(self, indices) }
  /// Rows (first axis) selected by `indices`.
  public func gatherRows(_ indices: [Int32]) -> Tensor<S> {
    indices.withUnsafeBufferPointer { graph.gatherRows(self, $0) }
  }
  /// Inverted dropout with drop probability `rate` (active only when the graph is training).
  public func dropout(rate: Double) -> Tensor<S> { graph.dropout(self, rate: rate) }
}
