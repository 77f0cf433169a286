import Tensors

/// A whole (bi)directional LSTM sequence as one graph node with hand-written backpropagation
/// through time.
///
/// Inputs: x [B, T, C], W_x [C, D·4H], W_h [D, H, 4H], b [D·4H]; gate order i, f, g, o within
/// each direction's 4H block (Keras order). Per direction, with h₀ = c₀ = 0:
///
///     zₜ = xₜ·W_x + b                               (all B·T steps in one gemm)
///     (i, f, g, o) = (σ, σ, tanh, σ)(zₜ + hₜ₋₁·W_h)   (one gemm per step, running rows only)
///     cₜ = f ⊙ cₜ₋₁ + i ⊙ g,    hₜ = o ⊙ tanh(cₜ)
///
/// The forward direction reads t = 0 … L_b − 1, the backward direction t = L_b − 1 … 0, so
/// each starts at its sequence's own ends; steps t ≥ L_b are never computed (see
/// `PackedSequences`) and receive zero gradient. Output: the final states [B, D·H]
/// (forward h at t = L_b − 1, backward h at t = 0; zeros for L_b = 0), or with
/// `returnSequences` every hₜ [B, T, D·H] (zero at padded steps, directions side by side).
///
/// BPTT, per step backwards, with h̄ the gradient reaching hₜ and c̄ the one reaching cₜ:
///
///     c̄ += h̄ ⊙ o ⊙ (1 − tanh²cₜ)
///     z̄ = (c̄⊙g·i(1−i), c̄⊙cₜ₋₁·f(1−f), c̄⊙i·(1−g²), h̄⊙tanh cₜ·o(1−o))
///     h̄ₜ₋₁ = z̄·W_hᵀ,   c̄ₜ₋₁ = c̄ ⊙ f
///     W̄_h += Σₜ hₜ₋₁ᵀ z̄ₜ,  W̄_x += xᵀ z̄,  b̄ += Σ z̄,  x̄ += z̄·W_xᵀ   (each one gemm)
///
/// The activations of a step run as two vectorised kernels over all running rows: σ over
/// the four gates, with the candidate computed as g = tanh a = 2σ(2a) − 1 (absolute error of
/// order one ulp of 1), and tanh over the new cells.
final class LSTMFunction<S: TensorScalar>: RecurrentSequenceFunction {
  typealias Scalar = S
  let units: Int
  let directions: Int
  let returnSequences: Bool

  init(units: Int, directions: Int, returnSequences: Bool) {
    self.units = units
    self.directions = directions
    self.returnSequences = returnSequences
  }

  var gateWidth: Int { 4 * units }
  var biasCount: Int { directions * 4 * units }
  func workCount(batch: Int) -> Int { batch * 4 * units }

  /// Scalars of saved state: z [B·T·D·4H], then per direction h, c, tanh c [N·H] and gates [N·4H], then 0 [H].
  func savedCount(batch: Int, time: Int, total: Int) -> Int {
    let h = units
    return batch * time * directions * 4 * h + directions * total * 7 * h + h
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func forward(_ packed: PackedSequences, x: UnsafePointer<S>, channels: Int, time: Int,
               wInput: UnsafePointer<S>, wHidden: UnsafePointer<S>, bias: UnsafePointer<S>,
               saved: UnsafeMutablePointer<S>, work pre: UnsafeMutablePointer<S>, y: UnsafeMutablePointer<S>) {
    let h = units, g4 = 4 * h, width = directions * g4, rows = packed.batch * time, n = packed.total
    let z = saved
    projectInputs(x: x, channels: channels, batch: packed.batch, rows: rows, wInput: wInput, bias: bias, into: z, y: y)
    let zero = saved + rows * width + directions * n * 7 * h
    zero.update(repeating: 0, count: h)
    let outWidth = directions * h
    for dir in 0..<directions {
      let base = saved + rows * width + dir * n * 7 * h
      let hs = base, cs = base + n * h, tcs = base + 2 * n * h, gates = base + 3 * n * h
      let wh = wHidden + dir * h * g4
      for s in 0..<packed.steps {
        let active = Int(packed.active[s]), o = Int(packed.offset[s])
        let prev = s > 0 ? Int(packed.offset[s - 1]) : 0
        if s > 0 {
          S.gemm(transA: false, transB: false, m: active, n: g4, k: h, alpha: 1, a: hs + prev * h, lda: h,
                 b: wh, ldb: g4, beta: 0, c: pre, ldc: g4)
        } else {
          pre.update(repeating: 0, count: active * g4)
        }
        // Pre-activations, with the cell candidate doubled: tanh a = 2σ(2a) − 1, so one
        // vectorised σ (out of place: in place defeats vectorisation) covers all four gates.
        for j in 0..<active {
          let b = Int(packed.order[j]), t = packed.time(row: j, step: s, reversed: dir == 1)
          let zr = z + (b * time + t) * width + dir * g4
          let ar = pre + j * g4
          for u in 0..<(2 * h) { ar[u] += zr[u] }
          for u in (2 * h)..<(3 * h) { ar[u] = 2 * (ar[u] + zr[u]) }
          for u in (3 * h)..<g4 { ar[u] += zr[u] }
        }
        S.unaryForward(.sigmoid, pre, gates + o * g4, count: active * g4, alpha: 0, beta: 0)
        for j in 0..<active {
          let ar = gates + (o + j) * g4
          let cPrev = s > 0 ? cs + (prev + j) * h : zero
          let c = cs + (o + j) * h
          let ig = ar, fg = ar + h, gg = ar + 2 * h
          for u in 0..<h { gg[u] = 2 * gg[u] - 1 }
          for u in 0..<h { c[u] = fg[u] * cPrev[u] + ig[u] * gg[u] }
        }
        S.unaryForward(.tanh, cs + o * h, tcs + o * h, count: active * h, alpha: 0, beta: 0)
        for j in 0..<active {
          let og = gates + (o + j) * g4 + 3 * h, tc = tcs + (o + j) * h, hr = hs + (o + j) * h
          for u in 0..<h { hr[u] = og[u] * tc[u] }
          if returnSequences {
            let b = Int(packed.order[j]), t = packed.time(row: j, step: s, reversed: dir == 1)
            (y + (b * time + t) * outWidth + dir * h).update(from: hr, count: h)
          }
        }
      }
      if !returnSequences { writeFinalStates(packed, states: hs, direction: dir, y: y) }
    }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backward(_ graph: Graph<S>, _ packed: PackedSequences, x: UnsafePointer<S>, channels: Int, time: Int,
                wInput: UnsafePointer<S>, wHidden: UnsafePointer<S>, saved: UnsafeMutablePointer<S>,
                gy: UnsafePointer<S>, gx: UnsafeMutablePointer<S>?, gwx: UnsafeMutablePointer<S>?,
                gwh: UnsafeMutablePointer<S>?, gb: UnsafeMutablePointer<S>?) {
    let h = units, g4 = 4 * h, width = directions * g4, rows = packed.batch * time, n = packed.total
    let batch = packed.batch, outWidth = directions * h
    let needInput = gx != nil || gwx != nil
    // z̄ in batch layout (zero at padded steps), for the input-side gemms.
    let dz = needInput ? graph.scratch(rows * width) : nil
    dz?.update(repeating: 0, count: rows * width)
    let dh = graph.scratch(batch * h), dc = graph.scratch(batch * h)
    let da = graph.scratch(n * g4)
    let hPrev = gwh != nil ? graph.scratch(n * h) : nil
    let zero = saved + rows * width + directions * n * 7 * h
    for dir in 0..<directions {
      let base = saved + rows * width + dir * n * 7 * h
      let hs = base, cs = base + n * h, tcs = base + 2 * n * h, gates = base + 3 * n * h
      let wh = wHidden + dir * h * g4
      dh.update(repeating: 0, count: batch * h)
      dc.update(repeating: 0, count: batch * h)
      if !returnSequences { seedFinalStateGradients(packed, gy: gy, direction: dir, dh: dh) }
      for s in stride(from: packed.steps - 1, through: 0, by: -1) {
        let active = Int(packed.active[s]), o = Int(packed.offset[s])
        let prev = s > 0 ? Int(packed.offset[s - 1]) : 0
        for j in 0..<active {
          let b = Int(packed.order[j]), t = packed.time(row: j, step: s, reversed: dir == 1)
          let dhr = dh + j * h, dcr = dc + j * h
          if returnSequences {
            let src = gy + (b * time + t) * outWidth + dir * h
            for u in 0..<h { dhr[u] += src[u] }
          }
          let ar = gates + (o + j) * g4, dar = da + (o + j) * g4
          let cPrev = s > 0 ? cs + (prev + j) * h : zero
          let tc = tcs + (o + j) * h
          let ig = ar, fg = ar + h, gg = ar + 2 * h, og = ar + 3 * h
          let di = dar, df = dar + h, dg = dar + 2 * h, dout = dar + 3 * h
          // One output stream per loop: few enough pointers for the vectoriser's alias checks.
          for u in 0..<h { dout[u] = dhr[u] * tc[u] * og[u] * (1 - og[u]) }
          for u in 0..<h { dcr[u] += dhr[u] * og[u] * (1 - tc[u] * tc[u]) }
          for u in 0..<h { di[u] = dcr[u] * gg[u] * ig[u] * (1 - ig[u]) }
          for u in 0..<h { df[u] = dcr[u] * cPrev[u] * fg[u] * (1 - fg[u]) }
          for u in 0..<h { dg[u] = dcr[u] * ig[u] * (1 - gg[u] * gg[u]) }
          for u in 0..<h { dcr[u] *= fg[u] }
          if let dz { (dz + (b * time + t) * width + dir * g4).update(from: dar, count: g4) }
        }
        if s > 0 {
          S.gemm(transA: false, transB: true, m: active, n: h, k: g4, alpha: 1, a: da + o * g4, lda: g4,
                 b: wh, ldb: g4, beta: 0, c: dh, ldc: h)
        }
      }
      if let gb {
        let gbd = gb + dir * g4
        for r in 0..<n {
          let row = da + r * g4
          for u in 0..<g4 { gbd[u] += row[u] }
        }
      }
      if let gwh, let hPrev {
        addRecurrentWeightGradient(packed, states: hs, dRows: da, hPrev: hPrev, gwh: gwh + dir * h * g4)
      }
    }
    guard let dz else { return }
    addInputGradients(x: x, channels: channels, rows: rows, wInput: wInput, da: dz, gx: gx, gwx: gwx)
  }
}
