/// The dense layer as one node: y = dropout(f(x·W + b)).
///
/// Fusing the matrix product, bias, activation and dropout keeps one pre-activation buffer
/// z = x·W + b and the output y instead of a value and a gradient per step, and the dropout
/// mask m is not stored: the node keeps the random-stream state it was drawn from and the
/// backward pass draws it again. With a = f(z) and m ∈ {0, 1/(1−p)}:
///
///     y = a ⊙ m,   z̄ = (ȳ ⊙ m) ⊙ f′(z),   x̄ += z̄·Wᵀ,   W̄ += xᵀ·z̄,   b̄ += Σ_rows z̄
///
/// a is kept separately only when dropout is active and f′ is written with f(z) (elu, tanh,
/// sigmoid, …); otherwise y itself serves. For SiLU and softplus σ(z) is kept instead, so the
/// backward pass needs no exponential.
extension Graph {
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func dense(_ x: Tensor<S>, _ w: Tensor<S>, _ b: Tensor<S>?, activation op: UnaryOp?, alpha: S,
             dropout p: Double) -> Tensor<S> {
    let sx = x.shape, sw = w.shape
    precondition(sw.rank == 2 && sx.cols == sw[0], "dense: input \(sx) does not match weight \(sw)")
    precondition(p >= 0 && p < 1, "dropout rate must be in [0, 1), got \(p)")
    let rows = sx.rows, o = sw[1], n = rows * o
    if let b { precondition(b.count == o, "dense: bias \(b.shape) for \(o) outputs") }
    let rg = x.requiresGrad || w.requiresGrad || (b?.requiresGrad ?? false)
    let t = makeNode(.dense, shape: sx.withLast(o), requiresGrad: rg, inputs: x.id, w.id, b?.id ?? -1)
    let y = t.pointer
    let dropping = isTraining && p > 0
    // z: the node's value when there is nothing after the product, else a saved buffer.
    let z = op == nil && !dropping ? y : values.allocate(n)
    var beta: S = 0
    if let b {
      let bp = b.pointer
      for r in 0..<rows {
        let zr = z + r * o
        for j in 0..<o { zr[j] = bp[j] }
      }
      beta = 1
    }
    S.gemm(transA: false, transB: false, m: rows, n: o, k: sx.cols, alpha: 1, a: x.pointer, lda: sx.cols,
           b: w.pointer, ldb: o, beta: beta, c: z, ldc: o)
    if z != y { nodes[t.id].aux = z }
    nodes[t.id].alpha = alpha
    nodes[t.id].i0 = op.map { Int($0.rawValue) } ?? -1
    // a = f(z) (into y, or a separate buffer when backward needs it and dropout will scale y).
    var a = z
    if let op {
      let keepA = dropping && UnaryKernels.derivativeUsesOutput(op)
      a = keepA ? values.allocate(n) : y
      if keepA { nodes[t.id].aux2 = a }
      if rg && UnaryKernels.savesSigmoid(op) {
        let s = values.allocate(n)  // σ(z), so backward needs no exponential
        nodes[t.id].aux2 = s
        S.unaryForward(op, z, a, sigmoid: s, count: n)
      } else {
        S.unaryForward(op, z, a, count: n, alpha: alpha, beta: 0)
      }
    }
    if dropping {
      nodes[t.id].beta = S(p)
      nodes[t.id].rngState = rng
      DropoutMask.apply(rate: p, rng: &rng, input: a, output: y, count: n)
    } else if a != y {
      y.update(from: a, count: n)
    }
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardDense(_ id: Int) {
    let ix = input(0, of: id), iw = input(1, of: id)
    let sx = nodes[ix].shape, sw = nodes[iw].shape
    let rows = sx.rows, i = sx.cols, o = sw[1], n = rows * o
    let gy = nodes[id].grad!
    let p = Double(nodes[id].beta)
    // ȳ ⊙ m, in place: the node's gradient is complete and no longer needed after this.
    if p > 0 {
      var stream = nodes[id].rngState
      DropoutMask.apply(rate: p, rng: &stream, input: gy, output: gy, count: n)
    }
    var gz = gy
    if nodes[id].i0 >= 0 {
      let op = UnaryOp(rawValue: UInt8(nodes[id].i0))!
      let z = nodes[id].aux!
      gz = values.allocate(n)
      if UnaryKernels.savesSigmoid(op), let s = nodes[id].aux2 {
        gz.update(repeating: 0, count: n)
        S.unaryBackward(op, z, z, sigmoid: s, gy, gz, count: n)
      } else {
        let a = nodes[id].aux2 ?? nodes[id].value  // f(z) (y equals it when no dropout)
        S.unaryDerivativeProduct(op, z, a, gy, gz, count: n, alpha: nodes[id].alpha, beta: 0)
      }
    }
    if nodes[ix].requiresGrad {
      S.gemm(transA: false, transB: true, m: rows, n: i, k: o, alpha: 1, a: gz, lda: o,
             b: nodes[iw].value, ldb: o, beta: 1, c: gradientBuffer(ix), ldc: i)
    }
    if nodes[iw].requiresGrad {
      S.gemm(transA: true, transB: false, m: i, n: o, k: rows, alpha: 1, a: nodes[ix].value, lda: i,
             b: gz, ldb: o, beta: 1, c: gradientBuffer(iw), ldc: o)
    }
    if inputCount(of: id) == 3 {
      let ib = input(2, of: id)
      if nodes[ib].requiresGrad {
        let gb = gradientBuffer(ib)
        for r in 0..<rows {
          let row = gz + r * o
          for j in 0..<o { gb[j] += row[j] }
        }
      }
    }
  }
}

/// Inverted-dropout masks drawn four at a time from 64-bit draws (16-bit uniforms, so the rate
/// is resolved to 1/65536): output = input ⊙ m, mᵢ = 1/(1−p) when uᵢ ≥ p·65536, else 0.
/// Drawing again from the same stream state gives the same mask.
enum DropoutMask {
  @inline(__always)
  static func apply<S: TensorScalar>(rate p: Double, rng: inout RandomStream, input: UnsafePointer<S>,
                                     output: UnsafeMutablePointer<S>, count n: Int) {
    let keep = S(1 / (1 - p))
    let threshold = UInt16(min((p * 65536).rounded(), 65535))
    // Blocks of 1024 uniforms: raw 64-bit draws are stored as 16-bit lanes, then a branch-free
    // select over contiguous memory (vectorised).
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 256) { words in
      let lanes = UnsafeRawPointer(words.baseAddress!).assumingMemoryBound(to: UInt16.self)
      var start = 0
      while start < n {
        let m = min(1024, n - start)
        for w in 0..<((m + 3) / 4) { words[w] = rng.next() }
        let x = input + start, y = output + start
        // 16 lanes at a time: kᵢ = 1 + ((uᵢ − T) >> 31) is 1 when uᵢ ≥ T, else 0.
        var i = 0
        while i + 16 <= m {
          let u = UnsafeRawPointer(lanes + i).loadUnaligned(as: SIMD16<UInt16>.self)
          let k = 1 &+ ((SIMD16<Int32>(truncatingIfNeeded: u) &- Int32(threshold)) &>> 31)
          let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<S>.self) * keep * SIMD16<S>(k)
          UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD16<S>.self)
          i += 16
        }
        while i < m {
          y[i] = lanes[i] >= threshold ? x[i] * keep : 0
          i += 1
        }
        start += m
      }
    }
  }
}

/// y = dropout(f(x·W + b)) in one node (see `Graph.dense`); `activation` nil is the identity.
public func dense<S>(_ x: Tensor<S>, weight: Tensor<S>, bias: Tensor<S>?, activation: UnaryOp?, alpha: S = 0,
                     dropout: Double = 0) -> Tensor<S> {
  x.graph.dense(x, weight, bias, activation: activation, alpha: alpha, dropout: dropout)
}
