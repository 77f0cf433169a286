import Tensors

/// The sequences of a batch ordered by decreasing length, so that the sequences still running
/// at step s are the first nₛ rows (the packed layout of cuDNN and PyTorch's
/// `pack_padded_sequence`).
///
/// Row j of the packed order is batch entry `order[j]`, of length `length[j]` (descending;
/// ties keep batch order). Step s (0 ≤ s < `steps` = max L) has `active[s]` = nₛ running rows,
/// stored at packed rows `offset[s] ..< offset[s] + nₛ`; `total` = Σ_b L_b. A recurrence over
/// this layout runs each step's gemm on the nₛ running rows only, and a finished sequence's
/// state is never touched again: padded steps cannot change it.
///
/// The four arrays live in caller-provided Int32 storage (graph scratch), so a forward pass
/// can store them and its backward pass read them back.
struct PackedSequences {
  let batch: Int
  let steps: Int
  let total: Int
  let order: UnsafeMutablePointer<Int32>
  let length: UnsafeMutablePointer<Int32>
  let active: UnsafeMutablePointer<Int32>
  let offset: UnsafeMutablePointer<Int32>

  /// Int32 elements of storage needed for a batch of `batch` series of at most `time` steps.
  static func storageCount(batch: Int, time: Int) -> Int { 2 * batch + 2 * time + 1 }

  /// Orders the batch by length into `storage`. `lengths` nil means every series has `time` steps.
  init(storage: UnsafeMutablePointer<Int32>, batch: Int, time: Int, lengths: UnsafeBufferPointer<Int32>?) {
    self.batch = batch
    order = storage
    length = storage + batch
    active = storage + 2 * batch
    offset = storage + 2 * batch + time
    if let lengths {
      var j = 0
      for l in stride(from: time, through: 0, by: -1) {
        for b in 0..<batch where Int(lengths[b]) == l {
          order[j] = Int32(b)
          length[j] = Int32(l)
          j += 1
        }
      }
      precondition(j == batch, "lengths must lie in 0...\(time)")
    } else {
      for b in 0..<batch {
        order[b] = Int32(b)
        length[b] = Int32(time)
      }
    }
    steps = batch > 0 ? Int(length[0]) : 0
    var n = batch, off = 0
    for s in 0..<steps {
      while n > 0 && Int(length[n - 1]) <= s { n -= 1 }
      active[s] = Int32(n)
      offset[s] = Int32(off)
      off += n
    }
    offset[steps] = Int32(off)
    total = off
  }

  /// The layout stored in `storage` by `init(storage:batch:time:lengths:)`.
  init(saved storage: UnsafeMutablePointer<Int32>, batch: Int, time: Int) {
    self.batch = batch
    order = storage
    length = storage + batch
    active = storage + 2 * batch
    offset = storage + 2 * batch + time
    steps = batch > 0 ? Int(length[0]) : 0
    total = Int(offset[steps])
  }

  /// The time index of packed row j at step s: s forwards, L_j − 1 − s backwards (each
  /// sequence's backward pass starts at its own last valid step).
  @inline(__always) func time(row j: Int, step s: Int, reversed: Bool) -> Int {
    reversed ? Int(length[j]) - 1 - s : s
  }
}

extension Graph {
  /// Copies validated lengths [B] ∈ 0...T into a packed layout in this graph's scratch.
  func packSequences(batch: Int, time: Int, lengths: UnsafeBufferPointer<Int32>?) -> PackedSequences {
    if let lengths {
      precondition(lengths.count == batch, "\(lengths.count) lengths for a batch of \(batch)")
      for l in lengths { precondition(l >= 0 && Int(l) <= time, "sequence length \(l) outside 0...\(time)") }
    }
    let storage = scratchIndices(PackedSequences.storageCount(batch: batch, time: time))
    return PackedSequences(storage: storage, batch: batch, time: time, lengths: lengths)
  }
}
