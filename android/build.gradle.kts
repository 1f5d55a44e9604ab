// Android library: the idiomatic Kotlin wrapper (src/main/kotlin) over the uniffi
// bindings generated from lobby-ffi, plus the native library for each ABI.
//
// Before assembling, two tasks run cargo from the workspace root (one directory up):
//  - generateUniffiBindings: builds the host library and generates Kotlin in library mode
//    into build/generated/uniffi (generated code is never committed);
//  - cargoNdkBuild: cross-compiles liblobby_ffi.so for each ABI with cargo-ndk
//    (`cargo install cargo-ndk`, NDK installed through the SDK manager) into build/jniLibs.
// Unit tests (src/test) run on the JVM against the host library in target/debug and a
// lobby-server they start themselves; ./run-jvm-tests.sh does the same without Gradle.
//
// TLS: on Android the core checks certificates with rustls-platform-verifier, whose Kotlin
// half (org.rustls.platformverifier.*, an AAR) must ship with this library at exactly the
// version Cargo.lock pins (the `rustls-platform-verifier-android` crate's): see
// RustlsVersion below, the repository in settings.gradle.kts and consumer-rules.pro.

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.0"
}

val workspaceDir: File = rootDir.parentFile

/**
 * The version of rustls-platform-verifier's Android component: that of the crate
 * `rustls-platform-verifier-android` in the workspace's Cargo.lock (the crate exists only to
 * pin it; a different version may crash at run time). As the crate's README does it, read
 * at configuration time and friendly to the configuration cache.
 */
abstract class RustlsVersion : ValueSource<String, RustlsVersion.Params> {
    interface Params : ValueSourceParameters {
        val lockFile: RegularFileProperty
    }

    companion object {
        const val CRATE_NAME = "rustls-platform-verifier-android"
    }

    override fun obtain(): String {
        val lines = parameters.lockFile.get().asFile.readLines()
        val nameIdx = lines.indexOfFirst { it.trim() == "name = \"$CRATE_NAME\"" }
        val version = if (nameIdx < 0) null else lines.drop(nameIdx + 1)
            .firstOrNull { it.trimStart().startsWith("version = ") }
            ?.substringAfter('"', "")
            ?.substringBefore('"', "")
            ?.takeIf { it.isNotEmpty() }
        return version ?: error("$CRATE_NAME not found in Cargo.lock")
    }
}

val rustlsPlatformVerifierVersion = providers.of(RustlsVersion::class.java) {
    parameters.lockFile.set(File(workspaceDir, "Cargo.lock"))
}

configurations.configureEach {
    resolutionStrategy.eachDependency {
        if (requested.group == "rustls" && requested.name == "rustls-platform-verifier") {
            useVersion(rustlsPlatformVerifierVersion.get())
            because("the Android component must be the version of ${RustlsVersion.CRATE_NAME} in Cargo.lock")
        }
    }
}
val uniffiOutDir = layout.buildDirectory.dir("generated/uniffi")
val jniLibsOutDir = layout.buildDirectory.dir("jniLibs")
val hostLibrary = File(
    workspaceDir,
    if (System.getProperty("os.name").startsWith("Mac")) "target/debug/liblobby_ffi.dylib" else "target/debug/liblobby_ffi.so",
)

android {
    namespace = "th.co.lobby"
    compileSdk = 35

    defaultConfig {
        // java.time.Instant (uniffi's timestamp type) needs API 26.
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            java.srcDir(uniffiOutDir)
            jniLibs.srcDir(jniLibsOutDir)
        }
    }

    testOptions {
        unitTests.all { test ->
            test.dependsOn("buildHostLibraries")
            test.systemProperty("jna.library.path", File(workspaceDir, "target/debug").path)
            test.systemProperty("lobby.server", File(workspaceDir, "target/debug/lobby-server").path)
            test.systemProperty("lobby.fixtures", File(workspaceDir, "fixtures").path)
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // JNA as an AAR for the app (it carries libjnidispatch.so per ABI) …
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
    // rustls-platform-verifier's Kotlin half (see RustlsVersion): no version here on purpose,
    // the resolution rule above sets the one Cargo.lock pins.
    implementation("rustls:rustls-platform-verifier")
    // … and as a plain JAR for the JVM unit tests, which load the host library.
    testImplementation("net.java.dev.jna:jna:5.14.0")
    testImplementation("junit:junit:4.13.2")
    testImplementation("org.jetbrains.kotlinx:kotlinx-coroutines-test:1.9.0")
}

val buildHostLibraries by tasks.registering(Exec::class) {
    description = "Builds liblobby_ffi (host) and lobby-server for bindings generation and JVM tests."
    workingDir = workspaceDir
    commandLine("cargo", "build", "-p", "lobby-ffi", "-p", "lobby-server")
}

val generateUniffiBindings by tasks.registering(Exec::class) {
    description = "Generates the Kotlin bindings from the host library (uniffi library mode)."
    dependsOn(buildHostLibraries)
    workingDir = workspaceDir
    outputs.dir(uniffiOutDir)
    commandLine(
        "cargo", "run", "-p", "lobby-ffi", "--features", "cli", "--bin", "uniffi-bindgen", "--",
        "generate", "--library", hostLibrary.path, "--language", "kotlin",
        "--out-dir", uniffiOutDir.get().asFile.path, "--no-format",
    )
}

val cargoNdkBuild by tasks.registering(Exec::class) {
    description = "Cross-compiles liblobby_ffi.so for the app's ABIs (needs cargo-ndk and the NDK)."
    workingDir = workspaceDir
    outputs.dir(jniLibsOutDir)
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-o", jniLibsOutDir.get().asFile.path,
        "build", "--profile", "release-small", "-p", "lobby-ffi",
    )
}

tasks.named("preBuild") {
    dependsOn(generateUniffiBindings, cargoNdkBuild)
}
