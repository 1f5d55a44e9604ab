//! `LobbyTls.init(context)`: the Android shell hands the platform's certificate verifier
//! (rustls-platform-verifier, which the core's HTTP client uses on Android — see
//! `lobby_core::api`'s `tls` module) the app's `Context`, before the first `https://`
//! connection.
//!
//! Why plain JNI beside uniffi: the verifier calls into Android's TrustManager through the
//! JVM, so it needs a real JNI environment and a `Context` (for the app's class loader),
//! which uniffi's JNA calls do not carry. `liblobby_ffi` therefore also exports this one
//! JNI function, `Java_th_co_lobby_LobbyTls_nativeInit`, bound to
//! `@JvmStatic private external fun nativeInit(context: Any?)` of the Kotlin object
//! `th.co.lobby.LobbyTls` (`android/src/main/kotlin/th/co/lobby/LobbyTls.kt`), whose
//! public `LobbyTls.init(context)` loads the library with `System.loadLibrary` (JNA's
//! loading does not register JNI methods) and passes the application context.
//!
//! On Android it is the crate's documented initialisation (its README, "Crate
//! initialization": `rustls_platform_verifier::android::init_with_env(env, context)` from
//! a `#[no_mangle] extern "system"` JNI function, errors thrown as a `RuntimeException`),
//! then it tells the core (`lobby_core::api::set_platform_verifier_ready`), which until
//! then refuses `https://` clients with `tls_unavailable` instead of letting the verifier
//! panic at the first handshake. Calling it again is harmless (the crate keeps the first
//! `Context`). Elsewhere it does nothing: it exists so that the same Kotlin links and runs
//! on the host JVM (`android/src/test/kotlin/th/co/lobby/LobbyTlsTest.kt`).

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};
use jni::{Env, EnvUnowned};

/// `th.co.lobby.LobbyTls.nativeInit(context)` (a static method: `@JvmStatic external fun`).
/// `context` is the app's `android.content.Context` on Android (the application context:
/// the Kotlin side passes `getApplicationContext()`); ignored elsewhere.
#[unsafe(no_mangle)]
pub extern "system" fn Java_th_co_lobby_LobbyTls_nativeInit<'caller>(
    mut unowned_env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) {
    unowned_env
        .with_env(|env| init(env, context))
        .resolve::<ThrowRuntimeExAndDefault>()
}

#[cfg(target_os = "android")]
fn init(env: &mut Env, context: JObject) -> jni::errors::Result<()> {
    use jni::refs::Reference;
    if context.is_null() {
        return Err(jni::errors::Error::NullPtr(
            "LobbyTls.init needs the app's Context",
        ));
    }
    rustls_platform_verifier::android::init_with_env(env, context)?;
    lobby_core::api::set_platform_verifier_ready();
    Ok(())
}

/// Not Android: the platform's verifier (Apple) or the system's roots decide without any
/// help from the app.
#[cfg(not(target_os = "android"))]
fn init(_env: &mut Env, _context: JObject) -> jni::errors::Result<()> {
    Ok(())
}
