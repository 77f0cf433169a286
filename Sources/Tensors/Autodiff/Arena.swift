/// Bump allocator for the values and gradients of one graph evaluation.
///
/// `allocate` hands out 64-byte-aligned slices of large chunks; `reset` forgets them all at once.
/// After the first evaluation of a step the arena keeps one chunk large enough for the whole
/// step, so steady-state training allocates nothing from the system. Memory from `allocate` is
/// uninitialised unless `zeroed` is requested.
final class Arena<T> {
  private var chunks: [(base: UnsafeMutablePointer<T>, capacity: Int)] = []
  private var current = 0
  private var offset = 0
  /// Elements handed out since the last reset (for diagnostics).
  private(set) var used = 0

  private static var alignment: Int { max(1, 64 / MemoryLayout<T>.stride) }

  init(initialCapacity: Int = 1 << 16) {
    chunks.append((Arena.allocateChunk(initialCapacity), initialCapacity))
  }

  deinit { for c in chunks { c.base.deallocate() } }

  private static func allocateChunk(_ n: Int) -> UnsafeMutablePointer<T> {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1) * MemoryLayout<T>.stride, alignment: 64)
    return raw.bindMemory(to: T.self, capacity: max(n, 1))
  }

  /// `n` contiguous elements, valid until the next `reset()`.
  @inline(__always)
  func allocate(_ n: Int) -> UnsafeMutablePointer<T> {
    let a = Arena.alignment
    let size = (n + a - 1) / a * a
    if offset + size > chunks[current].capacity { advance(size) }
    let p = chunks[current].base + offset
    offset += size
    used += size
    return p
  }

  private func advance(_ size: Int) {
    current += 1
    offset = 0
    if current == chunks.count {
      let cap = max(size, 2 * chunks[current - 1].capacity)
      chunks.append((Arena.allocateChunk(cap), cap))
    } else if chunks[current].capacity < size {
      chunks[current].base.deallocate()
      chunks[current] = (Arena.allocateChunk(size), size)
    }
  }

  /// Releases every allocation. If the last evaluation spilled into several chunks, they are
  /// merged into one so the next evaluation of the same size needs no new memory.
  func reset() {
    if current > 0 {
      let total = chunks.reduce(0) { $0 + $1.capacity }
      for c in chunks { c.base.deallocate() }
      chunks = [(Arena.allocateChunk(total), total)]
    }
    current = 0
    offset = 0
    used = 0
  }
}
