#![no_main]
//! `tablemap_core::fuzz::glabels`: see there for what it reads; `make fuzz` runs it.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tablemap_core::fuzz::glabels(data));
