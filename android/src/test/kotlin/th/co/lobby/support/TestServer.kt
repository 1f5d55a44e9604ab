package th.co.lobby.support

import java.io.File
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.charset.StandardCharsets
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * A real `lobby-server` in development mode, started as a subprocess on a free loopback
 * port with its own database, and the staff (admin) calls the tests need.
 *
 * The binary comes from the system property `lobby.server` (run-jvm-tests.sh and Gradle
 * set it to target/debug/lobby-server).
 *
 * A server never outlives its test (issue 21): [close] stops it (PhoneTestCase calls it in
 * `@After`, which JUnit runs whatever the test or `@Before` threw); one that fails to
 * start is stopped before [start] throws; and a JVM shutdown hook destroys any still
 * running when the JVM exits, a test having forgotten to close it.
 */
class TestServer private constructor(
    private val process: Process,
    val url: String,
    private val staffToken: String,
) : AutoCloseable {

    companion object {
        /** Every server started and not yet closed, for the shutdown hook. */
        private val running: MutableSet<Process> = java.util.concurrent.ConcurrentHashMap.newKeySet()

        init {
            Runtime.getRuntime().addShutdownHook(Thread {
                for (p in running.toList()) {
                    p.destroyForcibly()
                    p.waitFor(5, TimeUnit.SECONDS)
                }
            })
        }

        fun start(dir: File): TestServer {
            val binary = System.getProperty("lobby.server") ?: error("set -Dlobby.server=<path to lobby-server>")
            val process = ProcessBuilder(
                binary, "serve", "--db", File(dir, "server.db").path, "--addr", "127.0.0.1:0", "--dev",
                // Ends by itself should this JVM die without running its hooks (SIGKILL).
                "--parent-pid", ProcessHandle.current().pid().toString(),
            )
                .redirectError(File(dir, "server.log"))
                .start()
            running.add(process)
            try {
                val stdout = process.inputStream.bufferedReader()
                val first = stdout.readLine()
                    ?: error("lobby-server exited before listening; see ${File(dir, "server.log")}")
                // Keep draining stdout so the server never blocks on a full pipe.
                Thread { stdout.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
                @Suppress("UNCHECKED_CAST")
                val line = Json.parse(first) as Map<String, Any?>
                return TestServer(process, line["listening"] as String, line["staff_token"] as String)
            } catch (e: Throwable) {
                stop(process)
                throw e
            }
        }

        /** SIGTERM, then SIGKILL after 5 s; waits for the process to be gone. */
        private fun stop(process: Process) {
            try {
                if (process.isAlive) {
                    process.destroy()
                    if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
                }
            } finally {
                running.remove(process)
            }
        }
    }

    /** Whether the server process is still there (not yet stopped or reaped). */
    val isRunning: Boolean get() = process.isAlive

    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    /** `POST /v1/admin/projects` → the project id. */
    fun createProject(name: String, kind: String = "condominium"): String {
        val body = """{"name":${quote(name)},"kind":${quote(kind)}}"""
        return call("POST", "/v1/admin/projects", body, "application/json")["project_id"] as String
    }

    /** `POST /v1/admin/projects/{id}/owners` with a registry CSV → the imported units. */
    fun importOwners(projectId: String, csv: String): List<ImportedUnit> {
        @Suppress("UNCHECKED_CAST")
        val units = call("POST", "/v1/admin/projects/$projectId/owners", csv, "text/csv")["units"] as List<Map<String, Any?>>
        return units.map {
            ImportedUnit(it["unit_id"] as String, it["unit"] as String, it["owner"] as String, it["onboarding_payload"] as String)
        }
    }

    /** `POST /v1/admin/parcels` → the parcel id. */
    fun addParcel(unitId: String, recipient: String, carrier: String, tracking: String? = null): String {
        val t = tracking?.let { ",\"tracking\":${quote(it)}" } ?: ""
        val body = """{"unit_id":${quote(unitId)},"recipient":${quote(recipient)},"carrier":${quote(carrier)}$t}"""
        return call("POST", "/v1/admin/parcels", body, "application/json")["parcel_id"] as String
    }

    /** `POST /v1/admin/pickup/verify` → the verified pass (`person_id`, `unit_id`, `parcels`). */
    fun verifyPickup(payload: String): Map<String, Any?> =
        call("POST", "/v1/admin/pickup/verify", "{\"payload\":${quote(payload)}}", "application/json")

    /** The error code `POST /v1/admin/pickup/verify` answers for a refused pass. */
    fun verifyPickupRefusal(payload: String): String {
        val (status, body) = send("POST", "/v1/admin/pickup/verify", "{\"payload\":${quote(payload)}}", "application/json")
        check(status != 200) { "the pass was accepted" }
        @Suppress("UNCHECKED_CAST")
        return (body["error"] as Map<String, Any?>)["code"] as String
    }

    /** `POST /v1/admin/pickup/handover` against a pass → the parcel ids handed over. */
    fun handOver(payload: String, parcelIds: List<String>): List<String> {
        val ids = parcelIds.joinToString(",") { quote(it) }
        val body = "{\"payload\":${quote(payload)},\"parcel_ids\":[$ids]}"
        @Suppress("UNCHECKED_CAST")
        return call("POST", "/v1/admin/pickup/handover", body, "application/json")["handed_over"] as List<String>
    }

    /** `PUT /v1/admin/parcels/{id}/photo` with a JPEG → the photo's file id. */
    fun setParcelPhoto(parcelId: String, jpeg: ByteArray): String =
        call("PUT", "/v1/admin/parcels/$parcelId/photo", HttpRequest.BodyPublishers.ofByteArray(jpeg), "image/jpeg")["file_id"] as String

    /** `POST /v1/admin/meetings` → the meeting id (a draft). [kind]: annual, extraordinary or committee. */
    fun createMeeting(projectId: String, title: String, kind: String = "annual"): String {
        val body = """{"project_id":${quote(projectId)},"title":${quote(title)},"kind":${quote(kind)}}"""
        return call("POST", "/v1/admin/meetings", body, "application/json")["meeting_id"] as String
    }

    /** `POST /v1/admin/meetings/{id}/items` → the agenda item's id (items are added in order). */
    fun addAgendaItem(meetingId: String, title: String, resolution: String): String {
        val body = """{"title":${quote(title)},"resolution":${quote(resolution)}}"""
        return call("POST", "/v1/admin/meetings/$meetingId/items", body, "application/json")["item_id"] as String
    }

    /** `POST /v1/admin/meetings/{id}/proxies`: [holder] (a phone number with an account) votes for [unitId]. */
    fun addProxy(meetingId: String, unitId: String, holder: String) {
        val body = """{"unit_id":${quote(unitId)},"holder":${quote(holder)}}"""
        call("POST", "/v1/admin/meetings/$meetingId/proxies", body, "application/json")
    }

    /** `POST /v1/admin/meetings/{id}/open`: the eligibility snapshot is frozen. */
    fun openMeeting(meetingId: String) {
        call("POST", "/v1/admin/meetings/$meetingId/open", null, null)
    }

    /** `POST /v1/admin/items/{id}/open`: voting on the item starts. */
    fun openItem(itemId: String) {
        call("POST", "/v1/admin/items/$itemId/open", null, null)
    }

    /** `POST /v1/admin/items/{id}/close` → the published result (`tally`, `passed`, `chain_head`). */
    fun closeItem(itemId: String): Map<String, Any?> =
        call("POST", "/v1/admin/items/$itemId/close", null, null)

    /**
     * `POST /v1/admin/announcements` → the announcement id. [kind]: general or acknowledge;
     * [unitIds] empty: the whole project.
     */
    fun postAnnouncement(
        projectId: String,
        title: String,
        kind: String = "general",
        unitIds: List<String> = emptyList(),
        body: String = "เรียนท่านเจ้าของร่วม\nรายละเอียดตามประกาศ",
    ): String {
        val units = unitIds.joinToString(",") { quote(it) }
        val json = "{\"project_id\":${quote(projectId)},\"title\":${quote(title)},\"body\":${quote(body)}," +
            "\"kind\":${quote(kind)},\"unit_ids\":[$units]}"
        return call("POST", "/v1/admin/announcements", json, "application/json")["announcement_id"] as String
    }

    /** `PUT /v1/admin/announcements/{id}/attachment` with an image or a PDF → `content_type`, `size`. */
    fun setAnnouncementAttachment(announcementId: String, bytes: ByteArray): Map<String, Any?> =
        call(
            "PUT", "/v1/admin/announcements/$announcementId/attachment",
            HttpRequest.BodyPublishers.ofByteArray(bytes), "application/octet-stream",
        )

    /** `GET /v1/admin/announcements/{id}/readers` → `readers` (person_id, name, unit_id, unit, at) and `units_not_read`. */
    fun announcementReaders(announcementId: String): Map<String, Any?> =
        call("GET", "/v1/admin/announcements/$announcementId/readers", null, null)

    /**
     * `POST /v1/admin/invoices` → `invoice_id` and `total_satang`. [lines]: description to
     * amount in satang; [totalSatang], when given, must equal their sum.
     */
    fun addInvoice(
        unitId: String,
        period: String,
        due: String,
        lines: List<Pair<String, Long>>,
        totalSatang: Long? = null,
    ): Map<String, Any?> {
        val ls = lines.joinToString(",") { (d, a) -> """{"description":${quote(d)},"amount_satang":$a}""" }
        val total = totalSatang?.let { ",\"total_satang\":$it" } ?: ""
        val json = """{"unit_id":${quote(unitId)},"period":${quote(period)},"due":${quote(due)},"lines":[$ls]$total}"""
        return call("POST", "/v1/admin/invoices", json, "application/json")
    }

    /** `POST /v1/admin/invoices/{id}/confirm`: staff saw [amountSatang] arrive; the invoice is paid. */
    fun confirmInvoice(invoiceId: String, amountSatang: Long) {
        call("POST", "/v1/admin/invoices/$invoiceId/confirm", "{\"amount_satang\":$amountSatang}", "application/json")
    }

    /** `POST /v1/admin/invoices/{id}/reject`: the slip is refused, with a reason for the resident. */
    fun rejectInvoice(invoiceId: String, reason: String) {
        call("POST", "/v1/admin/invoices/$invoiceId/reject", "{\"reason\":${quote(reason)}}", "application/json")
    }

    /** `GET /v1/admin/otp/peek?to=…`: the last code sent there (development servers only). */
    /** `POST /v1/admin/policies`: brings a document's version into force. */
    fun publishPolicy(kind: String, version: String) {
        call("POST", "/v1/admin/policies", """{"kind":${quote(kind)},"version":${quote(version)}}""", "application/json")
    }

    /** `GET /v1/admin/projects/{id}/privacy-requests` → the open requests, soonest deadline first. */
    @Suppress("UNCHECKED_CAST")
    fun privacyRequests(projectId: String): List<Map<String, Any?>> =
        call("GET", "/v1/admin/projects/$projectId/privacy-requests", null, null)["requests"] as List<Map<String, Any?>>

    /** `POST /v1/admin/privacy-requests/{id}/decide`. */
    fun decidePrivacyRequest(requestId: String, approve: Boolean, reason: String? = null) {
        val r = reason?.let { ",\"reason\":${quote(it)}" } ?: ""
        call("POST", "/v1/admin/privacy-requests/$requestId/decide", "{\"approve\":$approve$r}", "application/json")
    }

    fun peekOtp(to: String): String =
        call("GET", "/v1/admin/otp/peek?to=" + URLEncoder.encode(to, StandardCharsets.UTF_8), null, null)["code"] as String

    /** A six-digit code that is not the one sent `to` (for the wrong-code paths). */
    fun wrongOtp(to: String): String = if (peekOtp(to) == "000000") "111111" else "000000"

    /** Stops the server (the phone then sees it as offline). */
    override fun close() = stop(process)

    private fun call(method: String, path: String, body: String?, contentType: String?): Map<String, Any?> =
        call(method, path, publisher(body), contentType)

    private fun call(method: String, path: String, body: HttpRequest.BodyPublisher, contentType: String?): Map<String, Any?> {
        val (status, answer) = send(method, path, body, contentType)
        check(status == 200) { "$method $path answered $status: $answer" }
        return answer
    }

    private fun send(method: String, path: String, body: String?, contentType: String?): Pair<Int, Map<String, Any?>> =
        send(method, path, publisher(body), contentType)

    private fun publisher(body: String?): HttpRequest.BodyPublisher =
        body?.let { HttpRequest.BodyPublishers.ofString(it, StandardCharsets.UTF_8) } ?: HttpRequest.BodyPublishers.noBody()

    private fun send(method: String, path: String, body: HttpRequest.BodyPublisher, contentType: String?): Pair<Int, Map<String, Any?>> {
        val request = HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer $staffToken")
            .apply { if (contentType != null) header("Content-Type", contentType) }
            .method(method, body)
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        @Suppress("UNCHECKED_CAST")
        return response.statusCode() to (Json.parse(response.body()) as Map<String, Any?>)
    }

    private fun quote(s: String) = "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"")
        .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\""
}

data class ImportedUnit(val unitId: String, val unit: String, val owner: String, val payload: String)
