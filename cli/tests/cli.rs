//! The `dojo` binary end to end: every dialect, every exit code, and batch mode.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn dojo(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dojo"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dojo runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("dojo finishes")
}

/// Writes `text` to a fresh file in a per-test folder and returns its path.
fn file(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dojo-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn test_files(test: &str, pattern: &str, event: &str, dialect: &str) -> Output {
    let p = file(test, "pattern.json", pattern);
    let e = file(test, "event.json", event);
    dojo(
        &[
            "pattern",
            "test",
            "--pattern",
            p.to_str().expect("utf8"),
            "--event",
            e.to_str().expect("utf8"),
            "--dialect",
            dialect,
        ],
        None,
    )
}

#[test]
fn a_match_prints_true_with_the_explanation_and_exits_0() {
    let out = test_files(
        "match",
        r#"{"detail":{"premium":[{"numeric":[">",500]}]}}"#,
        r#"{"detail":{"premium":600}}"#,
        "eventbridge",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("true\n"), "{text}");
    assert!(text.contains("`detail.premium` is 600"), "{text}");
}

#[test]
fn no_match_prints_false_and_why_and_exits_1() {
    let out = test_files(
        "nomatch",
        r#"{"detail":{"premium":[{"numeric":[">",500]}]}}"#,
        r#"{"detail":{"premium":450}}"#,
        "eventbridge",
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.starts_with("false\n"), "{text}");
    assert!(
        text.contains(r#"`detail.premium` is 450; {"numeric":[">",500]} needs a number > 500"#),
        "{text}"
    );
}

#[test]
fn an_invalid_pattern_exits_2_with_the_aws_reason_on_stderr() {
    let out = test_files(
        "invalid",
        r#"{"source":"aws.ec2"}"#,
        r#"{"source":"aws.ec2"}"#,
        "eventbridge",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains(
            r#"Event pattern is not valid. Reason: "source" must be an object or an array"#
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_invalid_event_exits_2() {
    let out = test_files("badevent", r#"{"a":["x"]}"#, r#"{"a": "x""#, "eventbridge");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the event is not valid JSON"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sns_attribute_dialect_reads_typed_attributes() {
    let attrs =
        r#"{"price":{"Type":"Number","Value":"3.015e2"},"store":{"Type":"String","Value":"corp"}}"#;
    let out = test_files(
        "sns-attr",
        r#"{"price":[{"numeric":[">",300]}],"store":["corp"]}"#,
        attrs,
        "sns-attributes",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = test_files(
        "sns-attr-nested",
        r#"{"a":{"b":["x"]}}"#,
        attrs,
        "sns-attributes",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not support nested filter policy"));
}

#[test]
fn sns_body_dialect_needs_a_json_object_body() {
    let out = test_files(
        "sns-body",
        r#"{"order":{"total":[{"numeric":[">=",10]}]}}"#,
        r#"{"order":{"total":12}}"#,
        "sns-body",
    );
    assert_eq!(out.status.code(), Some(0));
    let out = test_files(
        "sns-body-text",
        r#"{"order":["x"]}"#,
        "just some text",
        "sns-body",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("not a JSON object"));
}

#[test]
fn mqtt_dialect_takes_a_filter_and_a_topic() {
    let out = test_files("mqtt", "sensors/+/temp", "sensors/kitchen/temp", "mqtt");
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("'+' matches \"kitchen\""));
    let out = test_files("mqtt-no", "\"sensors/#\"", "\"$SYS/x\"", "mqtt");
    assert_eq!(out.status.code(), Some(1));
    let out = test_files("mqtt-bad", "sensors/temp#", "sensors/temp", "mqtt");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'#' must be the last character"));
}

#[test]
fn check_validates_each_dialect() {
    let ok = file("check", "ok.json", r#"{"$or":[{"a":[1]},{"b":[2]}]}"#);
    let out = dojo(&["pattern", "check", ok.to_str().expect("utf8")], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("valid: 2 branches"),
        "{}",
        stdout(&out)
    );
    let bad = file("check", "bad.json", r#"{"a":[{"numeric":[">",5,"<",1]}]}"#);
    let out = dojo(&["pattern", "check", bad.to_str().expect("utf8")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Bottom must be less than top"));
    let sns = file(
        "check",
        "sns.json",
        r#"{"a":[{"anything-but":{"suffix":"x"}}]}"#,
    );
    let out = dojo(
        &[
            "pattern",
            "check",
            sns.to_str().expect("utf8"),
            "--dialect",
            "sns-attributes",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Unsupported anything-but pattern: suffix"));
    let filter = file("check", "filter.txt", "a/+/#");
    let out = dojo(
        &[
            "pattern",
            "check",
            filter.to_str().expect("utf8"),
            "--dialect",
            "mqtt",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn batch_answers_one_line_per_input_line_in_order() {
    let input = [
        r#"{"pattern":{"source":["a"]},"event":{"source":"a"}}"#,
        r#"{"pattern":{"source":["a"]},"event":{"source":"b"}}"#,
        r#"{"pattern":{"source":"a"},"event":{"source":"a"}}"#,
        r#"{"pattern":"{\"n\":[3.0000000000000001]}","event":"{\"n\":3}"}"#,
        r#"not json"#,
        r#"{"pattern":{"a":[300]},"event":{"a":3.0e2}}"#,
    ]
    .join("\n");
    let out = dojo(&["pattern", "test", "--batch"], Some(&input));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0], r#"{"match":true}"#);
    assert_eq!(lines[1], r#"{"match":false}"#);
    assert_eq!(
        lines[2],
        r#"{"error":"\"source\" must be an object or an array"}"#
    );
    assert_eq!(lines[3], r#"{"match":false}"#);
    assert!(
        lines[4].starts_with(r#"{"error":"the input line is not valid JSON"#),
        "{}",
        lines[4]
    );
    assert_eq!(lines[5], r#"{"match":true}"#);
}

#[test]
fn batch_answers_every_dialect() {
    let sns = [
        r#"{"policy":{"color":["red"]},"attributes":{"color":{"Type":"String","Value":"red"}}}"#,
        r#"{"policy":{"tags":["b"]},"attributes":{"tags":{"Type":"String.Array","Value":"[\"a\",\"b\"]"}}}"#,
        r#"{"policy":{"blob":[{"exists":true}]},"attributes":{"blob":{"Type":"Binary","Value":"AA=="}}}"#,
        r#"{"policy":{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]},"attributes":{}}"#,
    ]
    .join("\n");
    let out = dojo(
        &["pattern", "test", "--batch", "--dialect", "sns-attributes"],
        Some(&sns),
    );
    assert_eq!(
        stdout(&out),
        "{\"match\":true}\n{\"match\":true}\n{\"match\":false}\n{\"error\":\"Filter policy can not have more than 5 keys\"}\n"
    );
    let body = [
        r#"{"policy":{"a":{"b":["x"]}},"body":{"a":{"b":"x"}}}"#,
        r#"{"policy":{"a":{"b":["x"]}},"body":"{\"a\":{\"b\":\"x\"}}"}"#,
        r#"{"policy":{"a":["x"]},"body":"plain text"}"#,
        r#"{"policy":{"a":[{"anything-but":{"suffix":"x"}}]},"body":{}}"#,
    ]
    .join("\n");
    let out = dojo(
        &["pattern", "test", "--batch", "--dialect", "sns-body"],
        Some(&body),
    );
    assert_eq!(
        stdout(&out),
        "{\"match\":true}\n{\"match\":true}\n{\"match\":false}\n{\"error\":\"Unsupported anything-but pattern: suffix\"}\n"
    );
    let mqtt = [
        r#"{"filter":"a/+/c","topic":"a/b/c"}"#,
        r##"{"filter":"#","topic":"$SYS/x"}"##,
        r##"{"filter":"a/#/c","topic":"a/b/c"}"##,
        r##"{"filter":"sport/#","topic":"sport"}"##,
    ]
    .join("\n");
    let out = dojo(
        &["pattern", "test", "--batch", "--dialect", "mqtt"],
        Some(&mqtt),
    );
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines[0], r#"{"match":true}"#);
    assert_eq!(lines[1], r#"{"match":false}"#);
    assert!(
        lines[2].starts_with(r##"{"error":"'#' must be the last character"##),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], r#"{"match":true}"#);
}

#[test]
fn bench_prints_a_table_and_one_json_line_per_set() {
    let out = dojo(
        &[
            "bench",
            "match",
            "--events",
            "300",
            "--rules",
            "1,10",
            "--families",
            "exact,numeric",
            "--reference-seconds",
            "0.05",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let json: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(json.len(), 4);
    assert_eq!(json[0]["bench"], "match/exact/1-rules");
    assert_eq!(json[0]["unit"], "events/s");
    assert_eq!(json[0]["baseline"], "reference-evaluator");
    assert!(json
        .iter()
        .all(|j| j["value"].as_f64().is_some_and(|v| v > 0.0) && j["ratio"].as_f64().is_some()));
    assert!(text.contains("| exact | 10 |"));
}

#[test]
fn bench_checks_counts_against_an_expected_file() {
    let events = file(
        "bench-file",
        "events.jsonl",
        "{\"a\":\"x\"}\n{\"a\":\"y\"}\n{\"a\":\"x\"}\n",
    );
    let patterns = file(
        "bench-file",
        "p.json",
        r#"[{"a":["x"]},{"a":[{"prefix":""}]}]"#,
    );
    let good = file("bench-file", "good.json", "[2,3]");
    let bad = file("bench-file", "bad.json", "[1,3]");
    let run = |expected: &PathBuf| {
        dojo(
            &[
                "bench",
                "match",
                "--events-file",
                events.to_str().expect("utf8"),
                "--patterns-file",
                patterns.to_str().expect("utf8"),
                "--expected",
                expected.to_str().expect("utf8"),
                "--reference-seconds",
                "0.01",
            ],
            None,
        )
    };
    let out = run(&good);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("| equal |"));
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("differ from the expected counts"));
}

#[test]
fn sim_run_runs_every_documented_example() {
    for example in [
        "dlq-and-visibility.json",
        "bus-fanout-fifo-mqtt.json",
        "targets-input-and-fifo.json",
        "subscription-dead-letter-queue.json",
    ] {
        let path = format!("{}/../docs/examples/{example}", env!("CARGO_MANIFEST_DIR"));
        let out = dojo(&["sim", "run", &path], None);
        assert_eq!(out.status.code(), Some(0), "{example}: {}", stderr(&out));
        let records: Vec<serde_json::Value> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).expect("every line is JSON"))
            .collect();
        assert!(records.iter().any(|r| r["record"] == "trace"));
        assert!(records.iter().any(|r| r["record"] == "receive"));
        let summary = records.last().expect("a summary");
        assert_eq!(summary["record"], "summary");
        assert_eq!(summary["trace_hash"].as_str().map(str::len), Some(64));
        let again = dojo(&["sim", "run", &path], None);
        assert_eq!(stdout(&again), stdout(&out), "{example} is deterministic");
    }
    let path = format!(
        "{}/../docs/examples/dlq-and-visibility.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = stdout(&dojo(&["sim", "run", &path], None));
    assert!(
        text.contains(r#""kind":"moved_to_dlq","dlq":"quote-requests-dlq""#),
        "{text}"
    );
}

#[test]
fn sim_run_rejects_an_invalid_script_naming_the_path() {
    let script = file(
        "sim-bad",
        "bad.json",
        r#"{"seed":1,"topology":{"queues":[{"name":"q"}]},"steps":[{"at_ms":5,"send":{"queue":"q","body":"x"}},{"at_ms":1,"advance":{}}]}"#,
    );
    let out = dojo(&["sim", "run", script.to_str().expect("utf8")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("steps[1].at_ms: 1 is earlier than the previous step's 5"),
        "{}",
        stderr(&out)
    );
    let script = file(
        "sim-bad",
        "bad2.json",
        r#"{"seed":1,"steps":[{"at_ms":0,"receive":{"queue":"q","consumer":"c","maxx":1}}]}"#,
    );
    let out = dojo(&["sim", "run", script.to_str().expect("utf8")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("steps[0].receive.maxx"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sim_run_reports_refused_steps_and_goes_on() {
    let script = file(
        "sim-err",
        "s.json",
        r#"{"seed":1,"topology":{"queues":[{"name":"q.fifo","fifo":true}]},"steps":[{"at_ms":0,"send":{"queue":"q.fifo","body":"x"}},{"at_ms":1,"send":{"queue":"q.fifo","body":"x","group_id":"g","dedup_id":"d"}}]}"#,
    );
    let out = dojo(&["sim", "run", script.to_str().expect("utf8")], None);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains(r#""record":"error","step":0,"at_ms":0,"action":"send","error":"MissingParameter: The request must contain the parameter MessageGroupId.""#), "{text}");
    assert!(text.contains(r#""kind":"enqueued""#));
}

#[test]
fn sim_run_accepts_a_scenario_and_prints_read_models_and_style_numbers() {
    let path = format!(
        "{}/../engine/presets/callback-hotspot.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = dojo(&["sim", "run", &path], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let records: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let metrics = records
        .iter()
        .find(|r| r["record"] == "style_metrics")
        .expect("style metrics");
    assert!(metrics["metrics"]["callbacks"]
        .as_u64()
        .is_some_and(|n| n > 0));
    let models = records
        .iter()
        .find(|r| r["record"] == "read_models")
        .expect("read models");
    assert!(models["models"]["QuoteDashboardView"]["accepted"]["count"]
        .as_u64()
        .is_some_and(|n| n > 0));
    assert_eq!(records.last().expect("summary")["record"], "summary");
    let spike = format!(
        "{}/../engine/presets/spike.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = stdout(&dojo(&["sim", "run", &spike], None));
    let decoupling: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .find(|r| r["record"] == "decoupling")
        .expect("decoupling");
    assert!(decoupling["report"]["load_balancer_failed"]
        .as_u64()
        .is_some_and(|n| n > 0));
    assert_eq!(decoupling["report"]["queue_failed"], 0);
}

#[test]
fn bench_replay_prints_throughput_seek_latency_and_memory() {
    let out = dojo(
        &[
            "bench",
            "replay",
            "--events",
            "5000",
            "--interval",
            "100",
            "--seeks",
            "50",
            "--baseline-seeks",
            "5",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(json[0]["bench"], "replay/full/5000-events");
    assert_eq!(json[1]["baseline"], "fold-from-zero");
    assert!(json[1]["ratio"].as_f64().is_some());
}

#[test]
fn exercise_check_proves_the_shipped_exercises() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../exercises");
    let o = dojo(&["exercise", "check", dir], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(
        "ok   dead-letter-queue (2 goals; the start fails 2, the solution passes; par 0)"
    ));
    // An open brief's second design is proved too.
    assert!(stdout(&o).contains(
        "ok   brief-claims-in-order (5 goals; the start fails 5, the solution passes, and so does 1 other design; par 2)"
    ));
    assert!(
        stdout(&o).ends_with("exercises: 20 proved, 0 failed\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn exercise_check_refuses_an_invalid_pack_and_reports_a_failed_proof() {
    let pack = r#"
id = "mine"
title = "Mine"
concept = "Queues"
level = 100
kind = "channels"
par = 0
hints = ["a", "b", "c"]
goals = [{ goal = "delivered", queue = "q", count = 1 }]
workload = [{ at_ms = 0, send = { queue = "q", body = "x" } }]
beats = [{ text = "One idea." }]
[start.topology]
queues = [{ name = "q" }]
[solution.topology]
queues = [{ name = "q" }]
"#;
    let good = file("exercise-proof", "mine.toml", pack);
    let o = dojo(
        &[
            "exercise",
            "check",
            good.parent().and_then(|p| p.to_str()).expect("dir"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FAIL mine: the starting design already passes every goal"));
    let bad = file(
        "exercise-invalid",
        "mine.toml",
        &pack.replace("level = 100", "level = 7"),
    );
    let o = dojo(
        &[
            "exercise",
            "check",
            bad.parent().and_then(|p| p.to_str()).expect("dir"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("mine.toml: exercise mine, level: must be 100, 200 or 300"));
}

#[test]
fn schema_infer_discovers_a_schema_per_event_type() {
    let events = [
        r#"{"specversion":"1.0","id":"e1","source":"dojo.insurance","type":"QuoteIssued","data":{"quote_id":"q1","premium":650}}"#,
        r#"{"specversion":"1.0","id":"e2","source":"dojo.insurance","type":"QuoteIssued","data":{"quote_id":"q2","premium":700,"issued_at":"2026-12-06T09:00:00Z"}}"#,
        r#"{"source":"dojo.lab","detail-type":"OrderPlaced","detail":{"order":"o1"}}"#,
        "",
    ]
    .join("\n");
    let path = file("schema-infer", "events.ndjson", &events);
    let out = dojo(&["schema", "infer", path.to_str().expect("utf-8")], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let schemas: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    let quote = &schemas["QuoteIssued"];
    assert_eq!(quote["$schema"], "http://json-schema.org/draft-04/schema#");
    assert_eq!(
        quote["required"],
        serde_json::json!(["premium", "quote_id"])
    );
    assert_eq!(quote["properties"]["issued_at"]["format"], "date-time");
    assert_eq!(
        schemas["dojo.lab@OrderPlaced"]["required"],
        serde_json::json!(["order"])
    );
    assert!(
        stderr(&out).contains("QuoteIssued: 2 events, 2 version(s)"),
        "{}",
        stderr(&out)
    );

    let openapi = dojo(
        &[
            "schema",
            "infer",
            "--openapi",
            path.to_str().expect("utf-8"),
        ],
        None,
    );
    let docs: serde_json::Value = serde_json::from_str(&stdout(&openapi)).expect("JSON");
    assert_eq!(docs["QuoteIssued"]["openapi"], "3.0.0");
    assert_eq!(docs["QuoteIssued"]["info"]["version"], "2.0.0");

    let bad = file(
        "schema-infer",
        "bad.ndjson",
        "{\"type\":\"A\",\"data\":{}}\n{\"nope\":1}\n",
    );
    let out = dojo(&["schema", "infer", bad.to_str().expect("utf-8")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "nothing is printed for a bad file");
    assert!(
        stderr(&out).contains("line 2: not an event"),
        "{}",
        stderr(&out)
    );

    let design = dojo(&["schema"], None);
    assert_eq!(design.status.code(), Some(0));
    assert!(
        stdout(&design).contains("An Event Dojo design"),
        "without a subcommand it prints the design's schema"
    );
}

#[test]
fn schema_check_refuses_a_breaking_version_with_the_field_and_the_mode() {
    let v1 = file(
        "schema-check",
        "v1.json",
        r#"{"type":"object","properties":{"quote_id":{"type":"string"},"premium_pence":{"type":"integer"}},"required":["quote_id","premium_pence"]}"#,
    );
    let v2 = file(
        "schema-check",
        "v2.json",
        r#"{"type":"object","properties":{"quote_id":{"type":"string"},"premium_pence":{"type":"integer"},"currency":{"type":"string"}},"required":["quote_id","premium_pence","currency"]}"#,
    );
    let (p1, p2) = (v1.to_str().expect("utf-8"), v2.to_str().expect("utf-8"));
    let back = dojo(&["schema", "check", p1, p2, "--mode", "backward"], None);
    assert_eq!(back.status.code(), Some(1), "{}", stdout(&back));
    assert!(stdout(&back).contains("`currency` added (required)"));
    assert!(
        stdout(&back).contains("BACKWARD against v1: `currency`: consumers on v2 require it, and v1 events do not have it (rule: required)"),
        "{}",
        stdout(&back)
    );
    let forward = dojo(&["schema", "check", p1, p2, "--mode", "forward"], None);
    assert_eq!(forward.status.code(), Some(0), "{}", stdout(&forward));
    assert!(stdout(&forward).contains("compatible: v2 keeps FORWARD"));
    let unknown = dojo(&["schema", "check", p1, p2, "--mode", "sideways"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("\"sideways\" is not a compatibility mode"));
    let bad = file("schema-check", "bad.json", r#"{"anyOf":[]}"#);
    let out = dojo(&["schema", "check", p1, bad.to_str().expect("utf-8")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.json: not a schema here: /anyOf"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn schema_validate_names_each_field_that_does_not_fit() {
    let schema = file(
        "schema-validate",
        "schema.json",
        r#"{"type":"object","properties":{"quote_id":{"type":"string","format":"uuid"},"premium_pence":{"type":"integer"}},"required":["quote_id","premium_pence"]}"#,
    );
    let s = schema.to_str().expect("utf-8");
    let cloud = file(
        "schema-validate",
        "event.json",
        r#"{"specversion":"1.0","id":"e1","source":"s","type":"QuoteIssued","data":{"quote_id":"q1","premium_pence":"650"}}"#,
    );
    let out = dojo(
        &["schema", "validate", s, cloud.to_str().expect("utf-8")],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "field `quote_id` must be a uuid, found \"q1\" (rule: format)\nfield `premium_pence` must be integer, found string \"650\" (rule: type)\n"
    );
    let lines = file(
        "schema-validate",
        "events.ndjson",
        "{\"quote_id\":\"0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c\",\"premium_pence\":650}\n{\"source\":\"s\",\"detail-type\":\"Q\",\"detail\":{\"quote_id\":\"0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c\",\"premium_pence\":1}}\n",
    );
    let out = dojo(
        &["schema", "validate", s, lines.to_str().expect("utf-8")],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "line 1: fits\nline 2: fits\n");
    let broken = file("schema-validate", "broken.ndjson", "{\"a\":1}\n{oops\n");
    let out = dojo(
        &["schema", "validate", s, broken.to_str().expect("utf-8")],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("broken.ndjson line 2: not JSON"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_script_prints_an_exercise_solution_as_a_script_that_sim_run_plays() {
    let out = dojo(&["export", "script", "--exercise", "fifo"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(
        script["topology"]["Queues"][0]["QueueName"],
        "payments.fifo"
    );
    let path = file("export-script", "fifo.json", &stdout(&out));
    let run = dojo(&["sim", "run", path.to_str().expect("path")], None);
    assert!(run.status.success());
    assert!(stdout(&run).contains("\"record\":\"receive\""));

    let missing = dojo(&["export", "script", "--exercise", "nope"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no shipped exercise has that id"));
    let schema = dojo(
        &["export", "script", "--exercise", "evolve-compatibly"],
        None,
    );
    assert_eq!(schema.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&schema.stderr).contains("a schema exercise"));
    let listed = dojo(&["exercise", "list"], None);
    assert!(stdout(&listed).contains("brief-quote-flow\tchannels\t1\t"));
}

#[test]
fn aws_run_refuses_a_bad_prefix_and_missing_credentials_before_making_anything() {
    let script = file(
        "aws-refuses",
        "s.json",
        r#"{"seed": 1, "topology": {"queues": [{"name": "q"}]}, "steps": []}"#,
    );
    let path = script.to_str().expect("path");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dojo"))
            .args(args)
            .env_clear()
            .env("HOME", std::env::temp_dir().join("dojo-no-aws-home"))
            .output()
            .expect("dojo runs")
    };
    let bad = run(&["aws", "run", path, "--prefix", "no spaces"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("--prefix \"no spaces\": use 1 to 40 letters"));
    let none = run(&["aws", "compare", path, "--region", "eu-west-1"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).starts_with("no AWS credentials"));
}
