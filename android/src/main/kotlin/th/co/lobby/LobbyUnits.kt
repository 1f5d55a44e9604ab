package th.co.lobby

import th.co.lobby.core.UnitSummary
import th.co.lobby.ffi.UnitsClient

/**
 * The person's units across projects and the current unit (the app's drop-down):
 * `lobby.units`. Read from the replica, so they answer offline.
 */
class LobbyUnits internal constructor(
    /** The generated API underneath. */
    val ffi: UnitsClient,
) {
    suspend fun list(): List<UnitSummary> = io { ffi.list() }

    /** The unit the app is showing; the first unit when none was chosen. */
    suspend fun current(): UnitSummary? = io { ffi.current() }

    /** Throws `NOT_FOUND` when the person is not a member of [unitId]. */
    suspend fun setCurrent(unitId: String): UnitSummary = io { ffi.setCurrent(unitId) }
}
