import Foundation

/// The app's handle on the Lobby core: one per device, created at start-up and kept for
/// the app's life (the core's background work stops when it is released).
///
/// Every method delegates to the generated `LobbyClient`; the wrapper adds only Swift
/// glue: named arguments with defaults, and the sync state as an `AsyncStream`. Network
/// calls are `async` and run on the core's own threads; local reads of the replica are
/// synchronous, answer offline, and are fast.
///
/// Failures throw `LobbyError.Failed(code:reason:)`; act on `code` (stable, see
/// `ErrorCode`) and map it to Thai and English text. At start-up call
/// `startBackgroundSync()`, or queued changes wait for the next `sync()`.
public final class Lobby: @unchecked Sendable {
    /// The generated API underneath, for anything this wrapper does not cover.
    public let ffi: LobbyClient

    /// Opens the device's data in `dataDirectory` (created if missing), with its secrets in
    /// `secrets` (e.g. `KeychainSecretStore`). `serverURL` nil keeps the remembered server.
    public init(dataDirectory: URL, serverURL: String?, secrets: SecretStore) throws {
        ffi = try LobbyClient(dataDir: dataDirectory.path, serverUrl: serverURL, secrets: secrets)
    }

    /// Shuts the core down: background sync stops, the core's threads end and the
    /// database is closed. Call it when the app is terminating; it blocks while in-flight
    /// work stops (at most 10 s), so not on the main actor. Later calls fail with
    /// `ErrorCode.closed`; calling it twice is harmless.
    public func shutdown() {
        ffi.shutdown()
    }

    // MARK: Onboarding by QR (DESIGN.md §2.1)

    public func scanOnboarding(_ payload: String) async throws -> OnboardingInfo {
        try await ffi.scanOnboarding(payload: payload)
    }

    public func scanOnboarding(image: Data) async throws -> OnboardingInfo {
        try await ffi.scanOnboardingImage(image: image)
    }

    public func startOnboarding(
        _ payload: String, phone: String, password: String, email: String? = nil, name: String? = nil
    ) async throws -> OtpChallengeInfo {
        try await ffi.startOnboarding(payload: payload, phone: phone, password: password, email: email, name: name)
    }

    public func verifyOnboarding(code: String) async throws -> SignedInInfo {
        try await ffi.verifyOnboarding(code: code)
    }

    /// Adds another unit's QR to the signed-in account.
    public func claimOnboarding(_ payload: String) async throws -> SignedInInfo {
        try await ffi.claimOnboarding(payload: payload)
    }

    // MARK: Signing in and out (DESIGN.md §2.2)

    public func loginOTP(to destination: String) async throws -> OtpChallengeInfo {
        try await ffi.loginOtp(to: destination)
    }

    public func verifyLogin(code: String) async throws -> SignedInInfo {
        try await ffi.verifyLogin(code: code)
    }

    public func loginPassword(_ destination: String, password: String) async throws -> SignedInInfo {
        try await ffi.loginPassword(to: destination, password: password)
    }

    /// Returns whether the server confirmed; the phone's tokens are gone either way.
    @discardableResult
    public func logout(everywhere: Bool = false) async throws -> Bool {
        try await ffi.logout(everywhere: everywhere)
    }

    public var isSignedIn: Bool { ffi.isSignedIn() }

    // MARK: Units and profile (from the replica: they answer offline)

    public func units() throws -> [UnitInfo] { try ffi.units() }

    public func currentUnit() throws -> UnitInfo? { try ffi.currentUnit() }

    @discardableResult
    public func setCurrentUnit(_ unitId: String) throws -> UnitInfo { try ffi.setCurrentUnit(unitId: unitId) }

    public func profile() throws -> ProfileInfo? { try ffi.profile() }

    public func updateProfile(displayName: String? = nil, email: String? = nil) throws {
        try ffi.updateProfile(displayName: displayName, email: email)
    }

    // MARK: Invitations and members (DESIGN.md §2.3)
    //
    // The owner's changes are queued (shown at once, confirmed or refused on sync); the
    // invitee finishes `acceptInvite` with `verifyLogin(code:)`.

    /// A code for `role` (`.resident` or `.tenant`) in `unitId` (the current unit when nil).
    public func createInvite(role: Role, unitId: String? = nil) throws -> InviteInfo {
        try ffi.createInvite(role: role, unitId: unitId)
    }

    public func invites(unitId: String? = nil) throws -> [InviteInfo] { try ffi.invites(unitId: unitId) }

    /// Revokes by the code (as shown or typed) or the invitation id.
    @discardableResult
    public func revokeInvite(_ codeOrId: String) throws -> InviteInfo { try ffi.revokeInvite(codeOrId: codeOrId) }

    public func members(unitId: String? = nil) throws -> [MemberInfo] { try ffi.members(unitId: unitId) }

    /// By person id or membership id; their phone loses the unit on its next sync.
    @discardableResult
    public func removeMember(_ personOrMembershipId: String, unitId: String? = nil) throws -> MemberInfo {
        try ffi.removeMember(personOrMembershipId: personOrMembershipId, unitId: unitId)
    }

    /// Checks the code with the server and sends an OTP to `phone`; then `verifyLogin(code:)`.
    public func acceptInvite(_ code: String, phone: String, name: String? = nil) async throws -> OtpChallengeInfo {
        try await ffi.acceptInvite(code: code, phone: phone, name: name)
    }

    /// As `acceptInvite`, with the code read from a photo (PNG or JPEG) of its QR.
    public func acceptInvite(image: Data, phone: String, name: String? = nil) async throws -> OtpChallengeInfo {
        try await ffi.acceptInviteImage(image: image, phone: phone, name: name)
    }

    // MARK: Sync (DESIGN.md §4)

    /// Pushes queued changes, then pulls. Offline is a state of the report, not an error.
    @discardableResult
    public func sync() async throws -> SyncReportInfo { try await ffi.sync() }

    public func startBackgroundSync() throws { try ffi.startBackgroundSync() }

    public var syncStatusNow: SyncStatusInfo { ffi.syncStatus() }

    /// The sync status: the current one at once, then every change. Keeps the newest
    /// status only, so a slow reader sees the latest. Ending the iteration cancels the
    /// core subscription.
    public var syncStatus: AsyncStream<SyncStatusInfo> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let handle = ffi.subscribeSyncState(listener: StreamingListener(continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }

    public func outbox() throws -> [OutboxEntryInfo] { try ffi.outbox() }

    // MARK: Device

    public func serverURL() throws -> String? { try ffi.serverUrl() }

    public func setServerURL(_ url: String) throws { try ffi.setServerUrl(url: url) }

    /// Erases this account's data from the phone (replica, outbox, settings, tokens).
    public func wipe() throws { try ffi.wipe() }
}

/// QR codes with the core's renderer and reader.
public enum LobbyQR {
    /// A PNG of `text` as a QR code.
    public static func render(_ text: String) throws -> Data { try renderQrPng(text: text) }

    /// The text of the first QR code in a PNG or JPEG; throws `qrUnreadable` otherwise.
    public static func read(_ image: Data) throws -> String { try readQrImage(image: image) }
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
    private let continuation: AsyncStream<SyncStatusInfo>.Continuation

    init(_ continuation: AsyncStream<SyncStatusInfo>.Continuation) {
        self.continuation = continuation
    }

    func onUpdate(status: SyncStatusInfo) {
        continuation.yield(status)
    }
}
