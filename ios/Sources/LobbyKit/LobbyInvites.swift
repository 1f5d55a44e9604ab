import Foundation

/// Invitation codes and members (DESIGN.md §2.3): `lobby.invites`. The owner's changes are
/// queued (shown at once, confirmed or refused on sync); the invitee finishes `accept`
/// with `LobbyAuth.verifyLogin(code:)`.
public final class LobbyInvites: Sendable {
    /// The generated API underneath.
    public let ffi: InvitesClient

    init(_ ffi: InvitesClient) {
        self.ffi = ffi
    }

    /// A code for `role` (`.resident` or `.tenant`) in `unitId` (the current unit when nil).
    public func create(role: Role, unitId: String? = nil) throws -> InviteInfo {
        try ffi.create(role: role, unitId: unitId)
    }

    /// The invitations of `unitId` (the current unit when nil), newest first.
    public func list(unitId: String? = nil) throws -> [InviteInfo] { try ffi.list(unitId: unitId) }

    /// Revokes by the code (as shown or typed) or the invitation id.
    @discardableResult
    public func revoke(_ codeOrId: String) throws -> InviteInfo { try ffi.revoke(codeOrId: codeOrId) }

    public func members(unitId: String? = nil) throws -> [MemberRow] { try ffi.members(unitId: unitId) }

    /// By person id or membership id; their phone loses the unit on its next sync.
    @discardableResult
    public func removeMember(_ personOrMembershipId: String, unitId: String? = nil) throws -> MemberRow {
        try ffi.removeMember(personOrMembershipId: personOrMembershipId, unitId: unitId)
    }

    /// Checks the code with the server and sends an OTP to `phone`; then
    /// `LobbyAuth.verifyLogin(code:)`.
    public func accept(_ code: String, phone: String, name: String? = nil) async throws -> OtpChallenge {
        try await ffi.accept(code: code, phone: phone, name: name)
    }

    /// As `accept`, with the code read from a photo (PNG or JPEG) of its QR.
    public func accept(image: Data, phone: String, name: String? = nil) async throws -> OtpChallenge {
        try await ffi.acceptImage(image: image, phone: phone, name: name)
    }
}
