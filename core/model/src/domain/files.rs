//! Files records carry (issue 8): what a parcel photo may be, and the digest both sides
//! name a file's bytes by.
//!
//! A photo is checked before it is stored, on the server (which decides) and, when the
//! phone uploads one later (payment slips, DESIGN.md §2.6), on the phone first (which
//! refuses early, offline). The check is cheap and bounded: the size first, then the
//! JPEG signature, then the frame header's dimensions read by the `image` crate — no
//! pixel is decoded, so a hostile file costs nothing to refuse.

use std::io::Cursor;

use image::ImageDecoder;
use sha2::{Digest, Sha256};

use crate::error::{ErrorCode, LobbyError, Result};

/// Largest parcel photo, in bytes: 2 MiB.
///
/// A phone camera's JPEG scaled to 1600 px on its longest side (what the core does to a
/// slip before upload, DESIGN.md §2.6) is 200–600 KB; a full-resolution 12 MP photo from
/// a staff tablet at ordinary quality is 2–4 MB and must be scaled down first, which is
/// the point: every resident's phone downloads it over mobile data and keeps it in its
/// encrypted database, where 30 waiting parcels must not cost more than ~60 MB. It is
/// also the server's JSON body limit, so no request the server takes is bigger.
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// Longest side of a photo, in pixels. The header's dimensions are what a phone will
/// allocate to show it (8192² RGBA is 256 MiB): a small file must not declare a huge
/// picture.
pub const MAX_PHOTO_SIDE: u32 = 8192;

/// The media type photos are stored and served with.
pub const JPEG: &str = "image/jpeg";

/// Every JPEG starts with SOI (`FF D8`) followed by a marker (`FF`).
const JPEG_MAGIC: [u8; 3] = [0xFF, 0xD8, 0xFF];

/// What the check learnt of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoInfo {
    pub width: u32,
    pub height: u32,
}

/// `too_large` when `len` exceeds `max` bytes (`what` names the file in the message).
pub fn check_size(len: usize, max: usize, what: &str) -> Result<()> {
    if len > max {
        return Err(LobbyError::new(
            ErrorCode::TooLarge,
            format!("{what} has at most {max} bytes"),
        ));
    }
    Ok(())
}

/// Checks that `bytes` are a JPEG photo within the limits: `too_large` over
/// [`MAX_PHOTO_BYTES`]; `invalid_input` when empty, not a JPEG, with an unreadable frame
/// header, or with a side of 0 or over [`MAX_PHOTO_SIDE`].
pub fn check_photo(bytes: &[u8]) -> Result<PhotoInfo> {
    check_size(bytes.len(), MAX_PHOTO_BYTES, "a photo")?;
    if !bytes.starts_with(&JPEG_MAGIC) {
        return Err(LobbyError::invalid("a photo must be a JPEG image"));
    }
    let decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes))
        .map_err(|_| LobbyError::invalid("the photo is not a readable JPEG image"))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 || width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE {
        return Err(LobbyError::invalid(format!(
            "a photo is 1 to {MAX_PHOTO_SIDE} pixels on each side"
        )));
    }
    Ok(PhotoInfo { width, height })
}

/// Largest announcement attachment, in bytes: 5 MiB (a scanned notice of a few pages).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// The media types an attachment may have.
pub const PNG: &str = "image/png";
pub const PDF: &str = "application/pdf";

const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Checks an announcement's attachment (issue 10) and names its media type: `too_large`
/// over [`MAX_ATTACHMENT_BYTES`]; otherwise a JPEG or PNG whose header declares 1 to
/// [`MAX_PHOTO_SIDE`] pixels a side (no pixel decoded), or a PDF (`%PDF-` first, `%%EOF`
/// in its last kilobyte: a whole file, not a cut one); anything else is `invalid_input`.
pub fn check_attachment(bytes: &[u8]) -> Result<&'static str> {
    check_size(bytes.len(), MAX_ATTACHMENT_BYTES, "an attachment")?;
    let sides = |(w, h): (u32, u32)| {
        if w == 0 || h == 0 || w > MAX_PHOTO_SIDE || h > MAX_PHOTO_SIDE {
            Err(LobbyError::invalid(format!(
                "an image is 1 to {MAX_PHOTO_SIDE} pixels on each side"
            )))
        } else {
            Ok(())
        }
    };
    if bytes.starts_with(&JPEG_MAGIC) {
        let d = image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes))
            .map_err(|_| LobbyError::invalid("the attachment is not a readable JPEG image"))?;
        sides(d.dimensions())?;
        return Ok(JPEG);
    }
    if bytes.starts_with(&PNG_MAGIC) {
        let d = image::codecs::png::PngDecoder::new(Cursor::new(bytes))
            .map_err(|_| LobbyError::invalid("the attachment is not a readable PNG image"))?;
        sides(d.dimensions())?;
        return Ok(PNG);
    }
    if bytes.starts_with(b"%PDF-") {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if tail.windows(5).any(|w| w == b"%%EOF") {
            return Ok(PDF);
        }
        return Err(LobbyError::invalid(
            "the PDF is cut short (no end-of-file marker)",
        ));
    }
    Err(LobbyError::invalid(
        "an attachment is a JPEG or PNG image or a PDF document",
    ))
}

/// The digest files are named by: SHA-256 of the bytes, lowercase hex (`FileRef::sha256`,
/// the download's `ETag`).
pub fn content_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 120, 40]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_small_jpeg_passes_with_its_dimensions() {
        assert_eq!(
            check_photo(&jpeg(64, 48)).unwrap(),
            PhotoInfo {
                width: 64,
                height: 48
            }
        );
    }

    #[test]
    fn what_is_not_a_jpeg_is_invalid_input() {
        let png = {
            let img = image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 0]));
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        let mut header_only = JPEG_MAGIC.to_vec();
        header_only.extend_from_slice(b"\xE0garbage");
        for bad in [Vec::new(), b"hello".to_vec(), png, header_only] {
            assert_eq!(
                check_photo(&bad).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_size_limit_is_inclusive_and_comes_before_any_parsing() {
        let mut at_limit = jpeg(8, 8);
        at_limit.resize(MAX_PHOTO_BYTES, 0);
        assert!(check_photo(&at_limit).is_ok(), "trailing bytes are allowed");
        let over = vec![0u8; MAX_PHOTO_BYTES + 1];
        assert_eq!(check_photo(&over).unwrap_err().code, ErrorCode::TooLarge);
        assert_eq!(ErrorCode::TooLarge.http_status(), 413);
    }

    #[test]
    fn a_header_declaring_a_huge_picture_is_refused() {
        let mut bytes = jpeg(16, 16);
        // Rewrite the SOF0 frame's height and width (after FF C0, length, precision).
        let sof = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame");
        bytes[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(
            check_photo(&bytes).unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn an_attachment_is_a_jpeg_a_png_or_a_whole_pdf_within_the_limit() {
        assert_eq!(check_attachment(&jpeg(32, 32)).unwrap(), JPEG);
        let png = {
            let img = image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 0]));
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        assert_eq!(check_attachment(&png).unwrap(), PNG);
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        assert_eq!(check_attachment(&pdf).unwrap(), PDF);
        let cut = pdf[..20].to_vec();
        let mut huge_png = png.clone();
        // IHDR width and height (bytes 16..24) rewritten to 100,000 × 100,000.
        huge_png[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
        for bad in [
            Vec::new(),
            b"MZ\x90\x00 an executable".to_vec(),
            b"<html>".to_vec(),
            cut,
            huge_png,
        ] {
            assert_eq!(
                check_attachment(&bad).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{:?}",
                &bad[..bad.len().min(12)]
            );
        }
        let mut over = pdf.clone();
        over.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
        assert_eq!(
            check_attachment(&over).unwrap_err().code,
            ErrorCode::TooLarge
        );
    }

    #[test]
    fn the_digest_is_lowercase_hex_sha256() {
        assert_eq!(
            content_digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
