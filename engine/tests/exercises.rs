//! The shipped exercises: each parses, its start fails its goals and its reference
//! solution passes them; and packs with mistakes are refused, naming the exercise and
//! the field.

use dojo_engine::exercise::check::{check, line};
use dojo_engine::exercise::{parse_pack, prove, shipped, Design, SHIPPED};

#[test]
fn every_shipped_exercise_fails_at_the_start_and_passes_with_its_solution() {
    let all = shipped();
    assert!(all.len() >= 12, "{} exercises", all.len());
    for ex in &all {
        prove(ex).unwrap_or_else(|e| {
            let report = check(ex, &ex.solution);
            panic!(
                "{e}\n{}",
                report
                    .results
                    .iter()
                    .map(line)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        assert_eq!(ex.hints.len(), 3, "{}", ex.id);
        assert!(ex.hints.iter().all(|h| !h.trim().is_empty()), "{}", ex.id);
        assert!(
            ex.beats.iter().all(|b| !b.text.trim().is_empty()),
            "{}",
            ex.id
        );
        let start = check(ex, &ex.start);
        assert!(
            start
                .results
                .iter()
                .any(|r| !r.passed && !r.detail.is_empty()),
            "{}: a failing start says why",
            ex.id
        );
    }
}

#[test]
fn the_exercises_directory_and_the_shipped_list_agree() {
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../exercises"))
            .expect("exercises/")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
    files.sort();
    let listed: Vec<String> = SHIPPED.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(files, listed);
}

#[test]
fn the_curriculum_is_covered() {
    let concepts: std::collections::BTreeSet<String> =
        shipped().into_iter().map(|e| e.concept).collect();
    for c in [
        "Events and commands",
        "Event notification",
        "Event-carried state transfer",
        "Event sourcing",
        "CQRS",
        "Sync vs async decoupling",
        "Point-to-point queues",
        "FIFO queues",
        "Publish/subscribe topics",
        "Event bus",
        "MQTT topics",
        "Capstone",
    ] {
        assert!(concepts.contains(c), "no exercise teaches {c}");
    }
}

#[test]
fn a_failing_goal_says_what_to_change() {
    let ex = shipped()
        .into_iter()
        .find(|e| e.id == "dead-letter-queue")
        .expect("shipped");
    let report = check(&ex, &ex.start);
    assert!(!report.solved);
    assert_eq!(
        report.results[0].detail,
        "work has no dead-letter queue, so a message that keeps failing is received again and again."
    );
    let solved = check(&ex, &ex.solution);
    assert!(solved.trace_kinds.contains("moved_to_dlq"));
    let moved = solved
        .log
        .iter()
        .find(|l| l.what.starts_with("moved to dlq"))
        .expect("the log shows the move");
    assert_eq!(moved.place, "queue:work");
    assert!(moved.what.contains("dlq: work-dlq"), "{}", moved.what);
    let ex = shipped()
        .into_iter()
        .find(|e| e.id == "events-and-commands")
        .expect("shipped");
    let system = check(&ex, &ex.solution);
    assert!(
        system
            .log
            .iter()
            .any(|l| l.what.starts_with("refused AcceptQuote")),
        "{:?}",
        system.log
    );
    assert_eq!(solved.golf, 0);
}

#[test]
fn a_design_that_does_not_run_fails_every_goal_with_the_reason() {
    let ex = shipped()
        .into_iter()
        .find(|e| e.id == "rule-transformer")
        .expect("shipped");
    let e = Design::from_json(r#"{"topology": {"rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": [{"id": "t", "endpoint": {"queue": "nope"}}]}]}}"#)
        .expect_err("the target queue does not exist");
    assert_eq!(
        e,
        "`topology.Rules[0].Targets[0].Endpoint`: queue:nope does not exist"
    );
    let bad = Design::from_json(r#"{"topology": {"queues": [{"name": "q", "visibility": 3}]}}"#)
        .expect_err("unknown field");
    assert!(
        bad.starts_with(
            "`visibility` is not a field of a queue (at `topology.queues[0].visibility`)."
        ),
        "{bad}"
    );
    assert!(
        bad.contains("A queue takes `QueueName`, `FifoQueue`, `VisibilityTimeout`")
            && bad.contains("(the names older designs used are read too)"),
        "{bad}"
    );
    // AWS's own names for the settings are read as ours.
    Design::from_json(r#"{"topology": {"Queues": [{"QueueName": "q.fifo", "FifoQueue": true, "ContentBasedDeduplication": true}]}}"#)
        .expect("CloudFormation's names");
    let report = check(&ex, &Design::default());
    assert!(report.error.is_some());
    assert!(report.results.iter().all(|r| !r.passed));
}

fn pack_error(text: &str) -> String {
    parse_pack(text, "pack.toml")
        .expect_err("refused")
        .to_string()
}

const MINIMAL: &str = r#"
id = "mine"
title = "Mine"
concept = "Point-to-point queues"
level = 100
kind = "channels"
par = 0
beats = [{ text = "One idea." }]
hints = ["a", "b", "c"]
goals = [{ goal = "delivered", queue = "q", count = 1 }]
workload = [{ at_ms = 0, send = { queue = "q", body = "x" } }]
[start.topology]
queues = [{ name = "other" }]
[solution.topology]
queues = [{ name = "q" }]
"#;

#[test]
fn a_valid_pack_parses_and_proves() {
    let list = parse_pack(MINIMAL, "pack.toml").expect("valid");
    assert_eq!(list.len(), 1);
    prove(&list[0]).expect("start fails, solution passes");
    let pack = format!(
        "[[exercise]]\n{}",
        MINIMAL
            .replace("[start.topology]", "[exercise.start.topology]")
            .replace("[solution.topology]", "[exercise.solution.topology]")
    );
    assert_eq!(parse_pack(&pack, "pack.toml").expect("a pack").len(), 1);
}

#[test]
fn invalid_packs_name_the_exercise_and_the_field() {
    assert_eq!(
        pack_error(&MINIMAL.replace("level = 100", "level = 150")),
        "pack.toml: exercise mine, level: must be 100, 200 or 300"
    );
    assert_eq!(
        pack_error(&MINIMAL.replace("hints = [\"a\", \"b\", \"c\"]", "hints = [\"a\"]")),
        "pack.toml: exercise mine, hints: give exactly three hints: the concept, where to look, what to do"
    );
    let e = pack_error(&MINIMAL.replace("count = 1 }]", "cuont = 1 }]"));
    assert!(
        e.starts_with("pack.toml: exercise mine, goals[0]: `cuont` is not a field of a goal (at `goals[0]`). Did you mean `count`?"),
        "{e}"
    );
    let e = pack_error(&MINIMAL.replace("count = 1 }]", "matching = { source = \"x\" } }]"));
    assert!(
        e.contains("goals[0]: matching: Event pattern is not valid"),
        "{e}"
    );
    assert_eq!(
        pack_error(&MINIMAL.replace("par = 0", "par = 2")),
        "pack.toml: exercise mine, par: the reference solution scores 0, so par must be 0"
    );
    let e = pack_error(&MINIMAL.replace(
        "queues = [{ name = \"q\" }]",
        "queues = [{ name = \"q\", redrive = { dlq = \"gone\", max_receive_count = 1 } }]",
    ));
    assert!(
        e.starts_with("pack.toml: exercise mine, solution.topology.Queues[0].RedrivePolicy"),
        "{e}"
    );
    let e = pack_error("id = ");
    assert!(
        e.starts_with("pack.toml: exercise ?, (file): not valid TOML"),
        "{e}"
    );
    assert_eq!(
        pack_error(&MINIMAL.replace("goal = \"delivered\", queue = \"q\", count = 1", "goal = \"callbacks\", at_most = 0")),
        "pack.toml: exercise mine, goals[0]: this goal checks a system exercise, and this is a channels one"
    );
}

#[test]
fn proving_refuses_a_start_that_already_passes() {
    let same = MINIMAL.replace(
        "queues = [{ name = \"other\" }]",
        "queues = [{ name = \"q\" }]",
    );
    let ex = &parse_pack(&same, "pack.toml").expect("valid")[0];
    assert_eq!(
        prove(ex).expect_err("start passes"),
        "mine: the starting design already passes every goal"
    );
}

#[test]
fn the_editor_gets_the_designs_as_written_and_they_parse_back() {
    for ex in shipped() {
        for text in [&ex.start_text, &ex.solution_text] {
            let d = Design::from_json(text).unwrap_or_else(|e| panic!("{}: {e}", ex.id));
            assert!(d == ex.start || d == ex.solution, "{}", ex.id);
        }
        assert!(
            !ex.start_text.contains("retention_s"),
            "{}: no spelled-out defaults",
            ex.id
        );
    }
}

#[test]
fn golf_and_par_are_explained_in_words_for_every_exercise() {
    for ex in shipped() {
        let words = ex.golf_explained();
        assert!(words.starts_with("Golf counts "), "{}: {words}", ex.id);
        assert!(
            words.contains(&format!("Par {}:", ex.par)),
            "{}: {words}",
            ex.id
        );
    }
    let dlq = shipped()
        .into_iter()
        .find(|e| e.id == "dead-letter-queue")
        .expect("shipped");
    assert_eq!(
        dlq.golf_explained(),
        "Golf counts the rules, subscriptions and handlers in your design and the steps you add, \
         and fewer is better. Par 0: the model answer needs none of them; queues, topics and \
         settings cost nothing."
    );
}

#[test]
fn a_goal_that_a_quiet_run_meets_is_refused_when_the_exercise_is_loaded() {
    let vacuous = MINIMAL.replace(
        r#"goals = [{ goal = "delivered", queue = "q", count = 1 }]"#,
        r#"goals = [{ goal = "delivered", queue = "q", count = 1 }, { goal = "delivered", queue = "other", count = 0 }]"#,
    );
    let ex = &parse_pack(&vacuous, "pack.toml").expect("valid")[0];
    let err = prove(ex).expect_err("a goal met by nothing happening");
    assert!(
        err.starts_with("mine: the goal \"other receives exactly 0 messages\" passes even when no traffic runs through the design"),
        "{err}"
    );
}

#[test]
fn the_capstone_latency_goal_needs_a_delivered_message() {
    let ex = shipped()
        .into_iter()
        .find(|e| e.id == "capstone")
        .expect("shipped");
    let mut quiet = ex.clone();
    quiet.workload.clear();
    let report = check(&quiet, &ex.solution);
    let latency = report
        .results
        .iter()
        .find(|r| r.goal.contains("comms") && r.goal.contains("60"))
        .expect("the latency goal");
    assert!(!latency.passed, "{latency:?}");
    assert!(
        latency.detail.starts_with("No message reached comms"),
        "{}",
        latency.detail
    );
}

/// Found by the `designs` fuzz target: a 48-digit numeric bound read as one double and,
/// written out shortest-first, read back as its neighbour, so a design's JSON view did
/// not read back as the design. Numbers are now read exactly.
#[test]
fn a_long_numeric_bound_reads_back_as_the_same_design() {
    let text = r#"{"topology": {"queues": [{"name": "comms"}], "rules": [{"name": "to-comms",
        "pattern": {"detail": {"premium": [{"numeric": [">", 3060068328579772153040211255079219184607300000004]}]}},
        "targets": [{"id": "comms", "endpoint": {"queue": "comms"}}]}]}}"#;
    let design = Design::from_json(text).expect("a valid design");
    let compact = design.to_compact_json();
    assert!(compact.contains("3.060068328579772e+48"), "{compact}");
    assert_eq!(Design::from_json(&compact).expect("its JSON reads"), design);
}

#[test]
fn the_shipped_index_names_every_shipped_exercise_in_order() {
    let parsed: Vec<(String, String)> = dojo_engine::exercise::shipped()
        .into_iter()
        .map(|e| (e.id, e.title))
        .collect();
    let index: Vec<(String, String)> = dojo_engine::exercise::SHIPPED_INDEX
        .iter()
        .map(|(id, title)| ((*id).to_owned(), (*title).to_owned()))
        .collect();
    assert_eq!(
        index, parsed,
        "SHIPPED_INDEX must list SHIPPED's ids and titles"
    );
}
