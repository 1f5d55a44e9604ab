package th.co.lobby

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.model.ConsentKind
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/**
 * Consents (DESIGN.md §2.8, issue 11) through the Kotlin wrapper: staff bring documents
 * into force through the admin API, [phone] learns by sync what to ask, answers (queued,
 * shown at once), and is asked again when a new version of a required document comes.
 */
class ConsentsTest : PhoneTestCase() {

    @Test
    fun documents_in_force_are_asked_answered_and_asked_again_for_a_new_version() = runBlocking {
        onboard(unit("12/345"))
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.consents.give(ConsentKind.TERMS) }
        server.publishPolicy("terms", "2026-11")
        server.publishPolicy("privacy", "2026-11")
        server.publishPolicy("marketing", "1")
        phone.sync()
        assertEquals(listOf(ConsentKind.TERMS, ConsentKind.PRIVACY, ConsentKind.MARKETING), phone.consents.toAsk())

        phone.consents.give(ConsentKind.TERMS)
        phone.consents.give(ConsentKind.PRIVACY, "2026-11")
        phone.consents.withdraw(ConsentKind.MARKETING)
        val queued = phone.consents.list()
        assertTrue(queued.all { it.pending && !it.ask })
        assertEquals(listOf(true, true, false), queued.map { it.given })
        assertFailsWithCode(ErrorCode.CONFLICT) { phone.consents.give(ConsentKind.TERMS, "2025-01") }

        phone.sync()
        val recorded = phone.consents.list()
        assertTrue(recorded.none { it.pending })
        assertEquals("2026-11", recorded[0].version)
        assertEquals("1", recorded[2].currentVersion)
        assertFalse(recorded[2].given)

        server.publishPolicy("terms", "2027-01")
        phone.sync()
        assertEquals(listOf(ConsentKind.TERMS), phone.consents.toAsk())
    }

    @Test
    fun an_owner_who_answered_at_onboarding_is_asked_nothing_after_the_first_sync() = runBlocking {
        server.publishPolicy("terms", "2026-12")
        server.publishPolicy("privacy", "2026-12")
        server.publishPolicy("marketing", "1")
        val scanned = phone.auth.scanOnboarding(unit("12/345").payload)
        assertEquals(
            listOf(ConsentKind.TERMS to "2026-12", ConsentKind.PRIVACY to "2026-12", ConsentKind.MARKETING to "1"),
            scanned.policies.map { it.kind to it.version },
        )
        val answers = scanned.agreeTo(ConsentKind.TERMS, ConsentKind.PRIVACY)
        phone.auth.startOnboarding(unit("12/345").payload, SOMCHAI_PHONE, PASSWORD, consents = answers)
        phone.auth.verifyOnboarding(server.peekOtp(SOMCHAI_PHONE))

        assertEquals(emptyList<ConsentKind>(), phone.consents.toAsk())
        val shown = phone.consents.list()
        assertEquals(listOf("2026-12", "2026-12", "1"), shown.map { it.version })
        assertEquals(listOf(true, true, false), shown.map { it.given })
        assertTrue(shown.none { it.pending || it.ask || it.at == null })
    }

    @Test
    fun what_to_ask_is_observed_and_re_emitted_when_a_new_version_arrives() = runBlocking {
        onboard(unit("12/345"))
        server.publishPolicy("privacy", "1")
        phone.sync()
        val seen = Channel<List<ConsentKind>>(Channel.UNLIMITED)
        val collecting = launch(Dispatchers.Default) {
            phone.consents.observeToAsk().collect { seen.send(it) }
        }
        suspend fun next(): List<ConsentKind> = withTimeout(10_000) { seen.receive() }
        assertEquals(listOf(ConsentKind.PRIVACY), next())
        phone.consents.give(ConsentKind.PRIVACY)
        var ask = next()
        while (ask.isNotEmpty()) ask = next()
        server.publishPolicy("privacy", "2")
        phone.sync()
        ask = next()
        while (ask.isEmpty()) ask = next()
        assertEquals(listOf(ConsentKind.PRIVACY), ask)
        collecting.cancel()
    }
}
