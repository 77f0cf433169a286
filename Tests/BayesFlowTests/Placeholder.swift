import XCTest
final class PlaceholderBayesFlowTests: XCTestCase { func testNothing() {} }
