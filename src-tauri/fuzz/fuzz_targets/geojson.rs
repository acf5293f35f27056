#![no_main]
//! `tablemap_core::fuzz::geojson`: see there for what it reads; `make fuzz` runs it.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tablemap_core::fuzz::geojson(data));
