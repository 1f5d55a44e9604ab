package th.co.lobby

import java.io.File
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assume.assumeTrue
import org.junit.Test
import th.co.lobby.support.PhoneTestCase

/**
 * The cost of a parcels screen on a phone with 1,000 parcels: opening the core on an
 * existing replica, and listing every parcel into Kotlin objects. Recorded in
 * docs/benchmarks.md with the Swift twin (`ParcelListBenchTests`), both run in one go by
 * `scripts/ffi-bench.sh` (release library). Measured only with `-Dlobby.bench=1`
 * (`LOBBY_BENCH=1`): it seeds 1,000 parcels through the server, too slow for every test
 * run. It prints its figures and asserts only what was listed, never a time.
 */
class ParcelListBenchTest : PhoneTestCase() {

    @Test
    fun open_the_core_and_list_a_thousand_parcels() = runBlocking {
        assumeTrue("a benchmark: set LOBBY_BENCH=1", System.getProperty("lobby.bench") == "1")
        val count = 1_000
        val u = unit("12/345")
        onboard(u)
        for (i in 0 until count) {
            server.addParcel(u.unitId, "คุณสมชาย ใจดี $i", "Kerry Express", "KEX${i}TH")
        }
        phone.sync()
        assertEquals(count, phone.parcels.list().size)
        phone.close()

        val data = File(dir, "phone")
        val opens = mutableListOf<Double>()
        val lists = mutableListOf<Double>()
        for (round in 0 until 21) {
            val t0 = System.nanoTime()
            val lobby = Lobby.open(data, null, secrets)
            val t1 = System.nanoTime()
            val parcels = lobby.parcels.list()
            val t2 = System.nanoTime()
            assertEquals(count, parcels.size)
            assertTrue(parcels.all { it.recipient.startsWith("คุณสมชาย") })
            lobby.close()
            if (round > 0) { // the first round warms the page cache, the code and the JIT
                opens.add((t1 - t0) / 1e6)
                lists.add((t2 - t1) / 1e6)
            }
        }
        println("bench kotlin open_ms ${summary(opens)} list_1000_ms ${summary(lists)}")
    }

    private fun summary(samples: List<Double>): String {
        val sorted = samples.sorted()
        return "median=%.2f min=%.2f max=%.2f n=%d".format(sorted[sorted.size / 2], sorted.first(), sorted.last(), sorted.size)
    }
}
