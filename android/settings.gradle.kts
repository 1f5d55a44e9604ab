// The Android library over lobby-core. A standalone Gradle build: the root project is the
// library module. (Gradle cannot run on the development machine — no Maven access — so
// the JVM tests run through ./run-jvm-tests.sh instead; see README.md.)
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // The Kotlin half of rustls-platform-verifier (Android's certificate verifier, called
        // by the core through JNI), published by the rustls project as a Maven repository on
        // GitHub; only its group is looked up there. An app that uses this library's AAR
        // adds the same repository (README.md, "TLS and certificates").
        maven {
            url = uri("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
            content { includeGroup("rustls") }
        }
    }
}

rootProject.name = "lobby-android"
