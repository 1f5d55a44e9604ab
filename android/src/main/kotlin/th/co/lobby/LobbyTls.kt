package th.co.lobby

import java.io.File

/**
 * TLS on Android: the core checks a server's certificate with Android's own verifier
 * (rustls-platform-verifier → Android's TrustManager over the device's CA store), which
 * reaches the JVM through the app's `Context`.
 *
 * Call [init] once before the first network call — in `Application.onCreate`, or let
 * [Lobby.open] do it by passing its `context`. Until then the core refuses an `https://`
 * server with `ErrorCode.TLS_UNAVAILABLE` (instead of failing at the first handshake);
 * a loopback `http://` development server needs nothing.
 *
 * [init] takes `Any?` rather than `android.content.Context` so that this file also compiles
 * for the JVM tests, which have no Android SDK: on Android pass a `Context` (any — its
 * application context is kept, never an activity). On another JVM it does nothing (the
 * system's roots decide there) but still calls into the library, so the tests prove the JNI
 * function is exported.
 */
object LobbyTls {
    private const val LIBRARY = "lobby_ffi"

    @Volatile
    private var loaded = false

    /** Hands the platform's certificate verifier the app's [context]; repeat calls are harmless. */
    fun init(context: Any?) {
        loadLibrary()
        nativeInit(applicationContextOf(context))
    }

    /** `Java_th_co_lobby_LobbyTls_nativeInit` in liblobby_ffi (bindings/src/android_tls.rs). */
    @JvmStatic
    private external fun nativeInit(context: Any?)

    /** `context.getApplicationContext()` when it has one (an Android `Context`), else itself. */
    private fun applicationContextOf(context: Any?): Any? =
        context?.let { c ->
            runCatching { c.javaClass.getMethod("getApplicationContext").invoke(c) }.getOrNull()
        } ?: context

    /**
     * JNI methods bind only to libraries loaded through `System.load*` (JNA's own loading of
     * the same file does not count). On Android `System.loadLibrary` finds it in the APK; on
     * a host JVM it is where JNA finds it, `jna.library.path`.
     */
    private fun loadLibrary() {
        if (loaded) return
        synchronized(this) {
            if (loaded) return
            try {
                System.loadLibrary(LIBRARY)
            } catch (e: UnsatisfiedLinkError) {
                val file = (System.getProperty("jna.library.path") ?: "")
                    .split(File.pathSeparator)
                    .filter { it.isNotEmpty() }
                    .map { File(it, System.mapLibraryName(LIBRARY)) }
                    .firstOrNull { it.isFile }
                    ?: throw e
                System.load(file.absolutePath)
            }
            loaded = true
        }
    }
}
