package th.co.lobby

import th.co.lobby.core.MemberRow
import th.co.lobby.core.OtpChallenge
import th.co.lobby.ffi.InviteInfo
import th.co.lobby.ffi.InvitesClient
import th.co.lobby.model.Role

/**
 * Invitation codes and members (DESIGN.md §2.3): `lobby.invites`. The owner's changes are
 * queued (shown at once, confirmed or refused on sync); the invitee finishes [accept]
 * with [LobbyAuth.verifyLogin].
 */
class LobbyInvites internal constructor(
    /** The generated API underneath. */
    val ffi: InvitesClient,
) {
    /** A code for [role] (RESIDENT or TENANT) in [unitId] (the current unit when null). */
    suspend fun create(role: Role, unitId: String? = null): InviteInfo = io { ffi.create(role, unitId) }

    /** The invitations of [unitId] (the current unit when null), newest first. */
    suspend fun list(unitId: String? = null): List<InviteInfo> = io { ffi.list(unitId) }

    /** Revokes by the code (as shown or typed) or the invitation id. */
    suspend fun revoke(codeOrId: String): InviteInfo = io { ffi.revoke(codeOrId) }

    suspend fun members(unitId: String? = null): List<MemberRow> = io { ffi.members(unitId) }

    /** By person id or membership id; their phone loses the unit on its next sync. */
    suspend fun removeMember(personOrMembershipId: String, unitId: String? = null): MemberRow =
        io { ffi.removeMember(personOrMembershipId, unitId) }

    /** Checks the code with the server and sends an OTP to [phone]; then [LobbyAuth.verifyLogin]. */
    suspend fun accept(code: String, phone: String, name: String? = null): OtpChallenge =
        ffi.accept(code, phone, name)

    /** As [accept], with the code read from a photo (PNG or JPEG) of its QR. */
    suspend fun acceptImage(image: ByteArray, phone: String, name: String? = null): OtpChallenge =
        ffi.acceptImage(image, phone, name)
}
