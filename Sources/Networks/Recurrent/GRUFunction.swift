import Tensors

/// A whole (bi)directional GRU sequence as one graph node with hand-written backpropagation
/// through time.
///
/// Inputs: x [B, T, C], W_x [C, D·3H], W_h [D, H, 3H], bias [2, D·3H] (row 0 the input bias
/// b_x, row 1 the recurrent bias b_h); gate order z, r, n within each direction's 3H block.
/// The "reset after" form of Keras (default) and PyTorch, per direction, with h₀ = 0:
///
///     aₜ = xₜ·W_x + b_x                       (all B·T steps in one gemm)
///     ρₜ = hₜ₋₁·W_h + b_h                     (one gemm per step, running rows only)
///     z = σ(a_z + ρ_z),  r = σ(a_r + ρ_r),  n = tanh(a_n + r ⊙ ρ_n)
///     hₜ = z ⊙ hₜ₋₁ + (1 − z) ⊙ n
///
/// Masking, directions and outputs as in `LSTMFunction`. BPTT per step backwards, with h̄ the
/// gradient reaching hₜ:
///
///     n̄ = h̄(1 − z)(1 − n²),  r̄ = n̄ ρ_n r(1 − r),  z̄ = h̄(hₜ₋₁ − n) z(1 − z)
///     ā = (z̄, r̄, n̄),  ρ̄ = (z̄, r̄, n̄ ⊙ r),  h̄ₜ₋₁ = h̄ ⊙ z + ρ̄·W_hᵀ
///     W̄_h += Σₜ hₜ₋₁ᵀ ρ̄ₜ,  b̄_h += Σ ρ̄,  W̄_x += xᵀ ā,  b̄_x += Σ ā,  x̄ += ā·W_xᵀ
final class GRUFunction<S: TensorScalar>: RecurrentSequenceFunction {
  typealias Scalar = S
  let units: Int
  let directions: Int
  let returnSequences: Bool

  init(units: Int, directions: Int, returnSequences: Bool) {
    self.units = units
    self.directions = directions
    self.returnSequences = returnSequences
  }

  var gateWidth: Int { 3 * units }
  var biasCount: Int { 2 * directions * 3 * units }
  func workCount(batch: Int) -> Int { batch * 2 * units }

  /// Scalars of saved state: a [B·T·D·3H], then per direction h [N·H], gates z, r [N·2H],
  /// n [N·H] and ρ [N·3H], then 0 [H].
  func savedCount(batch: Int, time: Int, total: Int) -> Int {
    let h = units
    return batch * time * directions * 3 * h + directions * total * 7 * h + h
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func forward(_ packed: PackedSequences, x: UnsafePointer<S>, channels: Int, time: Int,
               wInput: UnsafePointer<S>, wHidden: UnsafePointer<S>, bias: UnsafePointer<S>,
               saved: UnsafeMutablePointer<S>, work pre: UnsafeMutablePointer<S>, y: UnsafeMutablePointer<S>) {
    let h = units, g3 = 3 * h, width = directions * g3, rows = packed.batch * time, n = packed.total
    let a = saved
    projectInputs(x: x, channels: channels, batch: packed.batch, rows: rows, wInput: wInput, bias: bias, into: a, y: y)
    let zero = saved + rows * width + directions * n * 7 * h
    zero.update(repeating: 0, count: h)
    let outWidth = directions * h
    for dir in 0..<directions {
      let base = saved + rows * width + dir * n * 7 * h
      let hs = base, zrs = base + n * h, ns = base + 3 * n * h, rho = base + 4 * n * h
      let wh = wHidden + dir * h * g3, bh = bias + width + dir * g3
      for s in 0..<packed.steps {
        let active = Int(packed.active[s]), o = Int(packed.offset[s])
        let prev = s > 0 ? Int(packed.offset[s - 1]) : 0
        for j in 0..<active { (rho + (o + j) * g3).update(from: bh, count: g3) }
        if s > 0 {
          S.gemm(transA: false, transB: false, m: active, n: g3, k: h, alpha: 1, a: hs + prev * h, lda: h,
                 b: wh, ldb: g3, beta: 1, c: rho + o * g3, ldc: g3)
        }
        // z, r = σ(a + ρ) for all running rows in one vectorised call, then n = tanh(a_n + r ⊙ ρ_n)
        // (out of place: in place defeats vectorisation).
        for j in 0..<active {
          let b = Int(packed.order[j]), t = packed.time(row: j, step: s, reversed: dir == 1)
          let ar = a + (b * time + t) * width + dir * g3, pr = rho + (o + j) * g3, zr = pre + j * 2 * h
          for u in 0..<(2 * h) { zr[u] = ar[u] + pr[u] }
        }
        S.unaryForward(.sigmoid, pre, zrs + o * 2 * h, count: active * 2 * h, alpha: 0, beta: 0)
        for j in 0..<active {
          let b = Int(packed.order[j]), t = packed.time(row: j, step: s, reversed: dir == 1)
          let ar = a + (b * time + t) * width + dir * g3, pr = rho + (o + j) * g3, zr = zrs + (o + j) * 2 * h
          let nr = pre + j * h
          for u in 0..<h { nr[u] = ar[2 * h + u] + zr[h + u] * pr[2 * h + u] }
        }
        S.unaryForward(.tanh, pre, ns + o * h, count: active * h, alpha: 0, beta: 0)
        for j in 0..<active {
          let zr = zrs + (o + j) * 2 * h, nr = ns + (o + j) * h
          let hp = s > 0 ? hs + (prev + j) * h : zero
          let hr = hs + (o + j) * h
          for u in 0..<h { hr[u] = zr[u] * hp[u] + (1 - zr[u]) * nr[u] }
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
    let h = units, g3 = 3 * h, width = directions * g3, rows = packed.batch * time, n = packed.total
    let batch = packed.batch, outWidth = directions * h
    let needInput = gx != nil || gwx != nil
    let da = needInput ? graph.scratch(rows * width) : nil
    da?.update(repeating: 0, count: rows * width)
    let dh = graph.scratch(batch * h)
    let drho = graph.scratch(n * g3)
    let dbx = graph.scratch(g3)
    let sink = graph.scratch(g3)  // ā of a row when no input gradient is needed
    let hPrev = gwh != nil ? graph.scratch(n * h) : nil
    let zero = saved + rows * width + directions * n * 7 * h
    for dir in 0..<directions {
      let base = saved + rows * width + dir * n * 7 * h
      let hs = base, zrs = base + n * h, ns = base + 3 * n * h, rho = base + 4 * n * h
      let wh = wHidden + dir * h * g3
      dh.update(repeating: 0, count: batch * h)
      dbx.update(repeating: 0, count: g3)
      if !returnSequences { seedFinalStateGradients(packed, gy: gy, direction: dir, dh: dh) }
      for s in stride(from: packed.steps - 1, through: 0, by: -1) {
        let active = Int(packed.active[s]), o = Int(packed.offset[s])
        let prev = s > 0 ? Int(packed.offset[s - 1]) : 0
        for j in 0..<active {
          let b = Int(packed.order[j]), t = packed.time(row: j, step: s, reversed: dir == 1)
          let dhr = dh + j * h
          if returnSequences {
            let src = gy + (b * time + t) * outWidth + dir * h
            for u in 0..<h { dhr[u] += src[u] }
          }
          let zr = zrs + (o + j) * 2 * h, nr = ns + (o + j) * h, pr = rho + (o + j) * g3, dpr = drho + (o + j) * g3
          let hp = s > 0 ? hs + (prev + j) * h : zero
          let dar = da.map { $0 + (b * time + t) * width + dir * g3 } ?? sink
          let z = zr, r = zr + h, rhoN = pr + 2 * h
          let az = dar, ar = dar + h, an = dar + 2 * h, dn = dpr + 2 * h
          // ā = (z̄, r̄, n̄) and ρ̄ = (z̄, r̄, n̄ ⊙ r), one output stream per loop (vectorisable).
          for u in 0..<h { an[u] = dhr[u] * (1 - z[u]) * (1 - nr[u] * nr[u]) }
          for u in 0..<h { ar[u] = an[u] * rhoN[u] * r[u] * (1 - r[u]) }
          for u in 0..<h { az[u] = dhr[u] * (hp[u] - nr[u]) * z[u] * (1 - z[u]) }
          for u in 0..<h { dn[u] = an[u] * r[u] }
          dpr.update(from: dar, count: 2 * h)
          for u in 0..<g3 { dbx[u] += dar[u] }
          for u in 0..<h { dhr[u] *= z[u] }
        }
        if s > 0 {
          S.gemm(transA: false, transB: true, m: active, n: h, k: g3, alpha: 1, a: drho + o * g3, lda: g3,
                 b: wh, ldb: g3, beta: 1, c: dh, ldc: h)
        }
      }
      if let gb {
        let gbx = gb + dir * g3, gbh = gb + width + dir * g3
        for u in 0..<g3 { gbx[u] += dbx[u] }
        for r in 0..<n {
          let row = drho + r * g3
          for u in 0..<g3 { gbh[u] += row[u] }
        }
      }
      if let gwh, let hPrev {
        addRecurrentWeightGradient(packed, states: hs, dRows: drho, hPrev: hPrev, gwh: gwh + dir * h * g3)
      }
    }
    guard let da else { return }
    addInputGradients(x: x, channels: channels, rows: rows, wInput: wInput, da: da, gx: gx, gwx: gwx)
  }
}
