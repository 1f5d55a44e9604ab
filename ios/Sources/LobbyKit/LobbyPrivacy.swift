import Foundation

/// Privacy requests under the PDPA (DESIGN.md §2.8): `lobby.privacy`. Erasure, correction
/// (of what only the office may change: a name, a unit, a ratio) and objection, filed from
/// the phone like every change (queued, `PrivacyRequest.pending` until sent), each with
/// the 30-day `PrivacyRequest.deadline`, its status and the office's answer as they sync
/// back. An erasure is taken only from a sign-in of the last 10 minutes: otherwise it
/// comes back with `PrivacyRequest.refused` = `reauth_required` — sign in again and file
/// it again.
public final class LobbyPrivacy: Sendable {
    /// The generated API underneath.
    public let ffi: PrivacyClient

    init(_ ffi: PrivacyClient) {
        self.ffi = ffi
    }

    /// Files a request; a correction needs `detail` (what is wrong, what it should be),
    /// or it fails with `ErrorCode.invalidInput`. Queued; offline too.
    @discardableResult
    public func fileRequest(_ kind: RequestKind, detail: String? = nil) throws -> PrivacyRequest {
        try ffi.fileRequest(kind: kind, detail: detail)
    }

    /// Everything held about the person as one JSON document (docs/export.md): the server's
    /// part and what only this phone holds. Needs a sign-in of the last 10 minutes, or it
    /// throws `ErrorCode.reauthRequired`; the app asks the person to sign in again, then
    /// repeats.
    public func export() async throws -> String { try await ffi.export() }

    /// The person's requests, newest first.
    public func requests() throws -> [PrivacyRequest] { try ffi.requests() }

    /// `requests` as a stream: at once, then after every change to them or the queue.
    /// Keeps the newest list only.
    public func observeRequests(in lobby: Lobby) -> AsyncStream<[PrivacyRequest]> {
        let ffi = ffi
        return lobby.observe(["privacy_requests", "privacy_requests_local", "outbox"]) {
            try ffi.requests()
        }
    }
}
