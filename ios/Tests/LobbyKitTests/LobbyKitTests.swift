import Foundation
import XCTest
@testable import LobbyKit

/// Small, server-free checks of the Swift shell: the generated bindings load, values and
/// errors cross the boundary, the sync stream starts with the current status. The
/// journeys against a real server are tested on the JVM (android/run-jvm-tests.sh).
final class LobbyKitTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A phone whose server cannot be reached: anything that needs the network fails.
    private func offlinePhone() throws -> Lobby {
        try Lobby(dataDirectory: directory, serverURL: "http://127.0.0.1:9", secrets: MemorySecretStore())
    }

    func testARenderedQRReadsBackToTheSameThaiText() throws {
        let png = try LobbyQR.render("ห้อง 12/345 — สมชาย")
        XCTAssertEqual(try LobbyQR.read(png), "ห้อง 12/345 — สมชาย")
    }

    func testAPictureThatIsNotAQRIsUnreadable() {
        XCTAssertThrowsError(try LobbyQR.read(Data("not a picture".utf8))) { error in
            XCTAssertEqual((error as? LobbyError)?.code, .qrUnreadable)
        }
    }

    func testAWeakPasswordIsRefusedWhileTyping() {
        XCTAssertThrowsError(try checkPasswordPolicy(password: "alllowercase")) { error in
            XCTAssertEqual((error as? LobbyError)?.code, .passwordWeak)
        }
    }

    func testATamperedPayloadIsRefusedOfflineWithOnboardingTokenInvalid() async throws {
        let lobby = try offlinePhone()
        do {
            _ = try await lobby.auth.scanOnboarding("LOBBY:ONBOARD:1:ABCDEFGHJKMNPQRSTVWXYZ0123456789:1900000000:ABCDEFGH")
            XCTFail("a tampered payload was accepted")
        } catch let error as LobbyError {
            XCTAssertEqual(error.code, .onboardingTokenInvalid)
        }
    }

    func testAMalformedInvitationCodeIsRefusedOfflineWithInviteInvalid() async throws {
        let lobby = try offlinePhone()
        do {
            _ = try await lobby.invites.accept("ABC-12", phone: "0861234567")
            XCTFail("a malformed invitation code was accepted")
        } catch let error as LobbyError {
            XCTAssertEqual(error.code, .inviteInvalid)
        }
        XCTAssertEqual(try normalizeInviteCode(code: inviteQrPayload(code: "ABCDE12345")), "ABCDE12345")
    }

    func testANewPhoneHasNoUnitsAndIsNotSignedIn() throws {
        let lobby = try offlinePhone()
        XCTAssertFalse(lobby.auth.isSignedIn)
        XCTAssertEqual(try lobby.units.list(), [])
        XCTAssertNil(try lobby.units.current())
    }

    func testThePhotoOfAParcelThePhoneDoesNotHaveIsNotFound() async throws {
        let lobby = try offlinePhone()
        do {
            _ = try await lobby.parcels.photo("no-such-parcel")
            XCTFail("a photo came back for an unknown parcel")
        } catch let error as LobbyError {
            XCTAssertEqual(error.code, .notFound)
        }
    }

    func testANewPhoneHasNoProfileAndNothingQueued() throws {
        let lobby = try offlinePhone()
        XCTAssertNil(try lobby.profile.get())
        XCTAssertEqual(try lobby.outbox(), [])
        XCTAssertEqual(lobby.syncStatusNow.pending, 0)
    }

    func testTheSyncStreamStartsWithTheCurrentStatus() async throws {
        let lobby = try offlinePhone()
        var iterator = lobby.syncStatus.makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first?.state, .idle)
        XCTAssertEqual(first?.pending, 0)
    }
}
