package th.co.lobby

import java.nio.file.Files
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.TestServer

/**
 * The test support itself (issue 21): a test whose set-up failed half way still stops
 * the server it had started.
 */
class TestServerTest {

    /** A [PhoneTestCase] driven by hand here, not by JUnit. */
    private class Case : PhoneTestCase()

    @Test
    fun a_set_up_that_failed_before_the_phone_opened_still_stops_its_server_after_the_test() {
        val case = Case()
        // What @Before did before failing: the server started, the phone never opened.
        case.dir = Files.createTempDirectory("lobby-jvm-test").toFile()
        val server = TestServer.start(case.dir)
        case.server = server
        try {
            assertTrue(server.isRunning)
            case.stopPhoneAndServer()
            assertFalse("the server is still running", server.isRunning)
            assertFalse(case.dir.exists())
        } finally {
            server.close()
        }
    }
}
