import Foundation

/// The person's parcels (DESIGN.md §2.4): `lobby.parcels`. Read from the replica, so the
/// list answers offline; filtered by status and by part of the recipient's name.
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
}
