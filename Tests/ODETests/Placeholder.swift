import XCTest
final class PlaceholderODETests: XCTestCase { func testNothing() {} }
