//! Rendering a QR payload to a PNG: the one renderer of everything Lobby prints or shows
//! as a QR (onboarding QRs staff hand out; pickup passes the phone shows). Behind the
//! `qr-render` feature; reading a QR back from a photo is the phone's (`lobby-core::qr`).

use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};

use crate::error::{LobbyError, Result};

/// Renders `text` as a QR code PNG (error correction M, 8 px modules, quiet zone).
pub fn render_png(text: &str) -> Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| LobbyError::invalid(format!("cannot make a QR code: {e}")))?;
    let img = code
        .render::<Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| LobbyError::internal(format!("cannot encode PNG: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_qr_is_a_png() {
        let png = render_png("ห้อง 12/345").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
