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

    /// `list` as a stream: the list at once, then again after every change to the
    /// parcels (a sync brought one, a handover came back) — what a parcels screen reads.
    public func observe(status: ParcelStatus? = nil, recipient: String? = nil, in lobby: Lobby) -> AsyncStream<[Parcel]> {
        let ffi = ffi
        return lobby.observe(["parcels"]) {
            try ffi.list(filter: ParcelFilter(status: status, recipient: recipient))
        }
    }

    /// Waiting parcels not announced yet, oldest first. Post a notification for each
    /// (identified by the parcel id), then `markAnnounced`; until then they come again,
    /// and once marked never again — not after a restart or a re-sync.
    public func newArrivals() throws -> [Parcel] { try ffi.newArrivals() }

    public func markAnnounced(_ parcelIds: [String]) throws { try ffi.markAnnounced(parcelIds: parcelIds) }

    /// A pickup pass for the counter, made with no network from this sign-in's device
    /// key: show `payload` as a QR (or `pickupQrPng`) and make a new one before
    /// `validUntil` (about a minute; every 30 s while the screen is open). When
    /// `keyRegistered` is false the phone has not synced since sign-in and the counter
    /// would refuse it. `unitId` nil: the current unit.
    public func pickupPass(unitId: String? = nil) throws -> PickupPass {
        try ffi.pickupPass(unitId: unitId)
    }

    /// The pass's QR as a PNG.
    public func pickupQrPng(_ pass: PickupPass) throws -> Data { try ffi.pickupQrPng(pass: pass) }

    /// The parcel's photo (JPEG bytes), when `Parcel.photo` is not nil. Fetched once, then
    /// served from the phone's encrypted cache, offline too (`photo.cached`);
    /// `ErrorCode.offline` when it must be downloaded and cannot be.
    public func photo(_ parcelId: String) async throws -> Data {
        try await ffi.photo(parcelId: parcelId)
    }
}
