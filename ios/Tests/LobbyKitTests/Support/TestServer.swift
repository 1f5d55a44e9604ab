import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// A real `lobby-server` in development mode, started as a subprocess on a free loopback
/// port with its own database, and the staff (admin) calls the tests need — the twin of
/// the Kotlin tests' `TestServer.kt`.
///
/// The binary comes from the environment variable `LOBBY_SERVER` (run-swift-tests.sh sets
/// it to target/debug/lobby-server). The server is started with `--parent-pid`, so a
/// test process that crashes leaves no server behind; `close()` (from `tearDown`) stops it
/// in the ordinary case.
final class TestServer: @unchecked Sendable {
    let url: String
    private let process: Process
    private let staffToken: String
    private let session: URLSession

    private init(process: Process, url: String, staffToken: String) {
        self.process = process
        self.url = url
        self.staffToken = staffToken
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 10
        session = URLSession(configuration: config)
    }

    static func start(in dir: URL) throws -> TestServer {
        guard let binary = ProcessInfo.processInfo.environment["LOBBY_SERVER"] else {
            throw TestFailure("set LOBBY_SERVER=<path to lobby-server>")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "serve", "--db", dir.appendingPathComponent("server.db").path,
            "--addr", "127.0.0.1:0", "--dev",
            "--parent-pid", String(ProcessInfo.processInfo.processIdentifier),
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        let log = dir.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try runUnblocked(process)
        // The first line announces the address (and the dev staff token).
        let reader = stdout.fileHandleForReading
        var first = Data()
        while true {
            let byte = reader.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            first.append(byte)
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        Thread.detachNewThread {
            while !reader.readData(ofLength: 4096).isEmpty {}
        }
        guard let line = try? JSONSerialization.jsonObject(with: first) as? [String: Any],
            let url = line["listening"] as? String, let token = line["staff_token"] as? String
        else {
            process.terminate()
            throw TestFailure("lobby-server exited before listening; see \(log.path)")
        }
        return TestServer(process: process, url: url, staffToken: token)
    }

    /// Starts `process` from a thread of its own with SIGTERM and SIGINT unblocked: a child
    /// inherits the signal mask of the thread that spawns it, and the threads that run
    /// async tests block SIGTERM — a server started there would ignore `close()`'s SIGTERM
    /// and be killed only after its grace period.
    private static func runUnblocked(_ process: Process) throws {
        let started = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Thread.detachNewThread {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            do { try process.run() } catch { outcome.error = error }
            started.signal()
        }
        started.wait()
        if let error = outcome.error { throw error }
    }

    /// Stops the server (the phone then sees it as offline). Harmless twice.
    func close() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        process.terminate()
        // Whether the server still runs is read from /proc: Foundation's `isRunning` can
        // lag behind an exit it has not reaped yet.
        let deadline = Date().addingTimeInterval(5)
        while Self.alive(pid) && Date() < deadline { usleep(10_000) }
        if Self.alive(pid) { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// The process runs (exists and is not a zombie waiting to be reaped).
    private static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
            #if os(Linux)
            return false
            #else
            return kill(pid, 0) == 0
            #endif
        }
        guard let close = stat.lastIndex(of: ")") else { return true }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    // MARK: Staff calls

    /// `POST /v1/admin/projects` → the project id.
    func createProject(_ name: String, kind: String = "condominium") throws -> String {
        try call("POST", "/v1/admin/projects", json: ["name": name, "kind": kind])["project_id"] as! String
    }

    /// `POST /v1/admin/projects/{id}/owners` with a registry CSV → the imported units.
    func importOwners(_ projectId: String, csv: String) throws -> [ImportedUnit] {
        let answer = try call(
            "POST", "/v1/admin/projects/\(projectId)/owners", body: Data(csv.utf8), contentType: "text/csv")
        return (answer["units"] as! [[String: Any]]).map {
            ImportedUnit(
                unitId: $0["unit_id"] as! String, unit: $0["unit"] as! String, owner: $0["owner"] as! String,
                payload: $0["onboarding_payload"] as! String)
        }
    }

    /// `POST /v1/admin/parcels` → the parcel id.
    @discardableResult
    func addParcel(_ unitId: String, recipient: String, carrier: String, tracking: String? = nil) throws -> String {
        var body: [String: Any] = ["unit_id": unitId, "recipient": recipient, "carrier": carrier]
        if let tracking { body["tracking"] = tracking }
        return try call("POST", "/v1/admin/parcels", json: body)["parcel_id"] as! String
    }

    /// `POST /v1/admin/pickup/verify` → the verified pass (`person_id`, `unit_id`, `parcels`).
    func verifyPickup(_ payload: String) throws -> [String: Any] {
        try call("POST", "/v1/admin/pickup/verify", json: ["payload": payload])
    }

    /// The error code `POST /v1/admin/pickup/verify` answers for a refused pass.
    func verifyPickupRefusal(_ payload: String) throws -> String {
        let (status, body) = try send(
            "POST", "/v1/admin/pickup/verify", body: try jsonData(["payload": payload]),
            contentType: "application/json")
        guard status != 200 else { throw TestFailure("the pass was accepted") }
        return (body["error"] as! [String: Any])["code"] as! String
    }

    /// `POST /v1/admin/pickup/handover` against a pass → the parcel ids handed over.
    func handOver(_ payload: String, parcelIds: [String]) throws -> [String] {
        try call("POST", "/v1/admin/pickup/handover", json: ["payload": payload, "parcel_ids": parcelIds])[
            "handed_over"] as! [String]
    }

    /// `PUT /v1/admin/parcels/{id}/photo` with a JPEG → the photo's file id.
    @discardableResult
    func setParcelPhoto(_ parcelId: String, jpeg: Data) throws -> String {
        try call("PUT", "/v1/admin/parcels/\(parcelId)/photo", body: jpeg, contentType: "image/jpeg")["file_id"]
            as! String
    }

    /// `POST /v1/admin/meetings` → the meeting id (a draft). `kind`: annual, extraordinary or committee.
    func createMeeting(_ projectId: String, title: String, kind: String = "annual") throws -> String {
        try call("POST", "/v1/admin/meetings", json: ["project_id": projectId, "title": title, "kind": kind])[
            "meeting_id"] as! String
    }

    /// `POST /v1/admin/meetings/{id}/items` → the agenda item's id (items are added in order).
    func addAgendaItem(_ meetingId: String, title: String, resolution: String) throws -> String {
        try call("POST", "/v1/admin/meetings/\(meetingId)/items", json: ["title": title, "resolution": resolution])[
            "item_id"] as! String
    }

    /// `POST /v1/admin/meetings/{id}/proxies`: `holder` (a phone number with an account) votes for `unitId`.
    func addProxy(_ meetingId: String, unitId: String, holder: String) throws {
        _ = try call("POST", "/v1/admin/meetings/\(meetingId)/proxies", json: ["unit_id": unitId, "holder": holder])
    }

    /// `POST /v1/admin/meetings/{id}/open`: the eligibility snapshot is frozen.
    func openMeeting(_ meetingId: String) throws {
        _ = try call("POST", "/v1/admin/meetings/\(meetingId)/open")
    }

    /// `POST /v1/admin/items/{id}/open`: voting on the item starts.
    func openItem(_ itemId: String) throws {
        _ = try call("POST", "/v1/admin/items/\(itemId)/open")
    }

    /// `POST /v1/admin/items/{id}/close` → the published result (`tally`, `passed`, `chain_head`).
    @discardableResult
    func closeItem(_ itemId: String) throws -> [String: Any] {
        try call("POST", "/v1/admin/items/\(itemId)/close")
    }

    /// `POST /v1/admin/announcements` → the announcement id. `kind`: general or
    /// acknowledge; `unitIds` empty: the whole project.
    func postAnnouncement(
        _ projectId: String, title: String, kind: String = "general", unitIds: [String] = [],
        body: String = "เรียนท่านเจ้าของร่วม\nรายละเอียดตามประกาศ"
    ) throws -> String {
        try call(
            "POST", "/v1/admin/announcements",
            json: ["project_id": projectId, "title": title, "body": body, "kind": kind, "unit_ids": unitIds])[
                "announcement_id"] as! String
    }

    /// `PUT /v1/admin/announcements/{id}/attachment` with an image or a PDF → `content_type`, `size`.
    @discardableResult
    func setAnnouncementAttachment(_ announcementId: String, bytes: Data) throws -> [String: Any] {
        try call(
            "PUT", "/v1/admin/announcements/\(announcementId)/attachment", body: bytes,
            contentType: "application/octet-stream")
    }

    /// `GET /v1/admin/announcements/{id}/readers` → `readers` and `units_not_read`.
    func announcementReaders(_ announcementId: String) throws -> [String: Any] {
        try call("GET", "/v1/admin/announcements/\(announcementId)/readers")
    }

    /// `POST /v1/admin/invoices` → `invoice_id` and `total_satang`. `lines`: description
    /// and amount in satang; `totalSatang`, when given, must equal their sum.
    func addInvoice(
        _ unitId: String, period: String, due: String, lines: [(String, Int64)], totalSatang: Int64? = nil
    ) throws -> [String: Any] {
        var body: [String: Any] = [
            "unit_id": unitId, "period": period, "due": due,
            "lines": lines.map { ["description": $0.0, "amount_satang": $0.1] },
        ]
        if let totalSatang { body["total_satang"] = totalSatang }
        return try call("POST", "/v1/admin/invoices", json: body)
    }

    /// `POST /v1/admin/invoices/{id}/confirm`: staff saw the amount arrive; the invoice is paid.
    func confirmInvoice(_ invoiceId: String, amountSatang: Int64) throws {
        _ = try call("POST", "/v1/admin/invoices/\(invoiceId)/confirm", json: ["amount_satang": amountSatang])
    }

    /// `POST /v1/admin/invoices/{id}/reject`: the slip is refused, with a reason for the resident.
    func rejectInvoice(_ invoiceId: String, reason: String) throws {
        _ = try call("POST", "/v1/admin/invoices/\(invoiceId)/reject", json: ["reason": reason])
    }

    /// `POST /v1/admin/policies`: brings a document's version into force.
    func publishPolicy(kind: String, version: String) throws {
        _ = try call("POST", "/v1/admin/policies", json: ["kind": kind, "version": version])
    }

    /// `GET /v1/admin/projects/{id}/privacy-requests` → the open requests, soonest deadline first.
    func privacyRequests(_ projectId: String) throws -> [[String: Any]] {
        try call("GET", "/v1/admin/projects/\(projectId)/privacy-requests")["requests"] as! [[String: Any]]
    }

    /// `POST /v1/admin/privacy-requests/{id}/decide`.
    func decidePrivacyRequest(_ requestId: String, approve: Bool, reason: String? = nil) throws {
        var body: [String: Any] = ["approve": approve]
        if let reason { body["reason"] = reason }
        _ = try call("POST", "/v1/admin/privacy-requests/\(requestId)/decide", json: body)
    }

    /// `GET /v1/admin/otp/peek?to=…`: the last code sent there (development servers only).
    func peekOtp(_ to: String) throws -> String {
        let query = to.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? to
        return try call("GET", "/v1/admin/otp/peek?to=\(query)")["code"] as! String
    }

    /// A six-digit code that is not the one sent `to` (for the wrong-code paths).
    func wrongOtp(_ to: String) throws -> String { try peekOtp(to) == "000000" ? "111111" : "000000" }

    // MARK: HTTP

    private func jsonData(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    private func call(_ method: String, _ path: String, json: [String: Any]) throws -> [String: Any] {
        try call(method, path, body: try jsonData(json), contentType: "application/json")
    }

    private func call(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) throws
        -> [String: Any]
    {
        let (status, answer) = try send(method, path, body: body, contentType: contentType)
        guard status == 200 else { throw TestFailure("\(method) \(path) answered \(status): \(answer)") }
        return answer
    }

    private func send(_ method: String, _ path: String, body: Data?, contentType: String?) throws
        -> (Int, [String: Any])
    {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(staffToken)", forHTTPHeaderField: "Authorization")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        let result = Answer()
        session.dataTask(with: request) { data, response, error in
            result.data = data
            result.response = response
            result.error = error
            done.signal()
        }.resume()
        done.wait()
        if let error = result.error { throw error }
        let status = (result.response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: result.data ?? Data())) as? [String: Any] ?? [:]
        return (status, object)
    }
}

/// How starting a process on another thread went.
private final class Outcome: @unchecked Sendable {
    var error: Error?
}

/// What a `URLSession` task answered (written by its callback, read after it signalled).
private final class Answer: @unchecked Sendable {
    var data: Data?
    var response: URLResponse?
    var error: Error?
}

struct ImportedUnit {
    let unitId: String
    let unit: String
    let owner: String
    let payload: String
}

/// A failure of the test setup itself (not of the code under test).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
