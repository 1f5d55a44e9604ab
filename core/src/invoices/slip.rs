//! Shrinking a payment slip on the phone before it is sent (DESIGN.md §2.6): a photo of
//! a transfer slip or a banking app's screenshot becomes a JPEG at most 1600 px on its
//! longest side — a few hundred KB over mobile data instead of several MB — turned the
//! way the camera meant it (EXIF orientation applied) and re-encoded from pixels, so no
//! EXIF, GPS position or other metadata of the original leaves the phone.
//!
//! Decoding is bounded: the input's size first ([`MAX_INPUT_BYTES`]), then the declared
//! dimensions and the decoder's allocation ([`image::Limits`]), so a decompression bomb
//! (a small file declaring a huge picture) is refused before memory is spent on it.
//!
//! Speed (goal ≤ 300 ms for a 12 MP photo on a modest phone): decoding is `image`'s
//! (zune-jpeg); the resize is `fast_image_resize` (SIMD, bilinear) and the encoding
//! `jpeg-encoder` (SIMD, 4:2:0), each several times faster than `image`'s own; the
//! orientation is applied to the small picture, not the large one (docs/benchmarks.md).

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

use crate::domain::files::check_photo;
use crate::error::{ErrorCode, LobbyError, Result};

/// The longest side of a sent slip, in pixels.
pub const SLIP_MAX_SIDE: u32 = 1600;
/// Largest photo taken as input (a 12 MP camera JPEG is 3–8 MB; a PNG screenshot less).
pub const MAX_INPUT_BYTES: usize = 25 * 1024 * 1024;
/// Largest picture decoded, in pixels a side (a 12 MP photo is 4032 × 3024).
pub const MAX_INPUT_SIDE: u32 = 10_000;
/// JPEG quality of the sent slip: text on a slip stays sharp.
const QUALITY: u8 = 85;

fn invalid(why: &str) -> LobbyError {
    LobbyError::invalid(why.to_string())
}

/// The slip as it is sent: a JPEG of at most [`SLIP_MAX_SIDE`] px a side, without
/// metadata. `too_large` over [`MAX_INPUT_BYTES`]; `invalid_input` for anything that is
/// not a readable JPEG or PNG within [`MAX_INPUT_SIDE`].
pub fn shrink_slip(bytes: &[u8]) -> Result<Vec<u8>> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(LobbyError::new(
            ErrorCode::TooLarge,
            format!("a slip photo has at most {MAX_INPUT_BYTES} bytes"),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| invalid("the slip is not a readable image"))?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg) | Some(image::ImageFormat::Png) => {}
        _ => return Err(invalid("a slip is a photo (JPEG) or a screenshot (PNG)")),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| invalid("the slip is not a readable image, or its picture is too large"))?;
    let orientation = decoder.orientation().ok();
    let img = DynamicImage::from_decoder(decoder)
        .map_err(|_| invalid("the slip is not a readable image, or its picture is too large"))?;
    if img.width() == 0 || img.height() == 0 {
        return Err(invalid("the slip has no picture"));
    }
    let mut img = DynamicImage::ImageRgb8(fit(img.into_rgb8())?);
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let rgb = img.into_rgb8();
    let (Ok(w), Ok(h)) = (u16::try_from(rgb.width()), u16::try_from(rgb.height())) else {
        return Err(LobbyError::internal("the slip is larger than it was made"));
    };
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, QUALITY)
        .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| LobbyError::internal(format!("the slip could not be encoded: {e}")))?;
    // The server checks the same rule; a slip it would refuse is refused here, offline.
    check_photo(&jpeg)?;
    Ok(jpeg)
}

/// The picture within [`SLIP_MAX_SIDE`] a side, its shape kept (as it is if it fits).
fn fit(rgb: RgbImage) -> Result<RgbImage> {
    let (w, h) = rgb.dimensions();
    if w.max(h) <= SLIP_MAX_SIDE {
        return Ok(rgb);
    }
    let scaled = |short: u32, long: u32| {
        ((u64::from(short) * u64::from(SLIP_MAX_SIDE) + u64::from(long) / 2) / u64::from(long))
            .max(1) as u32
    };
    let (nw, nh) = if w >= h {
        (SLIP_MAX_SIDE, scaled(h, w))
    } else {
        (scaled(w, h), SLIP_MAX_SIDE)
    };
    let resize_failed = |e: &dyn std::fmt::Display| {
        LobbyError::internal(format!("the slip could not be resized: {e}"))
    };
    let src = fr::images::Image::from_vec_u8(w, h, rgb.into_raw(), fr::PixelType::U8x3)
        .map_err(|e| resize_failed(&e))?;
    let mut dst = fr::images::Image::new(nw, nh, fr::PixelType::U8x3);
    fr::Resizer::new()
        .resize(
            &src,
            &mut dst,
            &fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear)),
        )
        .map_err(|e| resize_failed(&e))?;
    RgbImage::from_raw(nw, nh, dst.into_vec())
        .ok_or_else(|| LobbyError::internal("the resized slip has the wrong size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_large_photo_becomes_a_1600_px_jpeg_keeping_its_shape() {
        let photo = DynamicImage::ImageRgb8(image::RgbImage::from_fn(4000, 3000, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
        }));
        let slip = shrink_slip(&encode(&photo, image::ImageFormat::Jpeg)).unwrap();
        let info = check_photo(&slip).unwrap();
        assert_eq!((info.width, info.height), (1600, 1200));
    }

    #[test]
    fn a_small_screenshot_keeps_its_size_and_becomes_a_jpeg() {
        let shot = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            720,
            1280,
            image::Rgb([255, 255, 255]),
        ));
        let slip = shrink_slip(&encode(&shot, image::ImageFormat::Png)).unwrap();
        assert!(slip.starts_with(&[0xFF, 0xD8, 0xFF]));
        let info = check_photo(&slip).unwrap();
        assert_eq!((info.width, info.height), (720, 1280));
    }

    #[test]
    fn a_photo_is_turned_the_way_the_camera_meant_it() {
        // 2400 × 1200 as stored; EXIF orientation 6: shown turned a quarter clockwise.
        let photo = DynamicImage::ImageRgb8(image::RgbImage::from_fn(2400, 1200, |x, _| {
            image::Rgb(if x < 1200 { [250, 250, 250] } else { [5, 5, 5] })
        }));
        let mut jpeg = encode(&photo, image::ImageFormat::Jpeg);
        let exif: &[u8] = b"\xFF\xE1\x00\x22Exif\x00\x00MM\x00\x2A\x00\x00\x00\x08\
            \x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00";
        jpeg.splice(2..2, exif.iter().copied());
        let slip = shrink_slip(&jpeg).unwrap();
        let img = image::load_from_memory(&slip).unwrap().into_rgb8();
        assert_eq!(img.dimensions(), (800, 1600));
        // The stored left half (light) is now on top.
        assert!(img.get_pixel(400, 100).0[0] > 200);
        assert!(img.get_pixel(400, 1500).0[0] < 50);
    }

    #[test]
    fn metadata_does_not_survive() {
        // A JPEG with an EXIF segment carrying a GPS-looking marker.
        let photo =
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3])));
        let mut jpeg = encode(&photo, image::ImageFormat::Jpeg);
        let exif: &[u8] = b"\xFF\xE1\x00\x1AExif\x00\x00GPSLatitude13.7563N\x00";
        jpeg.splice(2..2, exif.iter().copied());
        let slip = shrink_slip(&jpeg).unwrap();
        assert!(!slip.windows(4).any(|w| w == b"Exif"));
        assert!(!slip.windows(11).any(|w| w == b"GPSLatitude"));
    }

    #[test]
    fn not_an_image_too_big_or_a_bomb_is_refused() {
        assert_eq!(
            shrink_slip(b"%PDF-1.4").unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(shrink_slip(&[]).unwrap_err().code, ErrorCode::InvalidInput);
        let huge = vec![0u8; MAX_INPUT_BYTES + 1];
        assert_eq!(shrink_slip(&huge).unwrap_err().code, ErrorCode::TooLarge);
        // A tiny PNG declaring 60,000 × 60,000 pixels: refused without decoding it.
        let small =
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(8, 8, image::Rgb([0, 0, 0])));
        let mut bomb = encode(&small, image::ImageFormat::Png);
        bomb[16..24].copy_from_slice(&[0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60]);
        assert_eq!(
            shrink_slip(&bomb).unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }
}
