package th.co.lobby

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import th.co.lobby.core.Parcel
import th.co.lobby.core.ParcelFilter
import th.co.lobby.core.ParcelStatus
import th.co.lobby.core.PickupPass
import th.co.lobby.ffi.ParcelsClient

/**
 * The person's parcels (DESIGN.md §2.4): `lobby.parcels`. Read from the replica, so the
 * list answers offline; filtered by status and by part of the recipient's name. Photos
 * are fetched on demand and cached ([photo]).
 */
class LobbyParcels internal constructor(
    /** The generated API underneath. */
    val ffi: ParcelsClient,
    private val tableChanges: (List<String>) -> Flow<Unit>,
) {
    /** Newest first; both filters `null`: every parcel of every unit the person sees. */
    suspend fun list(status: ParcelStatus? = null, recipient: String? = null): List<Parcel> =
        io { ffi.list(ParcelFilter(status, recipient)) }

    /**
     * [list] as a [Flow]: the list at once, then again after every change to the parcels
     * (a sync brought one, a handover came back) — what a parcels screen collects.
     */
    fun observe(status: ParcelStatus? = null, recipient: String? = null): Flow<List<Parcel>> =
        tableChanges(listOf("parcels")).map { list(status, recipient) }

    /**
     * Waiting parcels not announced yet, oldest first. Post a notification for each (with
     * the parcel id as its tag), then [markAnnounced]; until then they come again, after
     * a crash too, and once marked never again — not after a restart or a re-sync.
     */
    suspend fun newArrivals(): List<Parcel> = io { ffi.newArrivals() }

    suspend fun markAnnounced(parcelIds: List<String>) = io { ffi.markAnnounced(parcelIds) }

    /**
     * A pickup pass for the counter, made with no network from this sign-in's device key:
     * show [PickupPass.payload] as a QR (or [pickupQrPng]) and make a new one before
     * [PickupPass.validUntil] (about a minute; every 30 s while the screen is open). When
     * [PickupPass.keyRegistered] is false the phone has not synced since sign-in and the
     * counter would refuse it. [unitId] `null`: the current unit.
     */
    suspend fun pickupPass(unitId: String? = null): PickupPass = io { ffi.pickupPass(unitId) }

    /** The pass's QR as a PNG. */
    suspend fun pickupQrPng(pass: PickupPass): ByteArray = io { ffi.pickupQrPng(pass) }

    /**
     * The parcel's photo (JPEG bytes), when [Parcel.photo] is not null. Fetched once, then
     * served from the phone's encrypted cache, offline too (`Parcel.photo.cached`);
     * `ErrorCode.OFFLINE` when it must be downloaded and cannot be.
     */
    suspend fun photo(parcelId: String): ByteArray = ffi.photo(parcelId)
}
