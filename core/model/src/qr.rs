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

    /// The pickup pass is all QR alphanumeric characters, so it is encoded in that mode:
    /// version 8 (49×49 modules), where bytes would need version 10 — a smaller QR reads
    /// faster from a dim phone screen.
    #[test]
    fn a_pickup_pass_is_drawn_in_alphanumeric_mode_at_version_8() {
        let payload = format!("LOBBY:PICKUP:1:{}", "Z9".repeat(96));
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(code.version(), qrcode::Version::Normal(8));
        let img = image::load_from_memory(&render_png(&payload).unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (456, 456));
    }

    #[test]
    fn a_rendered_qr_is_a_png() {
        let png = render_png("ห้อง 12/345").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
