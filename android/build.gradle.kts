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

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.0"
}

val workspaceDir: File = rootDir.parentFile
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
