import XCTest
import Foundation
import BayesFlow

/// `bayesflow fit` killed with SIGKILL during training, then `--resume`d, completes and ends
/// with the weights of an uninterrupted run (offline mode: every epoch is deterministic).
final class FitResumeTests: CLITestCase {
  static let config = """
    {"simulator": {"name": "two_moons"},
     "inference_network": {"depth": 2, "subnet": {"widths": [32, 32]}},
     "training": {"mode": "offline", "simulation_budget": 20000, "epochs": 8, "batch_size": 128,
                  "validation_simulations": 500, "seed": 11}}
    """

  func testKillNineThenResumeMatchesUninterruptedRun() throws {
    let path = write("tm.json", Self.config)
    let reference = try CLI.run(["fit", path, "--out", dir + "/ref", "--quiet"])
    XCTAssertEqual(reference.status, 0, reference.stderr)

    let p = Process()
    p.executableURL = URL(fileURLWithPath: CLI.executable)
    p.arguments = ["fit", path, "--out", dir + "/run", "--quiet"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    let checkpoint = dir + "/run/checkpoint.h5"
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline && p.isRunning { usleep(5000) }
    XCTAssertTrue(p.isRunning, "training ended before the first checkpoint could be interrupted")
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationReason, .uncaughtSignal)
    let partial = try Checkpoint.read(checkpoint)
    XCTAssertLessThan(partial.position.epoch, 8)

    let resumed = try CLI.run(["fit", path, "--out", dir + "/run", "--resume"])
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertTrue(resumed.stderr.contains("resuming"), resumed.stderr)
    let a = try Checkpoint.read(dir + "/ref/checkpoint.h5"), b = try Checkpoint.read(checkpoint)
    XCTAssertEqual(b.position.epoch, 8)
    XCTAssertEqual(a.weights.mapValues(\.values), b.weights.mapValues(\.values))
    XCTAssertEqual(a.history.validationLoss, b.history.validationLoss)
    // No temporary files are left behind.
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/run"), ["checkpoint.h5"])
  }

  func testSIGINTSavesACheckpointAndExitsCleanly() throws {
    let path = write("tm.json", Self.config.replacingOccurrences(of: "\"epochs\": 8", with: "\"epochs\": 200"))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CLI.executable)
    p.arguments = ["fit", path, "--out", dir + "/run", "--quiet"]
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    let checkpoint = dir + "/run/checkpoint.h5"
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(5000) }
    kill(p.processIdentifier, SIGINT)
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 130)
    XCTAssertTrue(text.contains("interrupted: checkpoint saved"), text)
    let c = try Checkpoint.read(checkpoint)
    XCTAssertFalse(c.position.finished)
  }
}
