use super::super::team::{Change, Edit};
use super::super::{Output, RoomSettings};
use super::*;
use crate::mqtt_wire::{Packet, QoS};

fn learner(team: &str, name: &str) -> RoomSettings {
    RoomSettings {
        room: "r1".into(),
        team: team.into(),
        learner: name.into(),
        ..RoomSettings::default()
    }
}

fn edit(author: &str) -> Edit {
    Edit {
        author: author.into(),
        clock: 1,
        after: 0,
        changes: vec![Change {
            resource: "queue:comms".into(),
            value: Some(serde_json::json!({"QueueName": "comms"})),
        }],
    }
}

#[test]
fn a_design_message_is_read_from_its_topic_and_refused_when_it_lies_about_its_author() {
    let s = learner("red", "alice");
    let topic = s.design_topic("brief-quote-flow").expect("a learner's");
    assert_eq!(topic, "dojo/r1/red/alice/design/brief-quote-flow");
    let m = DesignMessage {
        exercise: "brief-quote-flow".into(),
        edits: vec![edit("alice")],
        notes: Vec::new(),
    };
    let payload = serde_json::to_vec(&m).expect("json");
    let got = read("r1", &topic, &payload).expect("valid");
    assert_eq!((got.team.as_str(), got.learner.as_str()), ("red", "alice"));
    assert_eq!(got.what, Coordination::Design(m));
    // Bob cannot publish edits in Alice's name on his own topic.
    let forged = DesignMessage {
        exercise: "brief-quote-flow".into(),
        edits: vec![edit("alice")],
        notes: Vec::new(),
    };
    let e = read(
        "r1",
        "dojo/r1/red/bob/design/brief-quote-flow",
        &serde_json::to_vec(&forged).expect("json"),
    )
    .expect_err("not bob's edits");
    assert!(e.to_string().contains("not made by bob"), "{e}");
    // The topic's exercise and the payload's must agree; another room is refused.
    assert_eq!(
        read("r1", "dojo/r1/red/alice/design/other", &payload),
        Err(Refusal::Topic)
    );
    assert_eq!(read("r2", &topic, &payload), Err(Refusal::Topic));
    assert!(matches!(
        read("r1", &topic, b"{\"exercise\": 1}"),
        Err(Refusal::NotAnEvent { .. })
    ));
}

#[test]
fn progress_goes_out_only_with_consent_and_a_command_only_from_an_instructor_topic() {
    let mut s = learner("red", "alice");
    assert_eq!(s.progress_topic("capstone"), None, "off by default");
    s.share_progress = true;
    assert_eq!(
        s.progress_topic("capstone").as_deref(),
        Some("dojo/r1/red/alice/progress/capstone")
    );
    let instructor = RoomSettings {
        role: crate::classroom::Role::Instructor,
        learner: "sam".into(),
        ..learner("", "sam")
    };
    assert_eq!(
        instructor.command_topic().as_deref(),
        Some("dojo/r1/instructor/sam/command/goto")
    );
    assert_eq!(s.command_topic(), None);
    let goto = br#"{"exercise": "fifo"}"#;
    let m = read("r1", "dojo/r1/instructor/sam/command/goto", goto).expect("valid");
    assert_eq!(
        m.what,
        Coordination::GoTo(GoTo {
            exercise: "fifo".into()
        })
    );
    assert_eq!(
        read("r1", "dojo/r1/red/bob/command/goto", goto),
        Err(Refusal::Topic)
    );
    // A learner listening to their team still hears the instructor.
    assert!(s
        .filters()
        .contains(&"dojo/r1/instructor/+/command/+".to_owned()));
}

#[test]
fn a_session_hands_coordination_messages_over_apart_from_events() {
    let s = learner("red", "alice");
    let mut session = super::super::tests::ready(s.clone());
    let report = ProgressReport {
        exercise: "fifo".into(),
        title: "Payments in order, exactly once".into(),
        solved: false,
        attempts: 4,
        hints: 2,
        seconds: 300,
        report: None,
    };
    let out = session
        .receive(Packet::Publish {
            dup: false,
            qos: QoS::AtLeastOnce,
            retain: true,
            topic: "dojo/r1/red/bob/progress/fifo".into(),
            packet_id: Some(9),
            payload: serde_json::to_vec(&report).expect("json"),
        })
        .expect("publish");
    match &out[..] {
        [Output::Coordinate(m, Some(9))] => {
            assert_eq!(m.learner, "bob");
            assert_eq!(m.what, Coordination::Progress(report.clone()));
        }
        other => panic!("{other:?}"),
    }
    // Edits and progress go out retained, for members and instructors who come later.
    let item = crate::classroom::Outgoing {
        id: "e1".into(),
        topic: s.design_topic("fifo").expect("topic"),
        payload: "{}".into(),
        retain: true,
    };
    match session.publish(&item) {
        Some(Packet::Publish { retain: true, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_room_s_progress_says_who_is_stuck_and_downloads_as_csv() {
    let mut room = RoomProgress::default();
    let r = |exercise: &str, solved, attempts, seconds| ProgressReport {
        exercise: exercise.into(),
        title: format!("The {exercise}, \"quoted\""),
        solved,
        attempts,
        hints: 1,
        seconds,
        report: None,
    };
    room.add("red", "alice", r("fifo", true, 5, 900));
    room.add("red", "bob", r("fifo", false, 4, 120));
    room.add("blue", "carol", r("dead-letter-queue", false, 1, 60));
    room.add("blue", "carol", r("dead-letter-queue", false, 1, 700));
    assert_eq!(
        room.stuck(),
        vec![
            (
                ("blue".into(), "carol".into()),
                vec!["dead-letter-queue".into()]
            ),
            (("red".into(), "bob".into()), vec!["fifo".into()]),
        ]
    );
    let csv = room.csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "team,learner,exercise,title,solved,attempts,hints,seconds,stuck,report"
    );
    assert_eq!(
        lines.len(),
        4,
        "carol's later report replaced her earlier one"
    );
    assert_eq!(lines[1], "blue,carol,dead-letter-queue,\"The dead-letter-queue, \"\"quoted\"\"\",false,1,1,700,true,false");
}
