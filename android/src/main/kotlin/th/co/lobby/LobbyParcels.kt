package th.co.lobby

import th.co.lobby.core.Parcel
import th.co.lobby.core.ParcelFilter
import th.co.lobby.core.ParcelStatus
import th.co.lobby.ffi.ParcelsClient

/**
 * The person's parcels (DESIGN.md §2.4): `lobby.parcels`. Read from the replica, so the
 * list answers offline; filtered by status and by part of the recipient's name.
 */
class LobbyParcels internal constructor(
    /** The generated API underneath. */
    val ffi: ParcelsClient,
) {
    /** Newest first; both filters `null`: every parcel of every unit the person sees. */
    suspend fun list(status: ParcelStatus? = null, recipient: String? = null): List<Parcel> =
        io { ffi.list(ParcelFilter(status, recipient)) }
}
