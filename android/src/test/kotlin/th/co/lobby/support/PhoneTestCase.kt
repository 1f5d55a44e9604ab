package th.co.lobby.support

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.fail
import org.junit.Before
import th.co.lobby.Lobby
import th.co.lobby.code
import th.co.lobby.core.SignedIn
import th.co.lobby.model.ErrorCode
import th.co.lobby.ffi.LobbyException

/**
 * Each test gets a fresh lobby-server (own database, own port), a project with the demo
 * owner registry (fixtures/registry/demo.csv) imported by staff, and a phone: a [Lobby]
 * on its own data directory with a [MemorySecretStore].
 */
abstract class PhoneTestCase {
    companion object {
        const val PROJECT_NAME = "อาคารชุด ลุมพินี ทดสอบ"
        /** Somchai owns 12/345 and 12/346 in the demo registry. */
        const val SOMCHAI_PHONE = "0812345678"
        const val PASSWORD = "Lobby-2026"
    }

    lateinit var dir: File
    lateinit var server: TestServer
    /** The project the demo registry was imported into. */
    lateinit var project: String
    lateinit var registry: List<ImportedUnit>
    val secrets = MemorySecretStore()
    lateinit var phone: Lobby

    @Before
    fun startServerAndPhone() {
        dir = Files.createTempDirectory("lobby-jvm-test").toFile()
        server = TestServer.start(dir)
        project = server.createProject(PROJECT_NAME)
        registry = server.importOwners(project, fixture("registry/demo.csv"))
        phone = runBlocking { Lobby.open(File(dir, "phone"), server.url, secrets) }
    }

    /**
     * JUnit runs it even when the test or [startServerAndPhone] threw, so whatever was
     * made is closed: the server whatever closing the phone throws, and nothing that
     * `@Before` did not get to (issue 21: a failed test must not leave its server running).
     */
    @After
    fun stopPhoneAndServer() {
        try {
            if (::phone.isInitialized) phone.close()
        } finally {
            try {
                if (::server.isInitialized) server.close()
            } finally {
                if (::dir.isInitialized) dir.deleteRecursively()
            }
        }
    }

    fun unit(number: String): ImportedUnit = registry.single { it.unit == number }

    /** The whole onboarding journey for a new account, the OTP read from the dev server. */
    suspend fun onboard(unit: ImportedUnit, to: String = SOMCHAI_PHONE): SignedIn {
        phone.auth.startOnboarding(unit.payload, to, PASSWORD)
        return phone.auth.verifyOnboarding(server.peekOtp(to))
    }

    fun fixture(path: String): String {
        val root = System.getProperty("lobby.fixtures") ?: error("set -Dlobby.fixtures=<repo>/fixtures")
        return File(root, path).readText()
    }
}

/** Runs [block] and checks that it fails with [expected]. */
fun assertFailsWithCode(expected: ErrorCode, block: suspend () -> Unit) {
    try {
        runBlocking { block() }
    } catch (e: LobbyException) {
        assertEquals(expected, e.code)
        return
    }
    fail("expected a LobbyException with $expected")
}
