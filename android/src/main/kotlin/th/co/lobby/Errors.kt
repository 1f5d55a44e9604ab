package th.co.lobby

import th.co.lobby.model.ErrorCode
import th.co.lobby.ffi.LobbyException

/** The stable code of any Lobby failure, e.g. `ErrorCode.OTP_INVALID`. */
val LobbyException.code: ErrorCode
    get() = when (this) {
        is LobbyException.Failed -> this.code
    }

/** The core's reason, for logs (never shown to people; map [code] to text instead). */
val LobbyException.reason: String
    get() = when (this) {
        is LobbyException.Failed -> this.reason
    }
