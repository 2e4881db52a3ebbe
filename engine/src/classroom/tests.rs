use super::*;
use crate::envelope::NewEvent;

fn alice() -> RoomSettings {
    RoomSettings {
        room: "monday".into(),
        team: "red".into(),
        learner: "alice".into(),
        ..RoomSettings::default()
    }
}

fn event(stream: &str, id: &str) -> EventEnvelope {
    let new = NewEvent::new(id, stream, "QuoteRequested", "dojo.console")
        .with_data(serde_json::json!({ "quoteId": "q1" }));
    EventEnvelope::recorded(new, stream, 1, 7)
}

fn outgoing(settings: &RoomSettings, e: &EventEnvelope) -> Outgoing {
    Outgoing {
        id: e.id.clone(),
        topic: settings.topic_for(e).expect("shared"),
        payload: e.to_cloudevent_json(),
        retain: false,
    }
}

/// Connects a session up to Ready, as a broker would answer.
pub(super) fn ready(settings: RoomSettings) -> Session {
    let mut session = Session::new(settings, "dojo-alice-t1".into());
    session.opened();
    let out = session
        .receive(Packet::ConnAck {
            session_present: false,
            return_code: 0,
        })
        .expect("connack");
    let Some(Output::Send(Packet::Subscribe { packet_id, filters })) = out.first().cloned() else {
        panic!("expected SUBSCRIBE, got {out:?}");
    };
    let out = session
        .receive(Packet::SubAck {
            packet_id,
            granted: filters.iter().map(|_| Some(QoS::AtLeastOnce)).collect(),
        })
        .expect("suback");
    assert_eq!(out, vec![Output::Flush]);
    session
}

#[test]
fn settings_name_each_problem_by_field() {
    assert!(alice().problems().is_empty());
    let bad = RoomSettings {
        broker: "http://example.org".into(),
        room: "mon day".into(),
        team: String::new(),
        learner: "a".repeat(33),
        share: vec!["quotes".into()],
        ..RoomSettings::default()
    };
    let fields: Vec<_> = bad.problems().iter().map(|p| p.field).collect();
    assert_eq!(fields, ["broker", "room", "learner", "team", "share"]);
    assert!(bad.problems()[1].message.contains("' '"));
    // An instructor has no team.
    let instructor = RoomSettings {
        team: String::new(),
        role: Role::Instructor,
        ..alice()
    };
    assert!(instructor.problems().is_empty());
}

#[test]
fn custom_filters_must_be_valid_and_stay_in_the_room() {
    let with = |filter: &str| RoomSettings {
        listen: Listen::Custom(filter.into()),
        ..alice()
    };
    assert!(with("dojo/monday/+/+/quote/#").problems().is_empty());
    let outside = with("dojo/tuesday/#").problems();
    assert_eq!(outside[0].field, "filter");
    assert!(outside[0].message.contains("dojo/monday/"));
    let invalid = with("dojo/monday/re+d/#").problems();
    assert!(invalid[0].message.contains("level 3"), "{invalid:?}");
    assert!(!with("#").problems().is_empty());
}

#[test]
fn filters_follow_the_role_and_the_choice() {
    // A learner also hears the instructor's commands, wherever they listen.
    assert_eq!(
        alice().filters(),
        ["dojo/monday/red/#", "dojo/monday/instructor/+/command/+"]
    );
    let room = RoomSettings {
        listen: Listen::Room,
        ..alice()
    };
    assert_eq!(room.filters(), ["dojo/monday/#"]);
    let instructor = RoomSettings {
        role: Role::Instructor,
        ..alice()
    };
    assert_eq!(instructor.filters(), ["dojo/monday/#"]);
}

#[test]
fn events_go_out_on_their_channel_when_it_is_shared() {
    let s = alice();
    assert_eq!(
        s.topic_for(&event("quote-9", "e1")).as_deref(),
        Some("dojo/monday/red/alice/quote/QuoteRequested")
    );
    assert_eq!(
        s.topic_for(&event("loyalty-9", "e1")).as_deref(),
        Some("dojo/monday/red/alice/other/QuoteRequested")
    );
    let only_customers = RoomSettings {
        share: vec!["customer".into()],
        ..alice()
    };
    assert_eq!(only_customers.topic_for(&event("quote-9", "e1")), None);
    // A wildcard in an event type cannot widen the topic.
    let mut odd = event("customer-1", "e2");
    odd.event_type = "a/b+#".into();
    assert_eq!(
        s.topic_for(&odd).as_deref(),
        Some("dojo/monday/red/alice/customer/a_b__")
    );
    let instructor = RoomSettings {
        role: Role::Instructor,
        ..alice()
    };
    assert_eq!(instructor.topic_for(&event("quote-9", "e1")), None);
}

#[test]
fn room_messages_are_checked_before_they_are_shown() {
    let e = event("quote-9", "e1");
    let topic = "dojo/monday/blue/bob/quote/QuoteRequested";
    let ok = read_message("monday", topic, e.to_cloudevent_json().as_bytes()).expect("valid");
    assert_eq!((ok.team.as_str(), ok.learner.as_str()), ("blue", "bob"));
    assert_eq!(ok.event, e);
    assert_eq!(ok.local_stream(), "bob@blue:quote-9");
    assert!(!ok.is_from(&alice()));
    let bob = RoomSettings {
        team: "blue".into(),
        learner: "bob".into(),
        ..alice()
    };
    assert!(ok.is_from(&bob));

    let big = vec![b' '; MAX_MESSAGE_BYTES + 1];
    assert_eq!(
        read_message("monday", topic, &big),
        Err(Refusal::TooLarge {
            bytes: MAX_MESSAGE_BYTES + 1
        })
    );
    for topic in [
        "dojo/tuesday/blue/bob/quote/X",
        "dojo/monday/blue/bob/quote",
        "dojo/monday/bl ue/bob/quote/X",
        "dojo/monday/blue/bob/loyalty/X",
        "other/monday/blue/bob/quote/X",
    ] {
        assert_eq!(
            read_message("monday", topic, e.to_cloudevent_json().as_bytes()),
            Err(Refusal::Topic),
            "{topic}"
        );
    }
    let script = br#"<script>alert(1)</script>"#;
    assert!(matches!(
        read_message("monday", topic, script),
        Err(Refusal::NotAnEvent { .. })
    ));
    let no_type = r#"{"specversion":"1.0","id":"x","source":"s","type":"","streamid":"quote-1","streamversion":1,"globalposition":1}"#;
    assert_eq!(
        read_message("monday", topic, no_type.as_bytes()),
        Err(Refusal::NotAnEvent {
            field: "type".into(),
            message: "must not be empty".into()
        })
    );
    assert!(matches!(
        read_message("monday", topic, &[0xff, 0xfe]),
        Err(Refusal::NotAnEvent { .. })
    ));
}

#[test]
fn a_session_connects_subscribes_then_flushes() {
    let mut session = Session::new(alice(), alice().client_id("t1"));
    let Packet::Connect {
        client_id,
        clean_session,
        username,
        ..
    } = session.opened()
    else {
        panic!("CONNECT first");
    };
    assert_eq!(client_id, "dojoalicet1");
    assert!(!clean_session, "the broker keeps the subscription");
    assert_eq!(username, None);
    // Nothing goes out before the subscription is in place.
    let e = event("quote-9", "e1");
    assert_eq!(session.publish(&outgoing(&alice(), &e)), None);
    let session = ready(alice());
    assert_eq!(session.phase(), Phase::Ready);
}

#[test]
fn client_ids_are_ones_every_broker_must_accept() {
    let long = RoomSettings {
        learner: "Zoë_van-der-Berg-Smithson".into(),
        ..alice()
    };
    let id = long.client_id("9f8e7d6c-5b4a");
    assert_eq!(id, "dojoZovanderBer9f8e7d6c");
    assert!(id.len() <= 23 && id.chars().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn a_broker_sign_in_goes_in_connect() {
    let signed = RoomSettings {
        username: "room7".into(),
        password: "s3cret".into(),
        ..alice()
    };
    let Packet::Connect {
        username, password, ..
    } = Session::new(signed, "c".into()).opened()
    else {
        panic!("CONNECT");
    };
    assert_eq!(username.as_deref(), Some("room7"));
    assert_eq!(password.as_deref(), Some(&b"s3cret"[..]));
}

#[test]
fn a_refused_connection_says_why() {
    let mut session = Session::new(alice(), "c".into());
    session.opened();
    assert_eq!(
        session.receive(Packet::ConnAck {
            session_present: false,
            return_code: 4
        }),
        Err(SessionError::Refused("the user name or password is wrong"))
    );
}

#[test]
fn the_outbox_empties_only_on_puback_and_survives_a_lost_connection() {
    let s = alice();
    let mut outbox = Outbox::default();
    let (e1, e2) = (event("quote-9", "e1"), event("customer-1", "e2"));
    outbox.push(outgoing(&s, &e1)).expect("room");
    outbox.push(outgoing(&s, &e2)).expect("room");
    outbox.push(outgoing(&s, &e1)).expect("a repeat is ignored");
    assert_eq!(outbox.items.len(), 2);

    let mut session = ready(s.clone());
    let sent: Vec<_> = outbox
        .items
        .iter()
        .filter_map(|i| session.publish(i))
        .collect();
    assert_eq!(sent.len(), 2);
    let Packet::Publish {
        packet_id: Some(first),
        qos: QoS::AtLeastOnce,
        ..
    } = sent[0]
    else {
        panic!("QoS 1 publish");
    };
    // Already in flight: not sent twice on the same connection.
    assert_eq!(session.publish(&outbox.items[0]), None);
    let out = session
        .receive(Packet::PubAck { packet_id: first })
        .expect("puback");
    assert_eq!(out, vec![Output::Acked("e1".into())]);
    assert_eq!(outbox.remove(&["e1".into()]), 1);

    // The connection drops before e2's PUBACK: e2 waits, and goes again on the next one.
    session.closed();
    let saved = serde_json::to_string(&outbox).expect("json");
    let outbox: Outbox = serde_json::from_str(&saved).expect("read back");
    let mut session = ready(s);
    let again: Vec<_> = outbox
        .items
        .iter()
        .filter_map(|i| session.publish(i))
        .collect();
    assert_eq!(again.len(), 1);
    assert!(
        matches!(&again[0], Packet::Publish { payload, .. } if payload == e2.to_cloudevent_json().as_bytes())
    );
}

#[test]
fn the_outbox_has_a_limit() {
    let s = alice();
    let mut outbox = Outbox::default();
    for i in 0..OUTBOX_LIMIT {
        outbox
            .push(outgoing(&s, &event("quote-1", &format!("e{i}"))))
            .expect("room");
    }
    assert_eq!(
        outbox.push(outgoing(&s, &event("quote-1", "one-more"))),
        Err(OutboxFull)
    );
}

fn incoming(packet_id: u16, learner: &str, payload: Vec<u8>) -> Packet {
    Packet::Publish {
        dup: false,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: format!("dojo/monday/red/{learner}/quote/QuoteRequested"),
        packet_id: Some(packet_id),
        payload,
    }
}

#[test]
fn incoming_publishes_are_checked_and_acknowledged_in_order_once_handled() {
    let mut session = ready(alice());
    let e = |id: &str| event("quote-9", id).to_cloudevent_json().into_bytes();
    let out = session
        .receive(incoming(5, "bob", e("e1")))
        .expect("publish");
    assert!(matches!(&out[..], [Output::Deliver(m, Some(5))] if m.learner == "bob"));
    let out = session
        .receive(incoming(6, "bob", e("e2")))
        .expect("publish");
    assert!(matches!(&out[..], [Output::Deliver(_, Some(6))]));
    // A bad message is dealt with at once, but its PUBACK waits behind 5 and 6.
    let out = session
        .receive(incoming(7, "bob", b"<img src=x onerror=alert(1)>".to_vec()))
        .expect("publish");
    assert!(matches!(&out[..], [Output::Refused { .. }]), "{out:?}");
    // 6 is handled before 5 (say its append finished first): nothing is due until 5 is.
    assert_eq!(session.handled(6), vec![]);
    assert_eq!(
        session.handled(5),
        vec![
            Packet::PubAck { packet_id: 5 },
            Packet::PubAck { packet_id: 6 },
            Packet::PubAck { packet_id: 7 }
        ]
    );
    assert_eq!(session.handled(5), vec![], "acknowledged once");
    // With nothing waiting, a refused message is acknowledged straight away.
    let out = session
        .receive(incoming(8, "bob", b"not json".to_vec()))
        .expect("publish");
    assert_eq!(out[0], Output::Send(Packet::PubAck { packet_id: 8 }));
    // After a reconnect, ids of the old connection are not acknowledged on the new one.
    session
        .receive(incoming(9, "bob", e("e3")))
        .expect("publish");
    session.closed();
    assert_eq!(session.handled(9), vec![]);
    // A packet a broker never sends a client closes the connection.
    let mut session = ready(alice());
    assert!(session.receive(Packet::PingReq).is_err());
}

#[test]
fn the_feed_shows_each_event_once_and_counts_by_learner() {
    let mut feed = Feed::default();
    let message = |learner: &str, id: &str| {
        let e = event("quote-1", id);
        read_message(
            "monday",
            &format!("dojo/monday/red/{learner}/quote/QuoteRequested"),
            e.to_cloudevent_json().as_bytes(),
        )
        .expect("valid")
    };
    assert!(feed.add(message("bob", "e1")));
    assert!(!feed.add(message("bob", "e1")), "a QoS 1 redelivery");
    assert!(feed.add(message("carol", "e2")));
    assert!(feed.add(message("bob", "e3")));
    assert_eq!((feed.received, feed.duplicates), (3, 1));
    assert_eq!(
        feed.counts[&("red".into(), "bob".into())],
        (2, "QuoteRequested".into())
    );
    assert_eq!(feed.messages[0].event.id, "e3");
    feed.refuse(&"x".repeat(500), &Refusal::Topic);
    assert_eq!(feed.refused[0].0.len(), 200);
}

#[test]
fn backoff_grows_to_a_ceiling_with_jitter() {
    assert_eq!(backoff_ms(0, 0.0), 250);
    assert_eq!(backoff_ms(0, 1.0), 500);
    assert_eq!(backoff_ms(3, 0.0), 2_000);
    assert_eq!(backoff_ms(5, 1.0), 15_000);
    assert_eq!(backoff_ms(40, 1.0), 15_000);
    assert!((backoff_ms(2, 0.5) as i64 - 1_500).abs() <= 1);
}

#[test]
fn settings_round_trip_as_json_and_fill_in_defaults() {
    let s = RoomSettings {
        listen: Listen::Custom("dojo/monday/#".into()),
        ..alice()
    };
    let text = serde_json::to_string(&s).expect("json");
    assert_eq!(
        serde_json::from_str::<RoomSettings>(&text).expect("back"),
        s
    );
    let partial: RoomSettings = serde_json::from_str(r#"{"room":"r"}"#).expect("partial");
    assert_eq!(partial.share.len(), CHANNELS.len());
}

/// Opens the session's next connection and has the broker accept it: what the client
/// sends after the CONNACK (the SUBSCRIBE first, then anything sent again).
fn reconnect(session: &mut Session) -> Vec<Packet> {
    let Packet::Connect { clean_session, .. } = session.opened() else {
        panic!("CONNECT first");
    };
    assert!(!clean_session);
    session
        .receive(Packet::ConnAck {
            session_present: true,
            return_code: 0,
        })
        .expect("connack")
        .into_iter()
        .map(|o| match o {
            Output::Send(p) => p,
            other => panic!("expected only packets to send, got {other:?}"),
        })
        .collect()
}

#[test]
fn an_unacknowledged_publish_goes_again_after_a_reconnect_with_its_packet_id_and_dup() {
    let s = alice();
    let (e1, e2, e3) = (
        event("quote-9", "e1"),
        event("quote-9", "e2"),
        event("customer-1", "e3"),
    );
    let mut session = ready(s.clone());
    let ids: Vec<u16> = [&e1, &e2, &e3]
        .iter()
        .map(|e| match session.publish(&outgoing(&s, e)) {
            Some(Packet::Publish {
                dup: false,
                packet_id: Some(id),
                ..
            }) => id,
            other => panic!("a first QoS 1 publish, got {other:?}"),
        })
        .collect();
    // e2 is acknowledged; the line drops before e1's and e3's PUBACKs.
    assert_eq!(
        session.receive(Packet::PubAck { packet_id: ids[1] }),
        Ok(vec![Output::Acked("e2".into())])
    );
    session.closed();
    assert_eq!(session.in_flight(), 2);
    assert_eq!(
        session.publish(&outgoing(&s, &e1)),
        None,
        "not while closed"
    );

    let sent = reconnect(&mut session);
    assert!(matches!(sent[0], Packet::Subscribe { .. }));
    let again: Vec<(bool, Option<u16>, Vec<u8>)> = sent[1..]
        .iter()
        .map(|p| match p {
            Packet::Publish {
                dup,
                qos: QoS::AtLeastOnce,
                packet_id,
                payload,
                ..
            } => (*dup, *packet_id, payload.clone()),
            other => panic!("a publish sent again, got {other:?}"),
        })
        .collect();
    // The same packet identifiers, DUP set, in the order they were first sent.
    assert_eq!(
        again,
        vec![
            (true, Some(ids[0]), e1.to_cloudevent_json().into_bytes()),
            (true, Some(ids[2]), e3.to_cloudevent_json().into_bytes()),
        ]
    );
    // The SUBSCRIBE's own packet identifier is not one still in flight.
    let Packet::Subscribe { packet_id, .. } = &sent[0] else {
        unreachable!()
    };
    assert!(![ids[0], ids[2]].contains(packet_id));
    // Once subscribed, the outbox flush does not send them a third time.
    assert_eq!(session.publish(&outgoing(&s, &e1)), None);
    assert_eq!(
        session.receive(Packet::PubAck { packet_id: ids[0] }),
        Ok(vec![Output::Acked("e1".into())])
    );
    assert_eq!(session.in_flight(), 1);
}

#[test]
fn a_session_for_other_settings_starts_clean_once_and_an_unused_id_is_discarded() {
    let s = alice();
    let mut session = Session::new(s.clone(), "dojo-alice-t1".into());
    session.start_clean();
    let connect = |session: &mut Session| match session.opened() {
        Packet::Connect { clean_session, .. } => clean_session,
        other => panic!("CONNECT, got {other:?}"),
    };
    assert!(
        connect(&mut session),
        "the first CONNECT discards the old session"
    );
    // The connection fails before the broker answers: the next one is clean as well.
    session.closed();
    assert!(connect(&mut session));
    session
        .receive(Packet::ConnAck {
            session_present: false,
            return_code: 0,
        })
        .expect("connack");
    session.closed();
    assert!(!connect(&mut session), "later ones keep the session");
    assert!(session.is_for(&s, "dojo-alice-t1"));
    assert!(!session.is_for(&s, "dojo-alice-t2"));
    let Packet::Connect {
        clean_session,
        client_id,
        ..
    } = Session::new(s, "dojo-alice-old".into()).discard()
    else {
        panic!("a CONNECT");
    };
    assert!(clean_session);
    assert_eq!(client_id, "dojo-alice-old");
}
