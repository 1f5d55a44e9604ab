import Foundation

/// The person's parcels (DESIGN.md §2.4): `lobby.parcels`. Read from the replica, so the
/// list answers offline; filtered by status and by part of the recipient's name. Photos
/// are fetched on demand and cached (`photo`).
public final class LobbyParcels: Sendable {
    /// The generated API underneath.
    public let ffi: ParcelsClient

    init(_ ffi: ParcelsClient) {
        self.ffi = ffi
    }

    /// Newest first; both filters nil: every parcel of every unit the person sees.
    public func list(status: ParcelStatus? = nil, recipient: String? = nil) throws -> [Parcel] {
        try ffi.list(filter: ParcelFilter(status: status, recipient: recipient))
    }

    /// Waiting parcels not announced yet, oldest first. Post a notification for each
    /// (identified by the parcel id), then `markAnnounced`; until then they come again,
    /// and once marked never again — not after a restart or a re-sync.
    public func newArrivals() throws -> [Parcel] { try ffi.newArrivals() }

    public func markAnnounced(_ parcelIds: [String]) throws { try ffi.markAnnounced(parcelIds: parcelIds) }

    /// The parcel's photo (JPEG bytes), when `Parcel.photo` is not nil. Fetched once, then
    /// served from the phone's encrypted cache, offline too (`photo.cached`);
    /// `ErrorCode.offline` when it must be downloaded and cannot be.
    public func photo(_ parcelId: String) async throws -> Data {
        try await ffi.photo(parcelId: parcelId)
    }
}
