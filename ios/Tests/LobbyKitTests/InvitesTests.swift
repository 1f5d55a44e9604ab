import Foundation
import XCTest
@testable import LobbyKit

/// Invitation codes (DESIGN.md §2.3), the twin of the Kotlin `InvitesTest`: `phone` is
/// Somchai, owner of 12/345; `tenant` is a second device, on its own data directory and
/// secret store, with its own number (the server sends one OTP per destination per minute).
final class InvitesTests: PhoneTestCase {
    static let tenantPhone = "0861234567"

    var tenant: Lobby!

    override func setUpWithError() throws {
        try super.setUpWithError()
        tenant = try secondPhone("tenant-phone")
    }

    override func tearDownWithError() throws {
        tenant?.shutdown()
        tenant = nil
        try super.tearDownWithError()
    }

    /// Somchai onboards 12/345 and makes a tenant invitation the server has confirmed.
    private func ownerInvitesATenant() async throws -> String {
        try await onboard(unit("12/345"))
        guard let code = try phone.invites.create(role: .tenant).code else {
            throw TestFailure("a new invitation carries its code")
        }
        try await phone.sync()
        return code
    }

    /// The invitee's side: the code, the OTP read from the dev server, `verifyLogin`.
    @discardableResult
    private func tenantAccepts(_ code: String) async throws -> SignedIn {
        _ = try await tenant.invites.accept(code, phone: Self.tenantPhone, name: "น้อย")
        return try await tenant.auth.verifyLogin(code: try server.peekOtp(Self.tenantPhone))
    }

    func testAnInvitationMadeByTheOwnerIsQueuedThenPendingAfterSync() async throws {
        try await onboard(unit("12/345"))
        let invite = try phone.invites.create(role: .tenant)
        XCTAssertEqual(invite.status, .queued)
        XCTAssertEqual(invite.role, .tenant)
        XCTAssertEqual(invite.code?.count, 10)
        try await phone.sync()
        XCTAssertEqual(try phone.invites.list().map(\.status), [.pending])
    }

    func testASecondPhoneAcceptingTheCodeWithItsOtpGetsTheUnitAsTenant() async throws {
        let code = try await ownerInvitesATenant()
        try await tenantAccepts(code)
        let units = try tenant.units.list()
        XCTAssertEqual(units.map(\.unitNumber), ["12/345"])
        XCTAssertEqual(units.count, 1)
        XCTAssertEqual(units.first?.role, .tenant)
    }

    func testTheOwnerSeesTheTenantAmongTheMembersAfterSync() async throws {
        let signedIn = try await tenantAccepts(try await ownerInvitesATenant())
        try await phone.sync()
        let members = try phone.invites.members()
        XCTAssertEqual(members.map(\.personId), [signedIn.personId])
        XCTAssertEqual(members.first?.role, .tenant)
        XCTAssertEqual(try phone.invites.list().map(\.status), [.accepted])
    }

    func testARemovedTenantLosesTheUnitOnTheNextSyncOfTheirPhone() async throws {
        let signedIn = try await tenantAccepts(try await ownerInvitesATenant())
        try await phone.sync()
        XCTAssertEqual(try phone.invites.removeMember(signedIn.personId).personId, signedIn.personId)
        let members = try phone.invites.members()
        XCTAssertEqual(members.count, 1)
        XCTAssertEqual(members.first?.removalPending, true)
        try await phone.sync()
        XCTAssertTrue(try phone.invites.members().isEmpty)
        try await tenant.sync()
        XCTAssertTrue(try tenant.units.list().isEmpty)
    }

    func testASixthInvitationForOneUnitIsInviteCapReached() async throws {
        try await onboard(unit("12/345"))
        for i in 0..<5 {
            _ = try phone.invites.create(role: i % 2 == 0 ? .tenant : .resident)
        }
        try await phone.sync()
        XCTAssertEqual(try phone.invites.list().filter { $0.status == .pending }.count, 5)
        await assertFailsWithCode(.inviteCapReached) { try phone.invites.create(role: .resident) }
    }

    func testAcceptingARevokedCodeIsInviteRevoked() async throws {
        let code = try await ownerInvitesATenant()
        try phone.invites.revoke(code)
        try await phone.sync()
        XCTAssertEqual(try phone.invites.list().map(\.status), [.revoked])
        await assertFailsWithCode(.inviteRevoked) {
            try await tenant.invites.accept(code, phone: Self.tenantPhone)
        }
    }

    func testAMalformedCodeIsInviteInvalid() async throws {
        await assertFailsWithCode(.inviteInvalid) {
            try await tenant.invites.accept("ABC-12", phone: Self.tenantPhone)
        }
    }

    func testATenantCannotMakeAnInvitation() async throws {
        try await tenantAccepts(try await ownerInvitesATenant())
        await assertFailsWithCode(.forbidden) { try tenant.invites.create(role: .resident) }
    }

    func testTheInvitationQrIsAcceptedFromItsPicture() async throws {
        let code = try await ownerInvitesATenant()
        let png = try renderQrPng(text: inviteQrPayload(code: code))
        _ = try await tenant.invites.accept(image: png, phone: Self.tenantPhone)
        let signedIn = try await tenant.auth.verifyLogin(code: try server.peekOtp(Self.tenantPhone))
        XCTAssertEqual(signedIn.units.map(\.role), [.tenant])
    }
}
