import Foundation

/// Meetings and e-voting (DESIGN.md §2.7): `lobby.meetings`. Meetings, their agenda and
/// the person's votes are read from the replica, so they answer offline; a vote is queued
/// like every change and shows as `VoteState.pending` until a sync brings the server's
/// answer (`.accepted` with its receipt, or listed in `AgendaItem.refused`). An item's
/// result arrives only once it has closed. Weights in a `Tally` are exact decimal
/// `String`s (read them with `Decimal(string:)`).
public final class LobbyMeetings: Sendable {
    /// The generated API underneath.
    public let ffi: MeetingsClient

    /// The Lobby's core subscriptions, through which `observe()` subscribes.
    let subscriptions: CoreSubscriptions

    init(_ ffi: MeetingsClient, subscriptions: CoreSubscriptions) {
        self.ffi = ffi
        self.subscriptions = subscriptions
    }

    /// The person's meetings: open and draft first, then closed.
    public func list() throws -> [Meeting] { try ffi.list() }

    /// One meeting with its agenda, the units the person votes for (own, or held by
    /// proxy), the person's votes on each item and each closed item's result.
    /// `ErrorCode.notFound` when the meeting is not on this phone.
    public func show(_ meetingId: String) throws -> MeetingDetail {
        try ffi.show(meetingId: meetingId)
    }

    /// Votes `choice` on the item for `unitId`, or for every unit the person votes for at
    /// its meeting when nil. Works offline: queued (pending) and sent with the next sync;
    /// a later vote replaces it until the item closes. Refused at once with
    /// `ErrorCode.votingClosed` (the phone knows the item closed), `.invalidInput` (an
    /// information item) or `.notEligible` (not the person's unit, or in arrears at a
    /// general meeting). Returns the queued votes, one per unit.
    @discardableResult
    public func vote(_ itemId: String, choice: Choice, unitId: String? = nil) throws -> [QueuedVote] {
        try ffi.vote(itemId: itemId, choice: choice, unitId: unitId)
    }

    /// Downloads the meeting's published ballot log and checks this phone's receipts and
    /// every published result against it. Differences are in the report (`missing`,
    /// `chainProblem`, `tallyMatches`), not thrown; `ErrorCode.offline` when the log
    /// cannot be downloaded.
    public func verifyReceipts(_ meetingId: String) async throws -> ReceiptsReport {
        try await ffi.verifyReceipts(meetingId: meetingId)
    }

    /// The person's meetings as a stream: the list at once, then again whenever a meeting
    /// or an agenda item changes (a meeting or an item opens or closes, a result is
    /// published) — what a meetings screen reads, and the cue for a meeting notification.
    /// Keeps the newest list only. Iterating holds a core subscription (`watch`),
    /// cancelled when it ends.
    public func observe() -> AsyncStream<[Meeting]> {
        let ffi = ffi
        return subscriptions.stream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            try ffi.watch(listener: MeetingsStreamListener(continuation))
        }
    }
}

private final class MeetingsStreamListener: MeetingsListener, @unchecked Sendable {
    private let continuation: AsyncStream<[Meeting]>.Continuation

    init(_ continuation: AsyncStream<[Meeting]>.Continuation) {
        self.continuation = continuation
    }

    func onMeetings(meetings: [Meeting]) {
        continuation.yield(meetings)
    }
}
