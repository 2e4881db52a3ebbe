//! The MQTT wire decoder: arbitrary bytes never panic; every packet it decodes encodes
//! and decodes back to itself; and the encoded packet split at every offset is "more
//! bytes needed" until the last byte arrives.
#![no_main]
use dojo_engine::mqtt_wire::{decode, encode};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Ok(Some((packet, used))) = decode(rest, LIMIT) {
        assert!(used > 0 && used <= rest.len());
        let bytes = encode(&packet);
        let again = decode(&bytes, LIMIT).expect("its own encoding decodes");
        assert_eq!(again, Some((packet.clone(), bytes.len())));
        for cut in 0..bytes.len() {
            assert_eq!(
                decode(&bytes[..cut], LIMIT).ok(),
                Some(None),
                "cut at {cut}"
            );
        }
        rest = &rest[used..];
    }
});
