/// The `capacity` nearest draws seen so far: a bounded max-heap keyed by (distance, index).
///
/// Keys are ordered lexicographically, (d, i) < (d′, i′) ⇔ d < d′ ∨ (d = d′ ∧ i < i′), so ties
/// in distance are broken by the simulation index and the kept set is unique: the union of the
/// heaps of any partition of the simulations, cut to `capacity`, is the same set whatever the
/// partition (per-thread heaps merge deterministically). The root is the farthest kept draw; a
/// new draw is admitted iff the heap is not full or its key is below the root's, in O(log K).
/// Each entry carries P parameter values in a slot of a fixed [capacity, P] buffer, so memory is
/// O(K·P) whatever the number of draws offered, and nothing is allocated after `init`.
final class NearestDrawHeap {
  let capacity: Int
  let parameterCount: Int
  private(set) var count = 0
  /// Heap order: key (squared distance), simulation index, payload slot.
  private let keys: UnsafeMutablePointer<Double>
  private let indices: UnsafeMutablePointer<Int>
  private let slots: UnsafeMutablePointer<Int>
  /// [capacity, P] parameter values, addressed by slot.
  private let payload: UnsafeMutablePointer<Double>

  init(capacity: Int, parameterCount: Int) {
    precondition(capacity >= 1 && parameterCount >= 0)
    self.capacity = capacity
    self.parameterCount = parameterCount
    keys = .allocate(capacity: capacity)
    indices = .allocate(capacity: capacity)
    slots = .allocate(capacity: capacity)
    payload = .allocate(capacity: max(1, capacity * parameterCount))
  }

  deinit {
    keys.deallocate()
    indices.deallocate()
    slots.deallocate()
    payload.deallocate()
  }

  @inline(__always)
  private static func less(_ a: Double, _ i: Int, _ b: Double, _ j: Int) -> Bool {
    a < b || (a == b && i < j)
  }

  /// Whether a draw with squared distance `key` and simulation index `index` would be kept.
  @inline(__always)
  func admits(_ key: Double, index: Int) -> Bool {
    count < capacity || NearestDrawHeap.less(key, index, keys[0], indices[0])
  }

  /// Offers a draw: kept (possibly evicting the farthest) iff `admits(key, index:)`.
  @inline(__always)
  func offer(_ key: Double, index: Int, parameters theta: UnsafePointer<Double>) {
    guard admits(key, index: index) else { return }
    insert(key, index: index, parameters: theta)
  }

  private func insert(_ key: Double, index: Int, parameters theta: UnsafePointer<Double>) {
    let p = parameterCount
    if count < capacity {
      let slot = count
      (payload + slot * p).update(from: theta, count: p)
      var i = count
      count += 1
      // Sift up.
      while i > 0 {
        let parent = (i - 1) / 2
        guard NearestDrawHeap.less(keys[parent], indices[parent], key, index) else { break }
        keys[i] = keys[parent]; indices[i] = indices[parent]; slots[i] = slots[parent]
        i = parent
      }
      keys[i] = key; indices[i] = index; slots[i] = slot
      return
    }
    // Replace the root (the farthest kept draw) and sift down.
    let slot = slots[0]
    (payload + slot * p).update(from: theta, count: p)
    var i = 0
    while true {
      let l = 2 * i + 1
      guard l < count else { break }
      var c = l
      let r = l + 1
      if r < count && NearestDrawHeap.less(keys[l], indices[l], keys[r], indices[r]) { c = r }
      guard NearestDrawHeap.less(key, index, keys[c], indices[c]) else { break }
      keys[i] = keys[c]; indices[i] = indices[c]; slots[i] = slots[c]
      i = c
    }
    keys[i] = key; indices[i] = index; slots[i] = slot
  }

  /// The kept draws, nearest first (ties by index).
  func sorted() -> [NearestDraw] {
    let p = parameterCount
    var out = (0..<count).map { k in
      NearestDraw(key: keys[k], index: indices[k], parameters: Array(UnsafeBufferPointer(start: payload + slots[k] * p, count: p)))
    }
    out.sort(by: NearestDraw.precedes)
    return out
  }
}

/// One kept draw: squared distance, simulation index and θ.
struct NearestDraw {
  var key: Double
  var index: Int
  var parameters: [Double]

  static func precedes(_ a: NearestDraw, _ b: NearestDraw) -> Bool {
    a.key < b.key || (a.key == b.key && a.index < b.index)
  }
}
