import Foundation

/// The person's own profile: `lobby.profile`. Read from the replica with queued edits laid
/// over it. The display name is queued (shown at once, confirmed or refused on sync); the
/// login e-mail changes only by a code sent to the new address (online).
public final class LobbyProfile: Sendable {
    /// The generated API underneath.
    public let ffi: ProfileClient

    init(_ ffi: ProfileClient) {
        self.ffi = ffi
    }

    /// nil before the first sync.
    public func get() throws -> Profile? { try ffi.get() }

    /// Queued; works offline.
    public func setDisplayName(_ displayName: String) throws {
        try ffi.setDisplayName(displayName: displayName)
    }

    /// Sends a code to the new address; then `confirmEmailChange(code:)`.
    public func requestEmailChange(_ email: String) async throws -> OtpChallenge {
        try await ffi.requestEmailChange(email: email)
    }

    /// The address becomes the login e-mail (the old one is told); the synced profile.
    public func confirmEmailChange(code: String) async throws -> Profile? {
        try await ffi.confirmEmailChange(code: code)
    }

    /// Sends a code to the new phone number (any common Thai form; needs a sign-in from
    /// the last 10 minutes); then `confirmPhoneChange(code:)`.
    public func requestPhoneChange(_ phone: String) async throws -> OtpChallenge {
        try await ffi.requestPhoneChange(phone: phone)
    }

    /// The number becomes the person's phone (the old one is told); the synced profile.
    public func confirmPhoneChange(code: String) async throws -> Profile? {
        try await ffi.confirmPhoneChange(code: code)
    }
}
