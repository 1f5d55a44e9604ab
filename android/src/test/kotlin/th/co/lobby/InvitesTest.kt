package th.co.lobby

import java.io.File
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Before
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.core.LocalInviteStatus
import th.co.lobby.core.SignedIn
import th.co.lobby.model.Role
import th.co.lobby.ffi.inviteQrPayload
import th.co.lobby.ffi.renderQrPng
import th.co.lobby.support.MemorySecretStore
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/**
 * Invitation codes (DESIGN.md §2.3): [phone] is Somchai, owner of 12/345; [tenant] is
 * a second device, on its own data directory and secret store, with its own number (the
 * server sends one OTP per destination per minute).
 */
class InvitesTest : PhoneTestCase() {

    companion object {
        const val TENANT_PHONE = "0861234567"
    }

    lateinit var tenant: Lobby

    @Before
    fun openTenantPhone() {
        tenant = runBlocking { Lobby.open(File(dir, "tenant-phone"), server.url, MemorySecretStore()) }
    }

    @After
    fun closeTenantPhone() {
        tenant.close()
    }

    /** Somchai onboards 12/345 and makes a tenant invitation the server has confirmed. */
    private suspend fun ownerInvitesATenant(): String {
        onboard(unit("12/345"))
        val code = checkNotNull(phone.invites.create(Role.TENANT).code) { "a new invitation carries its code" }
        phone.sync()
        return code
    }

    /** The invitee's side: the code, the OTP read from the dev server, verifyLogin. */
    private suspend fun tenantAccepts(code: String): SignedIn {
        tenant.invites.accept(code, TENANT_PHONE, "น้อย")
        return tenant.auth.verifyLogin(server.peekOtp(TENANT_PHONE))
    }

    @Test
    fun an_invitation_made_by_the_owner_is_queued_then_pending_after_sync() = runBlocking {
        onboard(unit("12/345"))
        val invite = phone.invites.create(Role.TENANT)
        assertEquals(LocalInviteStatus.QUEUED, invite.status)
        assertEquals(Role.TENANT, invite.role)
        assertEquals(10, invite.code?.length)
        phone.sync()
        assertEquals(listOf(LocalInviteStatus.PENDING), phone.invites.list().map { it.status })
    }

    @Test
    fun a_second_phone_accepting_the_code_with_its_otp_gets_the_unit_as_tenant() = runBlocking {
        val code = ownerInvitesATenant()
        tenantAccepts(code)
        val units = tenant.units.list()
        assertEquals(listOf("12/345"), units.map { it.unitNumber })
        assertEquals(Role.TENANT, units.single().role)
    }

    @Test
    fun the_owner_sees_the_tenant_among_the_members_after_sync() = runBlocking {
        val signedIn = tenantAccepts(ownerInvitesATenant())
        phone.sync()
        val members = phone.invites.members()
        assertEquals(listOf(signedIn.personId), members.map { it.personId })
        assertEquals(Role.TENANT, members.single().role)
        assertEquals(LocalInviteStatus.ACCEPTED, phone.invites.list().single().status)
    }

    @Test
    fun a_removed_tenant_loses_the_unit_on_the_next_sync_of_their_phone() = runBlocking {
        val signedIn = tenantAccepts(ownerInvitesATenant())
        phone.sync()
        assertEquals(signedIn.personId, phone.invites.removeMember(signedIn.personId).personId)
        assertTrue(phone.invites.members().single().removalPending)
        phone.sync()
        assertTrue(phone.invites.members().isEmpty())
        tenant.sync()
        assertTrue(tenant.units.list().isEmpty())
    }

    @Test
    fun a_sixth_invitation_for_one_unit_is_invite_cap_reached() {
        runBlocking {
            onboard(unit("12/345"))
            repeat(5) { phone.invites.create(if (it % 2 == 0) Role.TENANT else Role.RESIDENT) }
            phone.sync()
            assertEquals(5, phone.invites.list().count { it.status == LocalInviteStatus.PENDING })
        }
        assertFailsWithCode(ErrorCode.INVITE_CAP_REACHED) { phone.invites.create(Role.RESIDENT) }
    }

    @Test
    fun accepting_a_revoked_code_is_invite_revoked() {
        val code = runBlocking {
            val code = ownerInvitesATenant()
            phone.invites.revoke(code)
            phone.sync()
            assertEquals(LocalInviteStatus.REVOKED, phone.invites.list().single().status)
            code
        }
        assertFailsWithCode(ErrorCode.INVITE_REVOKED) { tenant.invites.accept(code, TENANT_PHONE) }
    }

    @Test
    fun a_malformed_code_is_invite_invalid() {
        assertFailsWithCode(ErrorCode.INVITE_INVALID) { tenant.invites.accept("ABC-12", TENANT_PHONE) }
    }

    @Test
    fun a_tenant_cannot_make_an_invitation() {
        runBlocking { tenantAccepts(ownerInvitesATenant()) }
        assertFailsWithCode(ErrorCode.FORBIDDEN) { tenant.invites.create(Role.RESIDENT) }
    }

    @Test
    fun the_invitation_qr_is_accepted_from_its_picture() = runBlocking {
        val code = ownerInvitesATenant()
        val png = renderQrPng(inviteQrPayload(code))
        tenant.invites.acceptImage(png, TENANT_PHONE)
        val signedIn = tenant.auth.verifyLogin(server.peekOtp(TENANT_PHONE))
        assertEquals(listOf(Role.TENANT), signedIn.units.map { it.role })
    }
}
