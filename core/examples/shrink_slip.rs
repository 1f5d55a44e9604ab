//! Shrinks a 4000 × 3000 camera JPEG (or the JPEG/PNG given as the first argument) the
//! way `invoices().pay` does, and prints the sizes — run under `/usr/bin/time -v` for the
//! peak memory of a slip (docs/benchmarks.md).
//!
//! `cargo run --release -p lobby-core --example shrink_slip [photo.jpg]`

use std::io::Cursor;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = match std::env::args().nth(1) {
        Some(path) => std::fs::read(path)?,
        None => {
            let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
                let v = ((x * 7 + y * 13) ^ (x * y)) as u8;
                image::Rgb([v, v.wrapping_mul(3), 200])
            });
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Jpeg)?;
            out.into_inner()
        }
    };
    let started = std::time::Instant::now();
    let slip = lobby_core::invoices::shrink_slip(&input)?;
    println!(
        "{} bytes in, {} bytes out, {:.1} ms",
        input.len(),
        slip.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
