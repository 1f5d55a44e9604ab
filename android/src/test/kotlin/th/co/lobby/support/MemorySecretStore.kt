package th.co.lobby.support

import java.util.concurrent.ConcurrentHashMap
import th.co.lobby.ffi.SecretStore

/** The app's secret store as a test sees it: a map, so tests can look inside. */
class MemorySecretStore : SecretStore {
    val entries = ConcurrentHashMap<String, String>()

    override fun get(key: String): String? = entries[key]

    override fun set(key: String, value: String) {
        entries[key] = value
    }

    override fun delete(key: String) {
        entries.remove(key)
    }
}
