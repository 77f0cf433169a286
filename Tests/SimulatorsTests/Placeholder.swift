import XCTest
final class PlaceholderSimulatorsTests: XCTestCase { func testNothing() {} }
