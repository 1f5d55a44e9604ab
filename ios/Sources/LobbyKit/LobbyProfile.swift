import Foundation

/// The person's own profile: `lobby.profile`. Read from the replica with queued edits laid
/// over it; edits are queued (shown at once, confirmed or refused on sync).
public final class LobbyProfile: Sendable {
    /// The generated API underneath.
    public let ffi: ProfileClient

    init(_ ffi: ProfileClient) {
        self.ffi = ffi
    }

    /// nil before the first sync.
    public func get() throws -> Profile? { try ffi.get() }

    /// A nil field is left as it is.
    public func update(displayName: String? = nil, email: String? = nil) throws {
        try ffi.update(displayName: displayName, email: email)
    }
}
