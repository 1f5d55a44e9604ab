package th.co.lobby

import android.content.Context
import android.content.SharedPreferences
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import th.co.lobby.model.ErrorCode
import th.co.lobby.ffi.LobbyException
import th.co.lobby.ffi.SecretStore

/**
 * The core's secret store on Android: each value is encrypted with AES-256-GCM under a key
 * that never leaves the Android Keystore, and the ciphertext is kept in private
 * SharedPreferences. Pass one to [Lobby.open].
 *
 * Needs Android classes, so the JVM tests (run-jvm-tests.sh) leave this file out and use
 * an in-memory store; it compiles with the Android build.
 */
class AndroidKeystoreSecretStore(
    context: Context,
    private val keyAlias: String = "th.co.lobby.secrets",
    prefsName: String = "th.co.lobby.secrets",
) : SecretStore {

    private val prefs: SharedPreferences =
        context.applicationContext.getSharedPreferences(prefsName, Context.MODE_PRIVATE)

    private val lock = Any()

    override fun get(key: String): String? = guarded {
        val stored = prefs.getString(key, null) ?: return@guarded null
        val bytes = Base64.decode(stored, Base64.NO_WRAP)
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES))
        String(cipher.doFinal(bytes, IV_BYTES, bytes.size - IV_BYTES), Charsets.UTF_8)
    }

    override fun set(key: String, value: String) = guarded {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key())
        val sealed = cipher.iv + cipher.doFinal(value.toByteArray(Charsets.UTF_8))
        check(cipher.iv.size == IV_BYTES) { "unexpected IV length" }
        if (!prefs.edit().putString(key, Base64.encodeToString(sealed, Base64.NO_WRAP)).commit()) {
            error("SharedPreferences commit failed")
        }
    }

    override fun delete(key: String) = guarded {
        if (!prefs.edit().remove(key).commit()) error("SharedPreferences commit failed")
    }

    private fun key(): SecretKey {
        val keyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        (keyStore.getEntry(keyAlias, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(keyAlias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    /** Serialises access and reports any platform failure as `ErrorCode.STORAGE`. */
    private fun <T> guarded(body: () -> T): T = synchronized(lock) {
        try {
            body()
        } catch (e: Exception) {
            // The message names the failure type only: never a key's value.
            throw LobbyException.Failed(ErrorCode.STORAGE, "Android Keystore: ${e.javaClass.simpleName}")
        }
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
