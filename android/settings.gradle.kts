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
    }
}

rootProject.name = "lobby-android"
