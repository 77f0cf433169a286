import Tensors

/// What `LSTMFunction` and `GRUFunction` share: one graph node for a whole (bi)directional
/// recurrence over packed sequences (`PackedSequences`), with inputs x [B, T, C],
/// W_x [C, D·G], W_h [D, H, G] and a bias, where G = `gateWidth` (4H for the LSTM, 3H for the
/// GRU). A conforming cell supplies its forward recurrence and its BPTT; this protocol records
/// the node, dispatches the backward pass and holds the steps that do not depend on the cell:
/// the output layout, the recurrent-weight gradient and the input-side gradients.
protocol RecurrentSequenceFunction: CustomBackward {
  var units: Int { get }
  var directions: Int { get }
  var returnSequences: Bool { get }
  /// G, the width of one direction's gate block.
  var gateWidth: Int { get }
  /// Scalars in the bias input, for `directions` directions.
  var biasCount: Int { get }
  /// Scalars of per-step scratch the forward pass needs for a batch of `batch` rows.
  func workCount(batch: Int) -> Int
  /// Scalars of state the forward pass saves for the backward pass.
  func savedCount(batch: Int, time: Int, total: Int) -> Int
  func forward(_ packed: PackedSequences, x: UnsafePointer<Scalar>, channels: Int, time: Int,
               wInput: UnsafePointer<Scalar>, wHidden: UnsafePointer<Scalar>, bias: UnsafePointer<Scalar>,
               saved: UnsafeMutablePointer<Scalar>, work: UnsafeMutablePointer<Scalar>, y: UnsafeMutablePointer<Scalar>)
  func backward(_ graph: Graph<Scalar>, _ packed: PackedSequences, x: UnsafePointer<Scalar>, channels: Int, time: Int,
                wInput: UnsafePointer<Scalar>, wHidden: UnsafePointer<Scalar>, saved: UnsafeMutablePointer<Scalar>,
                gy: UnsafePointer<Scalar>, gx: UnsafeMutablePointer<Scalar>?, gwx: UnsafeMutablePointer<Scalar>?,
                gwh: UnsafeMutablePointer<Scalar>?, gb: UnsafeMutablePointer<Scalar>?)
}

extension RecurrentSequenceFunction {
  /// Records the node: the final states [B, D·H] of x [B, T, C], or every state [B, T, D·H]
  /// with `returnSequences`. `lengths` (nil: all T) are the valid steps of each series.
  func callAsFunction(_ x: Tensor<Scalar>, wInput: Tensor<Scalar>, wHidden: Tensor<Scalar>, bias: Tensor<Scalar>,
                      lengths: UnsafeBufferPointer<Int32>?) -> Tensor<Scalar> {
    let g = x.graph
    let sx = x.shape, h = units, d = directions
    precondition(sx.rank == 3, "\(Self.self): input must be [B, T, C], got \(sx)")
    precondition(wInput.shape == Shape(sx[2], d * gateWidth) && wHidden.count == d * h * gateWidth && bias.count == biasCount,
                 "\(Self.self): weights \(wInput.shape), \(wHidden.shape), \(bias.shape) do not match input \(sx) and \(h) units")
    let b = sx[0], t = sx[1]
    let packed = g.packSequences(batch: b, time: t, lengths: lengths)
    let y = g.record(self, shape: returnSequences ? Shape(b, t, d * h) : Shape(b, d * h),
                     inputs: x, wInput, wHidden, bias)
    let buffer = g.scratch(savedCount(batch: b, time: t, total: packed.total))
    g.setSaved(y, buffer: buffer, indices: packed.order)
    forward(packed, x: x.pointer, channels: sx[2], time: t, wInput: wInput.pointer, wHidden: wHidden.pointer,
            bias: bias.pointer, saved: buffer, work: g.scratch(workCount(batch: b)), y: y.pointer)
    return y
  }

  func backward(_ graph: Graph<Scalar>, node id: Int) {
    let ix = graph.input(0, of: id), iwx = graph.input(1, of: id), iwh = graph.input(2, of: id), ib = graph.input(3, of: id)
    let sx = graph.shape(of: ix)
    let saved = graph.saved(id)
    let packed = PackedSequences(saved: saved.indices!, batch: sx[0], time: sx[1])
    backward(graph, packed, x: graph.value(of: ix), channels: sx[2], time: sx[1],
             wInput: graph.value(of: iwx), wHidden: graph.value(of: iwh), saved: saved.buffer!,
             gy: graph.gradientBuffer(id),
             gx: graph.requiresGrad(ix) ? graph.gradientBuffer(ix) : nil,
             gwx: graph.requiresGrad(iwx) ? graph.gradientBuffer(iwx) : nil,
             gwh: graph.requiresGrad(iwh) ? graph.gradientBuffer(iwh) : nil,
             gb: graph.requiresGrad(ib) ? graph.gradientBuffer(ib) : nil)
  }

  /// The input side of the forward pass for all B·T rows at once: a = x·W_x + b [B·T, D·G]
  /// (`bias` starts with the D·G input bias) in one gemm; also clears y, whose padded entries
  /// stay zero. `rows` = B·T.
  func projectInputs(x: UnsafePointer<Scalar>, channels: Int, batch: Int, rows: Int, wInput: UnsafePointer<Scalar>,
                     bias: UnsafePointer<Scalar>, into a: UnsafeMutablePointer<Scalar>, y: UnsafeMutablePointer<Scalar>) {
    let width = directions * gateWidth, outWidth = directions * units
    for r in 0..<rows { (a + r * width).update(from: bias, count: width) }
    Scalar.gemm(transA: false, transB: false, m: rows, n: width, k: channels, alpha: 1, a: x, lda: channels,
                b: wInput, ldb: width, beta: 1, c: a, ldc: width)
    y.update(repeating: 0, count: (returnSequences ? rows : batch) * outWidth)
  }

  /// Without `returnSequences`, copies each series' last state of direction `dir` (packed row
  /// j at its last step L_j − 1) into y [B, D·H]; series of length 0 keep their zeros.
  func writeFinalStates(_ packed: PackedSequences, states hs: UnsafePointer<Scalar>, direction dir: Int,
                        y: UnsafeMutablePointer<Scalar>) {
    let h = units, outWidth = directions * h
    for j in 0..<packed.batch {
      let l = Int(packed.length[j])
      guard l > 0 else { continue }
      (y + Int(packed.order[j]) * outWidth + dir * h).update(from: hs + (Int(packed.offset[l - 1]) + j) * h, count: h)
    }
  }

  /// Without `returnSequences`, seeds h̄ [B_packed, H] of direction `dir` with ∂L/∂y of each
  /// series' final state (the state `writeFinalStates` copied out).
  func seedFinalStateGradients(_ packed: PackedSequences, gy: UnsafePointer<Scalar>, direction dir: Int,
                               dh: UnsafeMutablePointer<Scalar>) {
    let h = units, outWidth = directions * h
    for j in 0..<packed.batch where packed.length[j] > 0 {
      (dh + j * h).update(from: gy + Int(packed.order[j]) * outWidth + dir * h, count: h)
    }
  }

  /// W̄_h(dir) += Σ_{t≥1} hₜ₋₁ᵀ ρ̄ₜ as one gemm, where `dRows` [N, G] holds ρ̄ of every packed
  /// row and `hs` [N, H] the states. Rows of step s ≥ 1 need the state of the same series at
  /// step s − 1; with equal lengths that is `hs` shifted by one block, otherwise the states
  /// are gathered into `hPrev` first.
  func addRecurrentWeightGradient(_ packed: PackedSequences, states hs: UnsafePointer<Scalar>,
                                  dRows: UnsafePointer<Scalar>, hPrev: UnsafeMutablePointer<Scalar>,
                                  gwh: UnsafeMutablePointer<Scalar>) {
    guard packed.steps > 1 else { return }
    let h = units, g = gateWidth, n = packed.total, n0 = Int(packed.active[0])
    var aligned = hs
    if packed.active[packed.steps - 1] != packed.active[0] {
      for s in 1..<packed.steps {
        let active = Int(packed.active[s])
        (hPrev + (Int(packed.offset[s]) - n0) * h).update(from: hs + Int(packed.offset[s - 1]) * h, count: active * h)
      }
      aligned = UnsafePointer(hPrev)
    }
    Scalar.gemm(transA: true, transB: false, m: h, n: g, k: n - n0, alpha: 1, a: aligned, lda: h,
                b: dRows + n0 * g, ldb: g, beta: 1, c: gwh, ldc: g)
  }

  /// The input side, given ā [B·T, D·G] (zero at padded steps): W̄_x += xᵀ ā and x̄ += ā W_xᵀ,
  /// one gemm each.
  func addInputGradients(x: UnsafePointer<Scalar>, channels: Int, rows: Int, wInput: UnsafePointer<Scalar>,
                         da: UnsafePointer<Scalar>, gx: UnsafeMutablePointer<Scalar>?, gwx: UnsafeMutablePointer<Scalar>?) {
    let width = directions * gateWidth
    if let gwx {
      Scalar.gemm(transA: true, transB: false, m: channels, n: width, k: rows, alpha: 1, a: x, lda: channels,
                  b: da, ldb: width, beta: 1, c: gwx, ldc: width)
    }
    if let gx {
      Scalar.gemm(transA: false, transB: true, m: rows, n: channels, k: width, alpha: 1, a: da, lda: width,
                  b: wInput, ldb: width, beta: 1, c: gx, ldc: channels)
    }
  }
}
