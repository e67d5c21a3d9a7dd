//! The DER decoder of binary key files on any bytes.
#![no_main]

use leakproof::der;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = der::armor_key(data);
    let _ = der::is_private_key(data);
    let _ = der::declared_size(data);
});
