//! QR codes without a client: the same renderer the office prints with, and the same
//! reader the app scans photos with.

use crate::errors::LobbyError;

/// Renders `text` as a QR code PNG.
#[uniffi::export]
pub fn render_qr_png(text: String) -> Result<Vec<u8>, LobbyError> {
    Ok(lobby_core::qr::render_png(&text)?)
}

/// Reads the text of the first QR code in a PNG or JPEG picture; `QR_UNREADABLE` when
/// there is none.
#[uniffi::export]
pub fn read_qr_image(image: Vec<u8>) -> Result<String, LobbyError> {
    Ok(lobby_core::qr::read_png_or_jpeg(&image)?)
}
