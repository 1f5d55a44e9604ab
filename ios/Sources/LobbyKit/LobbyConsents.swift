import Foundation

/// Consents under the PDPA (DESIGN.md §2.8): `lobby.consents`. The terms, the privacy
/// policy and marketing, each with the version in force and the person's latest answer.
/// Answers are queued like every change (shown at once, `Consent.pending` until a sync
/// records them); a withdrawal is recorded, not deleted. `toAsk()` is what the app must
/// ask now — a new version published asks again by itself.
public final class LobbyConsents: Sendable {
    /// The generated API underneath.
    public let ffi: ConsentsClient

    init(_ ffi: ConsentsClient) {
        self.ffi = ffi
    }

    /// Terms, privacy, marketing, in that order.
    public func list() throws -> [Consent] { try ffi.list() }

    /// The kinds to ask about now (empty: nothing to ask).
    public func toAsk() throws -> [ConsentKind] { try ffi.toAsk() }

    /// `toAsk` as a stream: at once, then after every change to the documents in force or
    /// the answers (a sync brought a new version, an answer was queued or recorded) — what
    /// the app reads to show its consent screen. Keeps the newest answer only.
    public func observeToAsk(in lobby: Lobby) -> AsyncStream<[ConsentKind]> {
        let ffi = ffi
        return lobby.observe(["policies", "consents", "consents_local"]) {
            try ffi.toAsk()
        }
    }

    /// Agrees to `kind` in `version` (nil: the version in force). Queued; offline too.
    /// `ErrorCode.notFound` when no version of `kind` is in force, `.conflict` for a
    /// version other than the one in force.
    public func give(_ kind: ConsentKind, version: String? = nil) throws {
        try ffi.give(kind: kind, version: version)
    }

    /// Withdraws or refuses `kind` (`version` nil: the one last answered, or the one in
    /// force): recorded, not deleted. Queued; offline too.
    public func withdraw(_ kind: ConsentKind, version: String? = nil) throws {
        try ffi.withdraw(kind: kind, version: version)
    }
}
