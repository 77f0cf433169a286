import Tensors

/// One branch of a (multi-kernel) convolution: kernel size k and F filters.
struct ConvolutionBranch: Sendable {
  /// Kernel size k.
  var kernel: Int
  /// Number of filters F (output channels of the branch).
  var filters: Int
  /// First im2col column group of its k taps (the taps are the groups `group ..< group + k`).
  var group: Int
  /// Start of its [k, C, F] weights in the concatenated weight vector.
  var weightOffset: Int
  /// Its first output channel in the concatenated output.
  var filterOffset: Int
}

/// The fused 1-D convolution of one or several parallel branches, as one graph node:
///
///     X̃[b, τ, g, c] = x[b, τ·s − p + o_g, c]      (im2col; 0 outside 0 ..< L_b)
///     yₖ = f(X̃[:, :, gₖ ..< gₖ + kₖ, :]·Wₖ + bₖ)   (one gemm per branch, Wₖ = [kₖ·C, Fₖ])
///     y = [y₁, …, y_K]  along channels,  y[b, τ] = 0 for τ ≥ T_out(L_b)
///
/// x: [B, T, C] batch-first, channels-last; y: [B, T_out, ΣFₖ]. Each tap o_g is a column
/// group of width C; branches whose taps coincide share groups, so an "inception" block with
/// kernels 1…7 and causal or same padding builds one im2col matrix of 7 groups instead of 28.
/// The branch outputs are written straight into their channel slice (no concatenation copy).
///
/// Variable length: with `lengths` L_b, inputs at t ≥ L_b read as zero and outputs at
/// τ ≥ T_out(L_b) are set to zero, so a stack of these layers gives a padded series exactly the
/// result of the unpadded one, and padded inputs receive zero gradient.
///
/// VJP (ḡ = ȳ ⊙ f′, masked):  W̄ₖ += X̃ₖᵀ·ḡₖ,  b̄ₖ += Σ_rows ḡₖ,  X̃̄ = Σₖ ḡₖ·Wₖᵀ, scattered
/// back into x̄ (col2im). A 1×1 convolution with stride 1 skips im2col: X̃ is x itself.
final class ConvolutionFunction<S: TensorScalar>: CustomBackward {
  typealias Scalar = S
  let channels: Int
  let stride: Int
  let dilation: Int
  let padding: Padding
  let branches: [ConvolutionBranch]
  /// Tap offset o_g of each column group, relative to τ·s (left padding included unless
  /// `perSequencePadding`).
  let groupOffsets: [Int]
  let totalFilters: Int
  let weightCount: Int
  let activation: (op: UnaryOp, alpha: S)?
  /// `same` with stride > 1: the left padding depends on each sequence's length (one branch).
  let perSequencePadding: Bool
  /// A 1×1 convolution with stride 1: the im2col matrix is the input itself.
  let identityColumns: Bool
  /// For the backward pass: the index of a branch whose taps cover every column group (it is
  /// first in `branches`), `branches.count` when no two branches share a group, nil otherwise.
  let columnCover: Int?
  /// Whether the backward pass needs the pre-activation (not for none and ReLU, whose
  /// derivative [y > 0] follows from the output; ReLU is then applied in place).
  var savesPreActivation: Bool { activation.map { $0.op != .relu } ?? false }

  /// - Precondition: several branches need stride 1 and `same` or `causal` padding (their
  ///   outputs must have equal lengths).
  init(channels: Int, kernels: [Int], filters: [Int], stride: Int, dilation: Int, padding: Padding,
       activation: Activation) {
    precondition(channels > 0 && stride > 0 && dilation > 0, "convolution: channels, stride and dilation must be positive")
    precondition(!kernels.isEmpty && kernels.count == filters.count, "convolution: one filter count per kernel size")
    precondition(kernels.allSatisfy { $0 > 0 } && filters.allSatisfy { $0 > 0 }, "convolution: kernel sizes and filters must be positive")
    precondition(kernels.count == 1 || (stride == 1 && padding != .valid),
                 "a multi-kernel convolution needs stride 1 and same or causal padding")
    self.channels = channels
    self.stride = stride
    self.dilation = dilation
    self.padding = padding
    self.activation = activation.unaryOp.map { (op: $0.op, alpha: S($0.alpha)) }
    let perSequence = padding == .same && stride > 1
    perSequencePadding = perSequence
    // Tap offsets of each branch.
    let taps: [[Int]] = kernels.map { k in
      let p = perSequence ? 0 : padding.leftPadding(0, kernel: k, stride: stride, dilation: dilation)
      return (0..<k).map { $0 * dilation - p }
    }
    // Shared groups if every branch's taps are a contiguous run of the sorted union.
    let union = Array(Set(taps.joined())).sorted()
    let shared = taps.allSatisfy { t in
      guard let start = union.firstIndex(of: t[0]), start + t.count <= union.count else { return false }
      return Array(union[start ..< start + t.count]) == t
    }
    groupOffsets = shared ? union : Array(taps.joined())
    var list: [ConvolutionBranch] = []
    var w = 0, f = 0, g = 0
    for (k, n) in zip(kernels, filters) {
      let group = shared ? union.firstIndex(of: taps[list.count][0])! : g
      list.append(ConvolutionBranch(kernel: k, filters: n, group: group, weightOffset: w, filterOffset: f))
      w += k * channels * n
      f += n
      g += k
    }
    // Branches in the order the backward pass writes X̃̄: a branch covering every group first
    // (so no zero fill is needed); separate groups per branch need none either.
    if !shared {
      columnCover = list.count
    } else if let k = list.firstIndex(where: { $0.group == 0 && $0.kernel == union.count }) {
      list.insert(list.remove(at: k), at: 0)
      columnCover = 0
    } else {
      columnCover = nil
    }
    branches = list
    totalFilters = f
    weightCount = w
    identityColumns = kernels == [1] && stride == 1 && groupOffsets == [0]
  }

  /// T_out for an input of length `length`.
  func outputLength(_ length: Int) -> Int {
    padding.outputLength(length, kernel: branches[0].kernel, stride: stride, dilation: dilation)
  }

  /// y = conv(x) (see the type's documentation). `weight` holds every branch's [k, C, F]
  /// weights one after the other, `bias` every branch's [F].
  func callAsFunction(_ x: Tensor<S>, weight: Tensor<S>, bias: Tensor<S>,
                      lengths: UnsafeBufferPointer<Int32>?) -> Tensor<S> {
    let g = x.graph
    let sx = x.shape
    precondition(sx.rank == 3 && sx[2] == channels, "convolution: input \(sx) is not [B, T, \(channels)]")
    precondition(weight.count == weightCount && bias.count == totalFilters,
                 "convolution: \(weight.count) weights and \(bias.count) biases, expected \(weightCount) and \(totalFilters)")
    let b = sx[0], t = sx[1]
    let outTime = outputLength(t)
    var savedLengths: UnsafeMutablePointer<Int32>? = nil
    if let lengths {
      precondition(lengths.count == b, "convolution: \(lengths.count) lengths for a batch of \(b)")
      let copy = g.scratchIndices(b)
      for i in 0..<b {
        precondition(lengths[i] >= 0 && Int(lengths[i]) <= t, "convolution: length \(lengths[i]) outside 0...\(t)")
        copy[i] = lengths[i]
      }
      savedLengths = copy
    }
    let y = g.record(self, shape: Shape(b, outTime, totalFilters), inputs: x, weight, bias)
    let rows = b * outTime
    let colCount = identityColumns ? 0 : rows * groupOffsets.count * channels
    let preCount = savesPreActivation ? rows * totalFilters : 0
    let buffer = g.scratch(colCount + preCount)
    g.setSaved(y, buffer: buffer, indices: savedLengths)
    forward(x: x.pointer, batch: b, time: t, outTime: outTime, lengths: savedLengths,
            weight: weight.pointer, bias: bias.pointer, col: identityColumns ? nil : buffer,
            pre: savesPreActivation ? buffer + colCount : y.pointer, y: y.pointer)
    return y
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func forward(x: UnsafePointer<S>, batch: Int, time: Int, outTime: Int, lengths: UnsafePointer<Int32>?,
               weight: UnsafePointer<S>, bias: UnsafePointer<S>, col colBuffer: UnsafeMutablePointer<S>?,
               pre: UnsafeMutablePointer<S>, y: UnsafeMutablePointer<S>) {
    let c = channels, f = totalFilters, rows = batch * outTime
    let width = groupOffsets.count * c
    var col = x
    if let colBuffer {
      im2col(x, batch: batch, time: time, outTime: outTime, lengths: lengths, into: colBuffer)
      col = UnsafePointer(colBuffer)
    }
    for r in 0..<rows { (pre + r * f).update(from: bias, count: f) }
    for br in branches {
      S.gemm(transA: false, transB: false, m: rows, n: br.filters, k: br.kernel * c, alpha: 1,
             a: col + br.group * c, lda: width, b: weight + br.weightOffset, ldb: br.filters,
             beta: 1, c: pre + br.filterOffset, ldc: f)
    }
    if let act = activation, act.op == .relu {
      // In place, in this module's own loop (the engine's kernel does not vectorise in place);
      // v·[v > 0] rather than a conditional store, so that it vectorises.
      for i in 0..<(rows * f) {
        let v = y[i]
        y[i] = v * (v > 0 ? 1 : 0)
      }
    } else if let act = activation {
      S.unaryForward(act.op, pre, y, count: rows * f, alpha: act.alpha, beta: 0)
    }
    if let lengths {
      for b in 0..<batch {
        let valid = outputLength(Int(lengths[b]))
        if valid < outTime { (y + (b * outTime + valid) * f).update(repeating: 0, count: (outTime - valid) * f) }
      }
    }
  }

  /// X̃[b, τ, g, :] = x[b, τ·s − p_b + o_g, :] or 0.
  @inline(__always)
  func im2col(_ x: UnsafePointer<S>, batch: Int, time: Int, outTime: Int, lengths: UnsafePointer<Int32>?,
              into col: UnsafeMutablePointer<S>) {
    let c = channels, groups = groupOffsets.count, width = groups * c, s = stride
    groupOffsets.withUnsafeBufferPointer { offsets in
      for b in 0..<batch {
        let length = lengths.map { Int($0[b]) } ?? time
        let shift = perSequencePadding
          ? padding.leftPadding(length, kernel: branches[0].kernel, stride: s, dilation: dilation) : 0
        let xb = x + b * time * c
        for tau in 0..<outTime {
          let row = col + (b * outTime + tau) * width
          let base = tau * s - shift
          for g in 0..<groups {
            let t = base + offsets[g]
            if t >= 0 && t < length {
              (row + g * c).update(from: xb + t * c, count: c)
            } else {
              (row + g * c).update(repeating: 0, count: c)
            }
          }
        }
      }
    }
  }

  func backward(_ graph: Graph<S>, node id: Int) {
    let ix = graph.input(0, of: id), iw = graph.input(1, of: id), ib = graph.input(2, of: id)
    let sx = graph.shape(of: ix)
    let saved = graph.saved(id)
    let outTime = graph.shape(of: id)[1]
    let rows = sx[0] * outTime
    let colCount = identityColumns ? 0 : rows * groupOffsets.count * channels
    let buffer = saved.buffer!
    backward(graph, batch: sx[0], time: sx[1], outTime: outTime, lengths: saved.indices,
             x: graph.value(of: ix), weight: graph.value(of: iw),
             col: identityColumns ? graph.value(of: ix) : buffer,
             pre: savesPreActivation ? buffer + colCount : graph.value(of: id),
             y: graph.value(of: id), gy: graph.gradientBuffer(id),
             gx: graph.requiresGrad(ix) ? graph.gradientBuffer(ix) : nil,
             gw: graph.requiresGrad(iw) ? graph.gradientBuffer(iw) : nil,
             gb: graph.requiresGrad(ib) ? graph.gradientBuffer(ib) : nil)
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backward(_ graph: Graph<S>, batch: Int, time: Int, outTime: Int, lengths: UnsafePointer<Int32>?,
                x: UnsafePointer<S>, weight: UnsafePointer<S>, col: UnsafePointer<S>, pre: UnsafePointer<S>,
                y: UnsafePointer<S>, gy: UnsafePointer<S>, gx: UnsafeMutablePointer<S>?,
                gw: UnsafeMutablePointer<S>?, gb: UnsafeMutablePointer<S>?) {
    let c = channels, f = totalFilters, rows = batch * outTime
    let groups = groupOffsets.count, width = groups * c
    // ḡ = ȳ ⊙ f′(pre), zero on masked rows.
    let dpre = graph.scratch(rows * f)
    if let act = activation, act.op == .relu {
      for i in 0..<(rows * f) {
        let v = y[i], g = gy[i]  // both loaded unconditionally: a select, not a branch
        dpre[i] = v > 0 ? g : 0
      }
    } else if let act = activation {
      dpre.update(repeating: 0, count: rows * f)
      S.unaryBackward(act.op, pre, y, gy, dpre, count: rows * f, alpha: act.alpha, beta: 0)
    } else {
      dpre.update(from: gy, count: rows * f)
    }
    if let lengths {
      for b in 0..<batch {
        let valid = outputLength(Int(lengths[b]))
        if valid < outTime { (dpre + (b * outTime + valid) * f).update(repeating: 0, count: (outTime - valid) * f) }
      }
    }
    if let gb {
      for r in 0..<rows {
        let row = dpre + r * f
        for j in 0..<f { gb[j] += row[j] }
      }
    }
    if let gw {
      for br in branches {
        S.gemm(transA: true, transB: false, m: br.kernel * c, n: br.filters, k: rows, alpha: 1,
               a: col + br.group * c, lda: width, b: dpre + br.filterOffset, ldb: f,
               beta: 1, c: gw + br.weightOffset, ldc: br.filters)
      }
    }
    guard let gx else { return }
    if identityColumns {
      S.gemm(transA: false, transB: true, m: rows, n: c, k: f, alpha: 1, a: dpre, lda: f,
             b: weight, ldb: f, beta: 1, c: gx, ldc: c)
      return
    }
    let dcol = graph.scratch(rows * width)
    if columnCover == nil { dcol.update(repeating: 0, count: rows * width) }
    for (i, br) in branches.enumerated() {
      // The first write to a column block overwrites (β = 0), later ones accumulate.
      let overwrite = i == columnCover || (columnCover == branches.count)
      S.gemm(transA: false, transB: true, m: rows, n: br.kernel * c, k: br.filters, alpha: 1,
             a: dpre + br.filterOffset, lda: f, b: weight + br.weightOffset, ldb: br.filters,
             beta: overwrite ? 0 : 1, c: dcol + br.group * c, ldc: width)
    }
    // col2im: x̄[b, τ·s − p_b + o_g] += X̃̄[b, τ, g].
    let s = stride
    groupOffsets.withUnsafeBufferPointer { offsets in
      for b in 0..<batch {
        let length = lengths.map { Int($0[b]) } ?? time
        let shift = perSequencePadding
          ? padding.leftPadding(length, kernel: branches[0].kernel, stride: s, dilation: dilation) : 0
        let gxb = gx + b * time * c
        let valid = lengths == nil ? outTime : outputLength(length)
        for tau in 0..<valid {
          let row = dcol + (b * outTime + tau) * width
          let base = tau * s - shift
          for g in 0..<groups {
            let t = base + offsets[g]
            if t >= 0 && t < length {
              let src = row + g * c, dst = gxb + t * c
              for i in 0..<c { dst[i] += src[i] }
            }
          }
        }
      }
    }
  }
}
