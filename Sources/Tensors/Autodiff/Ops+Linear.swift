/// Matrix products (OpenBLAS gemm) and 2-D transposition.

extension Graph {
  /// C = op(A)·op(B). A may have rank > 2 when not transposed: its leading dimensions are
  /// flattened into rows ([B, T, K]·[K, N] → [B, T, N]). B is 2-D.
  ///
  /// VJP: Ā += C̄·op(B)ᵀ (as op(A) is laid out), B̄ += op(A)ᵀ·C̄ (likewise).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @usableFromInline
  func matmul(_ a: Tensor<S>, _ b: Tensor<S>, transposeA: Bool, transposeB: Bool) -> Tensor<S> {
    let sa = a.shape, sb = b.shape
    precondition(sb.rank == 2, "matmul: right operand must be 2-D, got \(sb)")
    precondition(!transposeA || sa.rank == 2, "matmul: a transposed left operand must be 2-D, got \(sa)")
    let m = transposeA ? sa[1] : sa.rows
    let k = transposeA ? sa[0] : sa.cols
    let kb = transposeB ? sb[1] : sb[0]
    let n = transposeB ? sb[0] : sb[1]
    precondition(k == kb, "matmul: inner dimensions differ, \(sa)\(transposeA ? "ᵀ" : "") · \(sb)\(transposeB ? "ᵀ" : "")")
    let shape = transposeA ? Shape(m, n) : sa.withLast(n)
    let t = makeNode(.matmul, shape: shape, requiresGrad: a.requiresGrad || b.requiresGrad, inputs: a.id, b.id)
    nodes[t.id].i0 = transposeA ? 1 : 0
    nodes[t.id].i1 = transposeB ? 1 : 0
    S.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
           a: a.pointer, lda: sa.cols, b: b.pointer, ldb: sb.cols, beta: 0, c: t.pointer, ldc: n)
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardMatmul(_ id: Int) {
    let ia = input(0, of: id), ib = input(1, of: id)
    let ta = nodes[id].i0 == 1, tb = nodes[id].i1 == 1
    let sa = nodes[ia].shape, sb = nodes[ib].shape
    let g = nodes[id].grad!
    let m = ta ? sa[1] : sa.rows, k = ta ? sa[0] : sa.cols, n = tb ? sb[0] : sb[1]
    if nodes[ia].requiresGrad {
      let ga = gradientBuffer(ia)
      if ta {  // A [k, m]: Ā = op(B)·C̄ᵀ  [k, m]
        S.gemm(transA: tb, transB: true, m: k, n: m, k: n, alpha: 1, a: nodes[ib].value, lda: sb.cols,
               b: g, ldb: n, beta: 1, c: ga, ldc: m)
      } else {  // A [m, k]: Ā = C̄·op(B)ᵀ
        S.gemm(transA: false, transB: !tb, m: m, n: k, k: n, alpha: 1, a: g, lda: n,
               b: nodes[ib].value, ldb: sb.cols, beta: 1, c: ga, ldc: k)
      }
    }
    if nodes[ib].requiresGrad {
      let gb = gradientBuffer(ib)
      if tb {  // B [n, k]: B̄ = C̄ᵀ·op(A)
        S.gemm(transA: true, transB: ta, m: n, n: k, k: m, alpha: 1, a: g, lda: n,
               b: nodes[ia].value, ldb: sa.cols, beta: 1, c: gb, ldc: k)
      } else {  // B [k, n]: B̄ = op(A)ᵀ·C̄
        S.gemm(transA: !ta, transB: false, m: k, n: n, k: m, alpha: 1, a: nodes[ia].value, lda: sa.cols,
               b: g, ldb: n, beta: 1, c: gb, ldc: n)
      }
    }
  }

  /// Aᵀ for a 2-D A.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func transpose(_ a: Tensor<S>) -> Tensor<S> {
    let s = a.shape
    precondition(s.rank == 2, "transpose: needs a 2-D tensor, got \(s)")
    let t = makeNode(.transpose, shape: Shape(s[1], s[0]), requiresGrad: a.requiresGrad, inputs: a.id)
    Layout.transpose(a.pointer, rows: s[0], cols: s[1], into: t.pointer, accumulate: false)
    return t
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardTranspose(_ id: Int) {
    let ia = input(0, of: id)
    guard nodes[ia].requiresGrad else { return }
    let s = nodes[id].shape
    Layout.transpose(nodes[id].grad!, rows: s[0], cols: s[1], into: gradientBuffer(ia), accumulate: true)
  }
}

/// Memory-layout helpers shared by ops.
enum Layout {
  /// out[j, i] (+)= a[i, j] for a [rows, cols], in cache-friendly 32×32 tiles.
  static func transpose<S: TensorScalar>(_ a: UnsafePointer<S>, rows: Int, cols: Int,
                                         into out: UnsafeMutablePointer<S>, accumulate: Bool) {
    let tile = 32
    for i0 in stride(from: 0, to: rows, by: tile) {
      for j0 in stride(from: 0, to: cols, by: tile) {
        for i in i0..<min(i0 + tile, rows) {
          for j in j0..<min(j0 + tile, cols) {
            if accumulate { out[j * rows + i] += a[i * cols + j] } else { out[j * rows + i] = a[i * cols + j] }
          }
        }
      }
    }
  }
}

/// op(a)·op(b) (see `Graph.matmul`).
public func matmul<S>(_ a: Tensor<S>, _ b: Tensor<S>, transposeA: Bool = false, transposeB: Bool = false) -> Tensor<S> {
  a.graph.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
}

/// x·W + b for x [..., I], W [I, O], b [O] or nil: the fused dense node without activation
/// or dropout (see `Graph.dense`).
public func linear<S>(_ x: Tensor<S>, weight: Tensor<S>, bias: Tensor<S>?) -> Tensor<S> {
  x.graph.dense(x, weight, bias, activation: nil, alpha: 0, dropout: 0)
}

extension Tensor {
  /// The transpose of a 2-D tensor.
  public func transposed() -> Tensor<S> { graph.transpose(self) }
}
