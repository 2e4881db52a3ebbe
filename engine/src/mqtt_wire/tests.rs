use super::*;
use proptest::prelude::*;

const LIMIT: usize = 64 * 1024;

fn round_trip(packet: Packet, bytes: &[u8]) {
    assert_eq!(encode(&packet), bytes, "encoding {packet:?}");
    assert_eq!(
        packet.kind(),
        bytes[0] >> 4,
        "the type of {}",
        packet.name()
    );
    assert_eq!(decode(bytes, LIMIT), Ok(Some((packet, bytes.len()))));
}

#[test]
fn packets_match_the_bytes_the_standard_describes() {
    // CONNECT: "MQTT", level 4, clean session, keep alive 60, client id "a" (3.1).
    round_trip(
        Packet::Connect {
            client_id: "a".into(),
            clean_session: true,
            keep_alive_s: 60,
            username: None,
            password: None,
        },
        &[
            0x10, 0x0D, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 60, 0, 1, b'a',
        ],
    );
    round_trip(
        Packet::ConnAck {
            session_present: false,
            return_code: 0,
        },
        &[0x20, 2, 0, 0],
    );
    // PUBLISH at QoS 1 to "a/b", packet id 10, payload "hi" (3.3).
    round_trip(
        Packet::Publish {
            dup: false,
            qos: QoS::AtLeastOnce,
            retain: false,
            topic: "a/b".into(),
            packet_id: Some(10),
            payload: b"hi".to_vec(),
        },
        &[0x32, 9, 0, 3, b'a', b'/', b'b', 0, 10, b'h', b'i'],
    );
    round_trip(
        Packet::Publish {
            dup: true,
            qos: QoS::AtMostOnce,
            retain: true,
            topic: "t".into(),
            packet_id: None,
            payload: vec![],
        },
        &[0x39, 3, 0, 1, b't'],
    );
    round_trip(Packet::PubAck { packet_id: 10 }, &[0x40, 2, 0, 10]);
    // SUBSCRIBE has the reserved flags 0010 (3.8.1).
    round_trip(
        Packet::Subscribe {
            packet_id: 1,
            filters: vec![("a/#".into(), QoS::AtLeastOnce)],
        },
        &[0x82, 8, 0, 1, 0, 3, b'a', b'/', b'#', 1],
    );
    round_trip(
        Packet::SubAck {
            packet_id: 1,
            granted: vec![Some(QoS::AtLeastOnce), None],
        },
        &[0x90, 4, 0, 1, 1, 0x80],
    );
    round_trip(
        Packet::Unsubscribe {
            packet_id: 2,
            filters: vec!["x".into()],
        },
        &[0xA2, 5, 0, 2, 0, 1, b'x'],
    );
    round_trip(Packet::UnsubAck { packet_id: 2 }, &[0xB0, 2, 0, 2]);
    round_trip(Packet::PingReq, &[0xC0, 0]);
    round_trip(Packet::PingResp, &[0xD0, 0]);
    round_trip(Packet::Disconnect, &[0xE0, 0]);
}

#[test]
fn remaining_lengths_follow_the_table_in_section_2_2_3() {
    for (len, bytes) in [
        (0usize, vec![0x00]),
        (127, vec![0x7F]),
        (128, vec![0x80, 0x01]),
        (16_383, vec![0xFF, 0x7F]),
        (16_384, vec![0x80, 0x80, 0x01]),
        (2_097_151, vec![0xFF, 0xFF, 0x7F]),
        (2_097_152, vec![0x80, 0x80, 0x80, 0x01]),
        (268_435_455, vec![0xFF, 0xFF, 0xFF, 0x7F]),
    ] {
        let mut out = Vec::new();
        push_length(&mut out, len);
        assert_eq!(out, bytes, "length {len}");
    }
}

#[test]
fn a_connect_with_credentials_keeps_them() {
    let p = Packet::Connect {
        client_id: "learner-7".into(),
        clean_session: false,
        keep_alive_s: 30,
        username: Some("room-4".into()),
        password: Some(b"secret".to_vec()),
    };
    let bytes = encode(&p);
    assert_eq!(
        bytes[9], 0xC0,
        "username and password flags, no clean session"
    );
    assert_eq!(decode(&bytes, LIMIT), Ok(Some((p, bytes.len()))));
}

#[test]
fn bad_bytes_are_refused_with_the_reason() {
    assert_eq!(
        decode(&[0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], LIMIT),
        Err(WireError::Length)
    );
    // The size is refused from the header alone, before the body arrives.
    assert_eq!(
        decode(&[0x30, 0x80, 0x80, 0x04], LIMIT),
        Err(WireError::TooLarge {
            size: 65_540,
            limit: LIMIT
        })
    );
    assert_eq!(
        decode(&[0x80, 2, 0, 1], LIMIT),
        Err(WireError::Flags {
            packet: "SUBSCRIBE",
            expected: 2,
            found: 0
        })
    );
    assert_eq!(
        decode(&[0x36, 3, 0, 1, b't'], LIMIT),
        Err(WireError::QoS(3))
    );
    assert_eq!(
        decode(&[0x30, 4, 0, 2, 0xC3, 0x28], LIMIT),
        Err(WireError::Utf8)
    );
    assert_eq!(
        decode(&[0x40, 3, 0, 1, 9], LIMIT),
        Err(WireError::TrailingBytes("PUBACK"))
    );
    assert_eq!(
        decode(&[0x32, 3, 0, 1, b't'], LIMIT),
        Err(WireError::Truncated("PUBLISH"))
    );
    assert_eq!(decode(&[0xF0, 0], LIMIT), Err(WireError::UnknownType(15)));
    let v3 = [
        0x10, 0x0D, 0, 4, b'M', b'Q', b'T', b'T', 3, 0x02, 0, 60, 0, 1, b'a',
    ];
    assert_eq!(
        decode(&v3, LIMIT),
        Err(WireError::Protocol("MQTT".into(), 3))
    );
    assert!(WireError::QoS(2)
        .to_string()
        .contains("Event Dojo uses QoS 0 and 1"));
}

proptest! {
    /// Any publish survives the trip, every strict prefix asks for more bytes, and a
    /// second packet behind it is left for the next call.
    #[test]
    fn publishes_round_trip_and_partial_input_waits(
        topic in "[a-z/+#]{1,40}",
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        id in 1u16..,
        at_least_once in any::<bool>(),
    ) {
        let qos = if at_least_once { QoS::AtLeastOnce } else { QoS::AtMostOnce };
        let packet = Packet::Publish { dup: false, qos, retain: false, topic, packet_id: at_least_once.then_some(id), payload };
        let mut bytes = encode(&packet);
        for cut in 0..bytes.len() {
            prop_assert_eq!(decode(&bytes[..cut], LIMIT), Ok(None));
        }
        let size = bytes.len();
        bytes.extend(encode(&Packet::PingReq));
        prop_assert_eq!(decode(&bytes, LIMIT), Ok(Some((packet, size))));
        prop_assert_eq!(decode(&bytes[size..], LIMIT), Ok(Some((Packet::PingReq, 2))));
    }
}
