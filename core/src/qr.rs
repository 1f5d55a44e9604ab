//! QR codes: render a payload to PNG bytes, and read a payload back from a photo.
//!
//! Used by the server (onboarding QRs at registry import) and by the phone (scanning an
//! onboarding QR from a picture). One implementation, so what the office prints is what
//! the app reads.

pub use lobby_model::qr::render_png;

use crate::error::{ErrorCode, LobbyError, Result};

/// Largest picture accepted for decoding, in bytes (a phone photo is well under this).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;
/// Pictures are scaled down to this longest side before decoding: enough for any QR a
/// phone photographs, and it bounds the decoder's work.
const DECODE_MAX_SIDE: u32 = 1600;

/// Reads the text of the first QR code found in a PNG or JPEG picture.
pub fn read_png_or_jpeg(bytes: &[u8]) -> Result<String> {
    let unreadable = |why: String| LobbyError::new(ErrorCode::QrUnreadable, why);
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(unreadable("the picture is too large".into()));
    }
    let img = image::load_from_memory(bytes)
        .map_err(|e| unreadable(format!("not a PNG or JPEG picture: {e}")))?;
    let img = if img.width().max(img.height()) > DECODE_MAX_SIDE {
        img.thumbnail(DECODE_MAX_SIDE, DECODE_MAX_SIDE)
    } else {
        img
    };
    let luma = img.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(luma);
    for grid in prepared.detect_grids() {
        if let Ok((_meta, content)) = grid.decode() {
            return Ok(content);
        }
    }
    Err(unreadable("no QR code found in the picture".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Luma};

    #[test]
    fn rendered_qr_reads_back() {
        let text = "LOBBY:ONBOARD:1:ABCDEFGHJKMNPQRSTVWXYZ0123456789:1800000000:ABCDEFGH";
        let png = render_png(text).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(read_png_or_jpeg(&png).unwrap(), text);
    }

    #[test]
    fn thai_text_survives_the_round_trip() {
        let png = render_png("ห้อง 12/345").unwrap();
        assert_eq!(read_png_or_jpeg(&png).unwrap(), "ห้อง 12/345");
    }

    #[test]
    fn a_jpeg_photo_of_a_scaled_qr_on_a_grey_background_reads_back() {
        let text = "LOBBY:ONBOARD:1:ABCDEFGHJKMNPQRSTVWXYZ0123456789:1800000000:ABCDEFGH";
        let png = render_png(text).unwrap();
        let qr = image::load_from_memory(&png).unwrap().to_luma8();
        // Put it off-centre on a larger grey "photo", scale it, save as JPEG.
        let mut photo = image::GrayImage::from_pixel(qr.width() * 2, qr.height() * 2, Luma([200]));
        image::imageops::overlay(
            &mut photo,
            &qr,
            (qr.width() / 3) as i64,
            (qr.height() / 2) as i64,
        );
        let photo = image::imageops::resize(
            &photo,
            photo.width() * 3 / 4,
            photo.height() * 3 / 4,
            image::imageops::FilterType::Triangle,
        );
        let mut jpeg = std::io::Cursor::new(Vec::new());
        photo.write_to(&mut jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!(read_png_or_jpeg(jpeg.get_ref()).unwrap(), text);
    }

    #[test]
    fn pictures_without_a_code_are_unreadable() {
        let blank = image::GrayImage::from_pixel(64, 64, Luma([255]));
        let mut png = std::io::Cursor::new(Vec::new());
        blank.write_to(&mut png, ImageFormat::Png).unwrap();
        assert_eq!(
            read_png_or_jpeg(png.get_ref()).unwrap_err().code,
            ErrorCode::QrUnreadable
        );
        assert_eq!(
            read_png_or_jpeg(b"not a picture").unwrap_err().code,
            ErrorCode::QrUnreadable
        );
    }
}
