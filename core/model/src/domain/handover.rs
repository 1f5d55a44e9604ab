//! Handing parcels over (DESIGN.md §2.4, issue 8): what makes a handover acceptable
//! besides the pickup pass itself.
//!
//! A resident without their phone signs for the parcels instead; staff keep a PNG of the
//! signature as proof. The picture is checked to be a PNG of sensible size here (the
//! server also decodes it fully); the name of who collected follows the one name rule.

use crate::error::{ErrorCode, LobbyError, Result};

/// How parcels left the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverMethod {
    /// The resident's pickup pass was scanned.
    Qr,
    /// The collector signed; a PNG of the signature is kept.
    Signature,
}

impl HandoverMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverMethod::Qr => "qr",
            HandoverMethod::Signature => "signature",
        }
    }
}

/// Most parcels one handover may carry (a household after a holiday, not a warehouse).
pub const MAX_PARCELS_PER_HANDOVER: usize = 50;
/// Largest signature picture (a pad's PNG is a few KiB; a phone photo of a paper
/// signature, scaled down, well under this).
pub const MAX_SIGNATURE_PNG_BYTES: usize = 512 * 1024;
/// Largest side of a signature picture, in pixels.
pub const MAX_SIGNATURE_SIDE: u32 = 4096;

const PNG_MAGIC: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Checks that `png` is a PNG (signature and header chunk) within the size limits;
/// `invalid_input` otherwise. Returns its width and height.
pub fn check_signature_png(png: &[u8]) -> Result<(u32, u32)> {
    let bad = |why: &str| LobbyError::new(ErrorCode::InvalidInput, format!("the signature {why}"));
    if png.len() > MAX_SIGNATURE_PNG_BYTES {
        return Err(bad(&format!(
            "picture is larger than {} KiB",
            MAX_SIGNATURE_PNG_BYTES / 1024
        )));
    }
    // Signature, then the IHDR chunk: length 13, type, width, height.
    if png.len() < 33 || &png[..8] != PNG_MAGIC || &png[8..16] != b"\0\0\0\x0dIHDR" {
        return Err(bad("must be a PNG picture"));
    }
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (w, h) = (be(16), be(20));
    if w == 0 || h == 0 || w > MAX_SIGNATURE_SIDE || h > MAX_SIGNATURE_SIDE {
        return Err(bad(&format!(
            "picture must be between 1 and {MAX_SIGNATURE_SIDE} pixels on each side"
        )));
    }
    Ok((w, h))
}

/// Checks the number of parcels in one handover.
pub fn check_parcel_count(n: usize) -> Result<()> {
    if n == 0 || n > MAX_PARCELS_PER_HANDOVER {
        return Err(LobbyError::invalid(format!(
            "a handover carries 1 to {MAX_PARCELS_PER_HANDOVER} parcels"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(w: u32, h: u32) -> Vec<u8> {
        let mut png = PNG_MAGIC.to_vec();
        png.extend_from_slice(b"\0\0\0\x0dIHDR");
        png.extend_from_slice(&w.to_be_bytes());
        png.extend_from_slice(&h.to_be_bytes());
        png.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0, 0]);
        png
    }

    #[test]
    fn a_png_header_of_sensible_size_passes() {
        assert_eq!(check_signature_png(&header(400, 150)).unwrap(), (400, 150));
    }

    #[test]
    fn what_is_not_a_sensible_png_is_refused() {
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0];
        jpeg.resize(64, 0);
        let mut huge = header(10, 10);
        huge.resize(MAX_SIGNATURE_PNG_BYTES + 1, 0);
        for bad in [
            vec![],
            jpeg,
            header(0, 10),
            header(10, 0),
            header(MAX_SIGNATURE_SIDE + 1, 10),
            header(10, 10)[..20].to_vec(),
            huge,
        ] {
            assert_eq!(
                check_signature_png(&bad).unwrap_err().code,
                ErrorCode::InvalidInput
            );
        }
    }

    #[test]
    fn a_handover_carries_one_to_fifty_parcels() {
        assert!(check_parcel_count(0).is_err());
        assert!(check_parcel_count(1).is_ok());
        assert!(check_parcel_count(MAX_PARCELS_PER_HANDOVER).is_ok());
        assert!(check_parcel_count(MAX_PARCELS_PER_HANDOVER + 1).is_err());
    }
}
