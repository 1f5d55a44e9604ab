package th.co.lobby

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import th.co.lobby.ffi.readQrImage
import th.co.lobby.ffi.renderQrPng

/** QR codes, with the core's renderer and reader, off the main thread. */
object LobbyQr {
    /** A PNG of [text] as a QR code. */
    suspend fun render(text: String): ByteArray = withContext(Dispatchers.Default) { renderQrPng(text) }

    /** The text of the first QR code in a PNG or JPEG; throws `QR_UNREADABLE` otherwise. */
    suspend fun read(image: ByteArray): String = withContext(Dispatchers.Default) { readQrImage(image) }
}
