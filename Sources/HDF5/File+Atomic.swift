import Foundation

extension H5File {
  /// Writes the file at `path` all at once or not at all.
  ///
  /// `body` fills a new file created under a hidden temporary name in the same directory
  /// (`.<name>.tmp-<random>`). When it returns, the file is flushed, synced to disk and renamed
  /// to `path`, replacing any old file in one step. If `body` or any step throws, the temporary
  /// file is removed and the error is rethrown; `path` is left untouched. Errors name `path`,
  /// not the temporary file. Objects from `file` should not outlive `body`.
  ///
  ///     try H5File.createAtomically(at: "runs/data.h5") { file in
  ///       try file.createDataset("parameters", values: theta, shape: [n, p])
  ///     }
  @discardableResult
  public static func createAtomically<R>(at path: String, _ body: (H5File) throws -> R) throws -> R {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + suffix
    do {
      let result = try fill(temporary, reportedAs: path, with: body)
      try syncToDisk(temporary, reportedAs: path)
      if rename(temporary, path) != 0 {
        throw HDF5Error.fileSystem(file: path, operation: "rename \(temporary) into place",
                                   reason: String(cString: strerror(errno)))
      }
      try? syncToDisk(directory, reportedAs: path)  // makes the rename durable where supported
      return result
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }

  /// Creates `temporary`, runs `body` on it and flushes it; the file closes on return unless
  /// `body` kept objects from it.
  private static func fill<R>(_ temporary: String, reportedAs path: String,
                              with body: (H5File) throws -> R) throws -> R {
    let file = try create(at: temporary, reportedAs: path, overwrite: false)
    let result = try body(file)
    try file.flush()
    return result
  }

  /// fsync(2) of the file or directory at `target`.
  private static func syncToDisk(_ target: String, reportedAs path: String) throws {
    guard let handle = FileHandle(forReadingAtPath: target) else {
      throw HDF5Error.fileSystem(file: path, operation: "sync \(target) to disk", reason: "cannot open it")
    }
    defer { try? handle.close() }
    do {
      try handle.synchronize()
    } catch {
      throw HDF5Error.fileSystem(file: path, operation: "sync \(target) to disk", reason: "\(error)")
    }
  }
}
