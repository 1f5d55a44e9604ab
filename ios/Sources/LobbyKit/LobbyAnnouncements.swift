import Foundation

/// Announcements (DESIGN.md §2.5): `lobby.announcements`. A unit's announcements and the
/// unread counts are read from the replica, so they answer offline. The reading state is
/// the phone's own: leaving a unit's list (`listLeft`) clears its general announcements,
/// an `.acknowledge` one clears only when opened (`open`), which also tells staff through
/// the outbox. Attachments (an image or a PDF) are fetched on demand and cached
/// (`attachment`). `unitId` nil everywhere: the current unit.
public final class LobbyAnnouncements: Sendable {
    /// The generated API underneath.
    public let ffi: AnnouncementsClient

    /// The Lobby's core subscriptions, through which `unreadCounts()` subscribes.
    let subscriptions: CoreSubscriptions

    init(_ ffi: AnnouncementsClient, subscriptions: CoreSubscriptions) {
        self.ffi = ffi
        self.subscriptions = subscriptions
    }

    /// The unit's announcements, newest first, each with whether it still counts as unread.
    public func list(unitId: String? = nil) throws -> [Announcement] {
        try ffi.list(unitId: unitId)
    }

    /// `list` as a stream: the list at once, then again after every change to the
    /// announcements or their reading state (a sync brought one, one was opened, the list
    /// was left) — what an announcements screen reads.
    public func observe(unitId: String? = nil, in lobby: Lobby) -> AsyncStream<[Announcement]> {
        let ffi = ffi
        return lobby.observe(["announcements", "announcement_opened", "announcement_lists_left"]) {
            try ffi.list(unitId: unitId)
        }
    }

    /// The person left the unit's list: every general announcement there is read;
    /// acknowledge ones stay unread until each is opened.
    public func listLeft(unitId: String? = nil) throws {
        try ffi.listLeft(unitId: unitId)
    }

    /// Opens one announcement in the unit: read (an acknowledge one acknowledged) on the
    /// phone at once, offline too; staff learn of it with the next sync.
    /// `ErrorCode.notFound` for one the unit does not have.
    @discardableResult
    public func `open`(_ announcementId: String, unitId: String? = nil) throws -> Announcement {
        try ffi.`open`(announcementId: announcementId, unitId: unitId)
    }

    /// The announcement's attachment (image or PDF bytes, see `Announcement.attachment`):
    /// fetched once, then served from the phone's cache, offline too.
    /// `ErrorCode.notFound` without one, `.offline` when it must be downloaded and cannot be.
    public func attachment(_ announcementId: String, unitId: String? = nil) async throws -> Data {
        try await ffi.attachment(announcementId: announcementId, unitId: unitId)
    }

    /// The unread count of every unit of the person (the badges).
    public func unreadCountsNow() throws -> [UnitUnread] { try ffi.unreadCounts() }

    /// The unread count of every unit of the person as a stream: at once, then again
    /// after every change to the announcements, what was opened or left, or the person's
    /// units — what a badge reads. Keeps the newest counts only. Iterating holds a core
    /// subscription (`watchUnread`), cancelled when it ends.
    public func unreadCounts() -> AsyncStream<[UnitUnread]> {
        let ffi = ffi
        return subscriptions.stream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            try ffi.watchUnread(listener: UnreadStreamListener(continuation))
        }
    }
}

private final class UnreadStreamListener: UnreadListener, @unchecked Sendable {
    private let continuation: AsyncStream<[UnitUnread]>.Continuation

    init(_ continuation: AsyncStream<[UnitUnread]>.Continuation) {
        self.continuation = continuation
    }

    func onUnread(counts: [UnitUnread]) {
        continuation.yield(counts)
    }
}
