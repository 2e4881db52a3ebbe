use super::*;

fn design(json: &str) -> Design {
    Design::from_json(json).expect("the test's design is valid")
}

fn start() -> Design {
    design(r#"{"topology": {"queues": [{"name": "comms"}, {"name": "audit"}]}}"#)
}

/// The start with one change made through JSON, as a member's form would make it.
fn changed(from: &Design, edit: impl Fn(&mut serde_json::Value)) -> Design {
    let mut v = serde_json::to_value(from).expect("json");
    edit(&mut v);
    serde_json::from_value(v).expect("still a design")
}

#[test]
fn a_diff_applied_gives_the_design_it_was_taken_from() {
    let a = start();
    let b = design(
        r#"{"topology": {"queues": [{"name": "comms", "delay_s": 30}, {"name": "dlq"}],
            "rules": [{"name": "r", "pattern": {"source": ["x"]}, "targets": [{"id": "t", "endpoint": {"queue": "comms"}}]}]}}"#,
    );
    let changes = diff(&a, &b);
    let names: Vec<&str> = changes.iter().map(|c| c.resource.as_str()).collect();
    assert_eq!(
        names,
        ["queue:audit", "queue:comms", "queue:dlq", "rule:default/r"]
    );
    let mut c = a.clone();
    for ch in &changes {
        apply(&mut c, ch);
    }
    assert!(diff(&c, &b).is_empty(), "{:?}", diff(&c, &b));
}

/// Two members' browsers, each with the team's design so far.
struct Member {
    name: &'static str,
    team: TeamDesign,
}

impl Member {
    fn new(name: &'static str) -> Self {
        Member {
            name,
            team: TeamDesign::default(),
        }
    }
    fn design(&self) -> Design {
        self.team.design(&start())
    }
    fn edit(&mut self, f: impl Fn(&mut serde_json::Value)) -> Edit {
        let before = self.design();
        let after = changed(&before, f);
        self.team
            .record(self.name, &before, &after)
            .expect("a change")
    }
}

#[test]
fn edits_that_cross_on_the_wire_give_both_members_the_same_design() {
    let (mut alice, mut bob) = (Member::new("alice"), Member::new("bob"));
    let a = alice.edit(|v| v["topology"]["Queues"][0]["DelaySeconds"] = 30.into());
    let b = bob.edit(|v| v["topology"]["Queues"][1]["VisibilityTimeout"] = 5.into());
    assert!(alice.team.merge(vec![b.clone()]).is_empty());
    assert!(bob.team.merge(vec![a]).is_empty());
    assert_eq!(alice.design(), bob.design());
    let t = alice.design().topology.expect("topology");
    assert_eq!(
        (t.queues[0].delay_s, t.queues[1].visibility_timeout_s),
        (30, 5)
    );
    // A message again (QoS 1 may repeat it) changes nothing.
    assert!(alice.team.merge(vec![b]).is_empty());
    assert_eq!(alice.team.len(), 2);
}

#[test]
fn both_changing_one_resource_at_once_is_a_conflict_both_are_told_of_and_both_keep_the_same_one() {
    let (mut alice, mut bob) = (Member::new("alice"), Member::new("bob"));
    let a = alice.edit(|v| v["topology"]["Queues"][0]["DelaySeconds"] = 30.into());
    let b = bob.edit(|v| v["topology"]["Queues"][0]["DelaySeconds"] = 60.into());
    let told_alice = alice.team.merge(vec![b]);
    let told_bob = bob.team.merge(vec![a]);
    assert_eq!(told_alice, told_bob);
    assert_eq!(
        told_alice,
        vec![Conflict {
            resource: "queue:comms".into(),
            kept: "bob".into(),
            replaced: "alice".into()
        }]
    );
    assert!(told_alice[0]
        .message()
        .starts_with("alice and bob changed queue:comms at the same time. bob's change is kept"));
    assert_eq!(alice.design(), bob.design());
    assert_eq!(alice.design().topology.expect("t").queues[0].delay_s, 60);
}

#[test]
fn a_change_made_after_seeing_the_other_is_no_conflict() {
    let (mut alice, mut bob) = (Member::new("alice"), Member::new("bob"));
    let a = alice.edit(|v| v["topology"]["Queues"][0]["DelaySeconds"] = 30.into());
    assert!(bob.team.merge(vec![a]).is_empty());
    let b = bob.edit(|v| v["topology"]["Queues"][0]["DelaySeconds"] = 10.into());
    assert!(alice.team.merge(vec![b]).is_empty());
    assert_eq!(alice.design().topology.expect("t").queues[0].delay_s, 10);
    assert_eq!(alice.design(), bob.design());
}

#[test]
fn a_member_who_reconnects_late_gets_the_whole_history_from_each_members_edits() {
    let (mut alice, mut bob) = (Member::new("alice"), Member::new("bob"));
    let a = alice.edit(|v| {
        v["topology"]["Queues"]
            .as_array_mut()
            .expect("queues")
            .push(serde_json::json!({"QueueName": "dlq"}))
    });
    bob.team.merge(vec![a]);
    bob.edit(|v| v["topology"]["Queues"][1]["QueueName"] = "audit-2".into());
    alice.edit(|v| v["topology"]["Queues"][0]["DelaySeconds"] = 5.into());
    // Carol has seen nothing: each member's retained message carries all their edits.
    let mut carol = Member::new("carol");
    carol.team.merge(bob.team.mine("bob"));
    carol.team.merge(alice.team.mine("alice"));
    alice.team.merge(bob.team.mine("bob"));
    assert_eq!(carol.design(), alice.design());
    let names: Vec<String> = carol
        .design()
        .topology
        .expect("t")
        .queues
        .iter()
        .map(|q| q.name.clone())
        .collect();
    assert_eq!(names, ["comms", "dlq", "audit-2"]);
}

#[test]
fn notes_are_the_latest_write_in_the_teams_order_whoever_hears_them_first() {
    let (mut alice, mut bob) = (Member::new("alice"), Member::new("bob"));
    let a = alice
        .team
        .write("alice", "answer:0", "Loose coupling.".into())
        .expect("new");
    assert_eq!(
        alice
            .team
            .write("alice", "answer:0", "Loose coupling.".into()),
        None,
        "the same value again"
    );
    assert!(bob.team.merge_notes(vec![a.clone()]));
    let b = bob
        .team
        .write("bob", "answer:0", "Loose coupling, and replay.".into())
        .expect("new");
    assert!(b.clock > a.clock, "written after seeing Alice's");
    assert!(alice.team.merge_notes(vec![b]));
    // Alice's older note again (QoS 1 repeats) does not undo Bob's.
    assert!(!alice.team.merge_notes(vec![a]));
    for m in [&alice, &bob] {
        assert_eq!(
            m.team.note("answer:0").map(|n| n.value.clone()),
            Some("Loose coupling, and replay.".into())
        );
    }
    assert_eq!(alice.team.my_notes("alice"), vec![]);
    assert_eq!(bob.team.my_notes("bob").len(), 1);
}
