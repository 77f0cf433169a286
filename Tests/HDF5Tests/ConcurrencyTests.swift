import Dispatch
import Foundation
import HDF5
import XCTest

/// The global lock makes the library usable from several threads at once.
final class ConcurrencyTests: HDF5TestCase {
  func testThreadsWriteAndReadConcurrently() throws {
    let shared = path("shared.h5")
    let values = (0..<10_000).map { Float($0) }
    try H5File.create(at: shared).createDataset("x", values: values, shape: [1000, 10], options: .compressed())
    let reader = try H5File.open(at: shared).openDataset("x")
    let directory = self.directory
    let failures = NSLock()
    nonisolated(unsafe) var messages: [String] = []

    DispatchQueue.concurrentPerform(iterations: 8) { task in
      do {
        let own = directory + "/task\(task).h5"
        let h5 = try H5File.create(at: own)
        let series = try h5.createDataset("series", of: Int64.self, shape: [0, 4], options: .extendable())
        for step in 0..<50 {
          try series.append((0..<4).map { Int64(task * 1000 + step * 4 + $0) })
          let rows = try reader.readRows((step * 10)..<(step * 10 + 10), as: Float.self)
          if rows != Array(values[(step * 100)..<(step * 100 + 100)]) { throw CocoaError(.coderInvalidValue) }
        }
        try h5.setAttribute("task", to: Int32(task))
        let back = try series.read(as: Int64.self)
        if back != (0..<200).map({ Int64(task * 1000 + $0) }) { throw CocoaError(.coderInvalidValue) }
      } catch {
        failures.lock()
        messages.append("task \(task): \(error)")
        failures.unlock()
      }
    }
    XCTAssertEqual(messages, [])
    for task in 0..<8 {
      XCTAssertEqual(try H5File.open(at: path("task\(task).h5")).readAttribute("task", as: Int32.self), Int32(task))
    }
  }

  func testErrorsOnNewThreadsPrintNothing() throws {
    let file = path("read-only.h5")
    try H5File.create(at: file).createDataset("x", values: [1.0])
    let dataset = try H5File.open(at: file).openDataset("x")
    let captured = path("stderr.txt")
    XCTAssertTrue(FileManager.default.createFile(atPath: captured, contents: nil))
    let savedStderr = dup(2)
    let capture = open(captured, O_WRONLY)
    dup2(capture, 2)
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var failures = 0
    let counter = NSLock()
    for _ in 0..<3 {
      Thread {
        do { try dataset.write([2.0]) } catch { counter.withLock { failures += 1 } }
        done.signal()
      }.start()
    }
    for _ in 0..<3 { done.wait() }
    dup2(savedStderr, 2)
    close(savedStderr)
    close(capture)
    XCTAssertEqual(failures, 3, "writes to a read-only file fail")
    XCTAssertEqual(try String(contentsOfFile: captured, encoding: .utf8), "",
                   "HDF5's error stack is not printed on any thread")
  }
}
