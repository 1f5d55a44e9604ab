package th.co.lobby

import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.core.SyncState
import th.co.lobby.core.SyncStatus
import th.co.lobby.ffi.SyncStateListener
import th.co.lobby.support.PhoneTestCase

class SyncTest : PhoneTestCase() {

    /** Records every status the core delivers, in order. */
    private class Recorder : SyncStateListener {
        val seen = CopyOnWriteArrayList<SyncState>()

        override fun onUpdate(status: SyncStatus) {
            seen.add(status.state)
        }

        fun awaitUntil(done: (List<SyncState>) -> Boolean) {
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
            while (!done(seen.toList()) && System.nanoTime() < deadline) Thread.sleep(5)
        }
    }

    @Test
    fun the_listener_gets_the_current_status_before_subscribe_returns() {
        val recorder = Recorder()
        phone.ffi.subscribeSyncState(recorder).use {
            assertEquals(listOf<SyncState>(SyncState.Idle), recorder.seen.toList())
        }
    }

    @Test
    fun a_sync_moves_the_listener_through_syncing_to_idle() {
        runBlocking { onboard(unit("12/345")) }
        val recorder = Recorder()
        phone.ffi.subscribeSyncState(recorder).use {
            runBlocking { phone.sync() }
            recorder.awaitUntil { it.size >= 3 && it.last() == SyncState.Idle }
            val seen = recorder.seen.toList()
            assertEquals(SyncState.Idle, seen.first())
            assertEquals(SyncState.Syncing, seen[1])
            assertEquals(SyncState.Idle, seen.last())
        }
    }

    @Test
    fun a_cancelled_subscription_gets_no_more_updates() {
        val recorder = Recorder()
        val handle = phone.ffi.subscribeSyncState(recorder)
        handle.cancel()
        runBlocking { phone.sync() }
        Thread.sleep(100)
        assertEquals(1, recorder.seen.size)
        handle.close()
    }

    @Test
    fun the_status_flow_starts_with_the_current_status() = runBlocking {
        val first = withTimeout(5_000) { phone.syncStatus.first() }
        assertEquals(SyncState.Idle, first.state)
        assertEquals(0u, first.pending)
    }

    @Test
    fun a_profile_edit_made_offline_waits_in_the_outbox() = runBlocking {
        onboard(unit("12/345"))
        server.close()
        phone.profile.setDisplayName("ชาย")
        assertEquals(listOf("profile_update"), phone.outbox().map { it.kind })
        assertEquals(SyncState.Offline, phone.sync().state)
        assertEquals(1u, phone.syncStatusNow.pending)
        assertTrue(phone.profile.get()?.displayName == "ชาย")
    }
}
