extension Graph {
  /// Accumulates the input gradients of node `id` (its own gradient is complete, since every
  /// consumer of a node comes after it on the tape).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func backwardNode(_ id: Int) {
    switch nodes[id].op {
    case .leaf: break
    case .unary: backwardUnary(id)
    case .binary: backwardBinary(id)
    case .addScalar, .mulScalar: backwardScalar(id)
    case .matmul: backwardMatmul(id)
    case .reduceSum: backwardReduceSum(id)
    case .reduceMax: backwardReduceMax(id)
    case .sumAll: backwardSumAll(id)
    case .logSumExp: backwardLogSumExp(id)
    case .concat: backwardConcat(id)
    case .slice: backwardSlice(id)
    case .reshape: backwardReshape(id)
    case .transpose: backwardTranspose(id)
    case .gatherColumns: backwardGatherColumns(id)
    case .gatherRows: backwardGatherRows(id)
    case .dropout: backwardDropout(id)
    case .dense: backwardDense(id)
    case .custom: nodes[id].custom!.backward(self, node: id)
    }
  }

  /// Records a node computed by a fused op with a hand-written VJP. The returned tensor's
  /// storage is uninitialised: the caller writes the output into `pointer`. Up to four inputs.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func record(_ function: any CustomBackward<S>, shape: Shape,
                     inputs a: Tensor<S>, _ b: Tensor<S>? = nil, _ c: Tensor<S>? = nil, _ d: Tensor<S>? = nil) -> Tensor<S> {
    let rg = a.requiresGrad || (b?.requiresGrad ?? false) || (c?.requiresGrad ?? false) || (d?.requiresGrad ?? false)
    let t = makeNode(.custom, shape: shape, requiresGrad: rg, inputs: a.id, b?.id ?? -1, c?.id ?? -1, d?.id ?? -1)
    nodes[t.id].custom = function
    return t
  }

  /// Saves a buffer and integers with a custom node for its backward pass.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func setSaved(_ t: Tensor<S>, buffer: UnsafeMutablePointer<S>?, indices: UnsafeMutablePointer<Int32>? = nil,
                       integers: (Int, Int, Int, Int) = (0, 0, 0, 0)) {
    nodes[t.id].aux = buffer
    nodes[t.id].auxIndices = indices
    (nodes[t.id].i0, nodes[t.id].i1, nodes[t.id].i2, nodes[t.id].i3) = integers
  }

  /// What `setSaved` stored for node `id`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func saved(_ id: Int) -> (buffer: UnsafeMutablePointer<S>?, indices: UnsafeMutablePointer<Int32>?,
                                   integers: (Int, Int, Int, Int)) {
    let n = nodes[id]
    return (n.aux, n.auxIndices, (n.i0, n.i1, n.i2, n.i3))
  }
}
