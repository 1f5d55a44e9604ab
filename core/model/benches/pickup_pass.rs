//! The pickup pass on the phone (issue 8): the payload and its signature, and the payload
//! drawn as a PNG, with where the PNG's time goes (QR encoding, rasterising, PNG
//! encoding). Results and the machine: docs/benchmarks.md.
//!
//! `cargo bench -p lobby-model --features qr-render --bench pickup_pass`

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use image::{ImageFormat, Luma};
use lobby_model::domain::device_key::DeviceKey;
use lobby_model::domain::pickup_pass::{make_pass, read_pass, step_at, PassClaims};
use lobby_model::qr::render_png;
use qrcode::{EcLevel, QrCode};
use uuid::Uuid;

fn claims(key: &DeviceKey) -> PassClaims {
    let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    PassClaims {
        person_id: Uuid::now_v7(),
        unit_id: Uuid::now_v7(),
        key_id: key.key_id,
        step: step_at(now),
    }
}

fn bench(c: &mut Criterion) {
    let key = DeviceKey::generate();
    let signing = key.signing_key();
    let claims = claims(&key);
    let payload = make_pass(&signing, &claims).payload;

    c.bench_function("pass_payload_and_signature", |b| {
        b.iter(|| make_pass(black_box(&signing), black_box(&claims)))
    });
    c.bench_function("pass_payload_signature_and_png", |b| {
        b.iter(|| {
            let pass = make_pass(black_box(&signing), black_box(&claims));
            render_png(&pass.payload).map(|png| png.len())
        })
    });
    c.bench_function("pass_verify_signature", |b| {
        let public = signing.verifying_key();
        let now = DateTime::<Utc>::from_timestamp(1_800_000_010, 0).unwrap_or_default();
        b.iter(|| read_pass(black_box(&payload)).and_then(|p| p.check(&public, now)))
    });

    // Where the PNG's time goes.
    c.bench_function("png_part_qr_encode", |b| {
        b.iter(|| QrCode::with_error_correction_level(black_box(payload.as_bytes()), EcLevel::M))
    });
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .expect("the payload fits a QR code");
    c.bench_function("png_part_raster", |b| {
        b.iter(|| {
            code.render::<Luma<u8>>()
                .module_dimensions(8, 8)
                .quiet_zone(true)
                .build()
        })
    });
    let img = code
        .render::<Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    c.bench_function("png_part_png_encode", |b| {
        b.iter(|| {
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, ImageFormat::Png)
                .map(|_| out.into_inner().len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
