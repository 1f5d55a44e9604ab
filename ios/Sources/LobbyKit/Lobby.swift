import Foundation

/// The app's handle on the Lobby core: one per device, created at start-up and kept for
/// the app's life (the core's background work stops when it is released).
///
/// As the core, it hands out one object per area — `auth` (onboarding, sign-in), `units`
/// (the unit drop-down), `profile`, `invites` (invitation codes, members), `parcels`,
/// `meetings` (agenda, votes, receipts), `announcements` (unread badges), `invoices`
/// (paying with a slip), `consents` and `privacy` (PDPA consents, requests, the export)
/// — and keeps what is not an area: sync and the device. Every method delegates to the
/// generated `LobbyClient` or its sub-clients; the wrapper adds only Swift glue: named
/// arguments with defaults, and the sync state as an `AsyncStream`. Network calls are
/// `async` and run on the core's own threads; local reads of the replica are
/// synchronous, answer offline, and are fast.
///
/// Failures throw `LobbyError.Failed(code:reason:)`; act on `code` (stable, see
/// `ErrorCode`) and map it to Thai and English text. At start-up call
/// `startBackgroundSync()`, or queued changes wait for the next `sync()`.
public final class Lobby: @unchecked Sendable {
    /// The generated API underneath, for anything this wrapper does not cover.
    public let ffi: LobbyClient

    /// Onboarding by QR and signing in and out (DESIGN.md §2.1–2.2).
    public let auth: LobbyAuth

    /// The person's units across projects and the current unit.
    public let units: LobbyUnits

    /// The person's own profile.
    public let profile: LobbyProfile

    /// Invitation codes and a unit's members (DESIGN.md §2.3).
    public let invites: LobbyInvites

    /// Parcels logged for the person's units (DESIGN.md §2.4).
    public let parcels: LobbyParcels

    /// Meetings, their agenda, votes and receipts (DESIGN.md §2.7).
    public let meetings: LobbyMeetings

    /// Announcements, their unread counts and attachments (DESIGN.md §2.5).
    public let announcements: LobbyAnnouncements

    /// Invoices and payment slips (DESIGN.md §2.6).
    public let invoices: LobbyInvoices

    /// Consents to the terms, privacy policy and marketing (DESIGN.md §2.8).
    public let consents: LobbyConsents

    /// Privacy requests: erasure, correction, objection (DESIGN.md §2.8).
    public let privacy: LobbyPrivacy

    /// The core subscriptions this Lobby's streams hold (see `CoreSubscriptions`).
    let subscriptions = CoreSubscriptions()

    /// Core subscriptions held by a stream and not ended yet: 0 once every consumer has
    /// stopped. For the tests.
    var liveSubscriptions: Int { subscriptions.live }

    /// Opens the device's data in `dataDirectory` (created if missing), with its secrets in
    /// `secrets` (e.g. `KeychainSecretStore`). `serverURL` nil keeps the remembered server.
    /// `deviceLabel` names this device in the person's list of signed-in devices (e.g.
    /// "iPhone 15 · iOS 18"); nil, or one the name rule refuses, is an unknown device.
    public init(
        dataDirectory: URL, serverURL: String?, secrets: SecretStore, deviceLabel: String? = nil
    ) throws {
        let ffi = try LobbyClient(
            dataDir: dataDirectory.path, serverUrl: serverURL, secrets: secrets,
            deviceLabel: deviceLabel)
        self.ffi = ffi
        auth = LobbyAuth(ffi.auth())
        units = LobbyUnits(ffi.units())
        profile = LobbyProfile(ffi.profile())
        invites = LobbyInvites(ffi.invites())
        parcels = LobbyParcels(ffi.parcels())
        meetings = LobbyMeetings(ffi.meetings(), subscriptions: subscriptions)
        announcements = LobbyAnnouncements(ffi.announcements(), subscriptions: subscriptions)
        invoices = LobbyInvoices(ffi.invoices())
        consents = LobbyConsents(ffi.consents())
        privacy = LobbyPrivacy(ffi.privacy())
    }

    /// Shuts the core down: background sync stops, the core's threads end and the
    /// database is closed. Call it when the app is terminating; it blocks while in-flight
    /// work stops (at most 10 s), so not on the main actor. Every stream ends (its
    /// `for await` loop finishes). Later calls (the sub-clients' too) fail with
    /// `ErrorCode.closed`; calling it twice is harmless.
    public func shutdown() {
        ffi.shutdown()
        subscriptions.finishAll()
    }

    /// Whether `shutdown()` has run.
    public var isShutDown: Bool { ffi.isShutDown() }

    // MARK: Sync (DESIGN.md §4)

    /// Pushes queued changes, then pulls. Offline is a state of the report, not an error.
    @discardableResult
    public func sync() async throws -> SyncReport { try await ffi.sync() }

    public func startBackgroundSync() throws { try ffi.startBackgroundSync() }

    public var syncStatusNow: SyncStatus { ffi.status() }

    /// The sync status: the current one at once, then every change. Keeps the newest
    /// status only, so a slow reader sees the latest. Ending the iteration cancels the
    /// core subscription.
    public var syncStatus: AsyncStream<SyncStatus> {
        let ffi = ffi
        return subscriptions.stream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            ffi.subscribeSyncState(listener: StreamingListener(continuation))
        }
    }

    /// New parcel arrivals, for notifications: at once the waiting parcels not announced
    /// yet (if any), then whenever a sync brings some. Post one notification per parcel
    /// (identified by its id), then `parcels.markAnnounced`; what is not marked comes
    /// again, so a parcel is announced exactly once even if the app dies meanwhile.
    /// Iterating holds a core subscription (`watchArrivals`), cancelled when it ends.
    public var parcelArrivals: AsyncStream<[Parcel]> {
        let parcels = parcels
        return subscriptions.stream { continuation in
            try parcels.ffi.watchArrivals(listener: ArrivalsListener(continuation))
        }
    }

    /// Re-runs `query` at once and after every committed change to one of `tables` (any
    /// table when empty), yielding its result: the building block of every list a screen
    /// shows (see `LobbyParcels.observe`). Keeps the newest result only.
    public func observe<T>(_ tables: [String], query: @escaping @Sendable () throws -> T) -> AsyncStream<T> {
        let changes = tableChanges(tables)
        return AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                for await _ in changes {
                    if let value = try? query() { continuation.yield(value) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func tableChanges(_ tables: [String]) -> AsyncStream<Void> {
        let ffi = ffi
        return subscriptions.stream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            try ffi.watchTables(tables: tables, listener: ChangeListener(continuation))
        }
    }

    public func outbox() throws -> [OutboxEntryInfo] { try ffi.outbox() }

    // MARK: Device

    public func serverURL() throws -> String? { try ffi.serverUrl() }

    public func setServerURL(_ url: String) throws { try ffi.setServerUrl(url: url) }

    /// Erases this account's data from the phone (replica, outbox, settings, tokens).
    public func wipe() throws { try ffi.wipe() }

    /// "Erase this phone": ends this phone's sign-in on the server when it can be reached
    /// (the device then no longer shows among the person's sessions), then `wipe()` —
    /// offline too. Whether the server was told.
    public func signOutAndWipe() async throws -> Bool { try await ffi.signOutAndWipe() }
}

/// QR codes with the core's renderer and reader.
public enum LobbyQR {
    /// A PNG of `text` as a QR code.
    public static func render(_ text: String) throws -> Data { try renderQrPng(text: text) }

    /// The text of the first QR code in a PNG or JPEG; throws `qrUnreadable` otherwise.
    public static func read(_ image: Data) throws -> String { try readQrImage(image: image) }
}

/// The core subscriptions (`TaskHandle`s) that one `Lobby`'s streams hold, so that none
/// outlives its consumer. Every stream of the wrapper subscribes through `stream`, which
/// cancels the handle when the stream terminates — the consumer's task is cancelled, or
/// the consumer stops iterating (leaves its `for await` loop) and lets the stream go, or
/// the Lobby shuts down (`finishAll`) — and keeps the handle here until the core reports
/// it finished (`TaskHandle.isFinished`), so `live` counts what still runs in the core.
final class CoreSubscriptions: @unchecked Sendable {
    private struct Entry {
        let handle: TaskHandle
        let finish: @Sendable () -> Void
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    /// Handles registered and not finished yet.
    var live: Int { liveHandles.count }

    /// Those handles (the ones the core reports finished are forgotten).
    var liveHandles: [TaskHandle] {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll { $0.handle.isFinished() }
        return entries.map(\.handle)
    }

    /// A stream fed by one core subscription: `subscribe` hands a listener over the
    /// continuation to the core and returns the core's handle. Ending the stream, however
    /// it ends, cancels the handle. A subscription the core refuses (it throws), or that
    /// has already ended (a shut-down core), gives a stream that ends at once.
    func stream<Element>(
        bufferingPolicy: AsyncStream<Element>.Continuation.BufferingPolicy = .unbounded,
        subscribe: (AsyncStream<Element>.Continuation) throws -> TaskHandle
    ) -> AsyncStream<Element> {
        AsyncStream(bufferingPolicy: bufferingPolicy) { continuation in
            guard let handle = try? subscribe(continuation), !handle.isFinished() else {
                continuation.finish()
                return
            }
            lock.lock()
            entries.append(Entry(handle: handle, finish: { continuation.finish() }))
            lock.unlock()
            continuation.onTermination = { _ in handle.cancel() }
        }
    }

    /// Ends every stream (their consumers' loops finish), which cancels their handles.
    func finishAll() {
        lock.lock()
        let all = entries
        lock.unlock()
        for entry in all { entry.finish() }
    }
}

extension LobbyError {
    /// The stable code of any Lobby failure, e.g. `.otpInvalid`.
    public var code: ErrorCode {
        switch self {
        case let .Failed(code, _): return code
        }
    }
}

private final class StreamingListener: SyncStateListener, @unchecked Sendable {
    private let continuation: AsyncStream<SyncStatus>.Continuation

    init(_ continuation: AsyncStream<SyncStatus>.Continuation) {
        self.continuation = continuation
    }

    func onUpdate(status: SyncStatus) {
        continuation.yield(status)
    }
}

private final class ArrivalsListener: ParcelArrivalsListener, @unchecked Sendable {
    private let continuation: AsyncStream<[Parcel]>.Continuation

    init(_ continuation: AsyncStream<[Parcel]>.Continuation) {
        self.continuation = continuation
    }

    func onArrivals(parcels: [Parcel]) {
        continuation.yield(parcels)
    }
}

private final class ChangeListener: TableChangeListener, @unchecked Sendable {
    private let continuation: AsyncStream<Void>.Continuation

    init(_ continuation: AsyncStream<Void>.Continuation) {
        self.continuation = continuation
    }

    func onChange() {
        continuation.yield(())
    }
}
