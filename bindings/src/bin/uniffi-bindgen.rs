//! The bindings generator, built from the same uniffi version as the library (a
//! mismatched generator cannot read the library's metadata). Run in library mode:
//! `cargo run -p lobby-ffi --features cli --bin uniffi-bindgen -- generate --library
//! target/debug/liblobby_ffi.so --language kotlin --out-dir <dir> --no-format`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
