import Foundation
import XCTest
@testable import LobbyKit

/// Free functions: no server, no phone — the twin of the Kotlin `QrTest`.
final class QrTests: XCTestCase {
    func testARenderedQrReadsBackToTheSameThaiText() throws {
        let png = try LobbyQR.render("ห้อง 12/345 — สมชาย")
        XCTAssertEqual([UInt8](png.prefix(4)), [0x89, UInt8(ascii: "P"), UInt8(ascii: "N"), UInt8(ascii: "G")])
        XCTAssertEqual(try LobbyQR.read(png), "ห้อง 12/345 — สมชาย")
    }

    func testAPictureThatIsNotAQrIsQrUnreadable() async {
        await assertFailsWithCode(.qrUnreadable) { try LobbyQR.read(Data("not a picture".utf8)) }
    }

    func testThaiMobileNumbersNormalizeToE164() throws {
        XCTAssertEqual(try normalizeThaiPhone(phone: "081-234-5678"), "+66812345678")
    }

    func testAShortPasswordIsRefusedWhileTyping() async {
        await assertFailsWithCode(.passwordTooShort) { try checkPasswordPolicy(password: "Ab1") }
    }
}
