package th.co.lobby

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Test
import th.co.lobby.support.MemorySecretStore

/**
 * `LobbyTls.init` on the host JVM: the JNI function is exported by liblobby_ffi and bound
 * (an `UnsatisfiedLinkError` otherwise), and does nothing off Android. No server needed.
 */
class LobbyTlsTest {

    @Test
    fun the_jni_entry_point_is_exported_and_callable() {
        LobbyTls.init(null)
        // Something without getApplicationContext() is passed as it is; calling again is harmless.
        LobbyTls.init(Any())
    }

    @Test
    fun a_lobby_opened_with_a_context_builds_its_https_client() = runBlocking {
        val dir: File = Files.createTempDirectory("lobby-jvm-tls").toFile()
        try {
            val lobby = Lobby.open(
                File(dir, "phone"),
                "https://lobby.example.com",
                MemorySecretStore(),
                context = Any(),
            )
            lobby.use { assertEquals("https://lobby.example.com", it.serverUrl()) }
        } finally {
            dir.deleteRecursively()
        }
    }
}
