//! Goal checks: predicates over a run of the learner's design. A channels design runs as
//! a simulation script (the exercise's workload plus the learner's steps); a system
//! design runs the insurance services. Each goal says what it checks in words, and a
//! failing one says what happened instead, so the learner knows what to change.

use super::{Design, Exercise, Kind};
use crate::pattern::{Dialect, EventPattern};
use crate::services::{self, Outcome};
use crate::sim::script::{self, Record, Script};
use crate::sim::{TraceEntry, TraceKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A goal. `goal` names the kind in files: `goal = "delivered"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "goal", rename_all = "snake_case", deny_unknown_fields)]
pub enum Goal {
    /// The queue received `count` messages, and (with `matching`, an EventBridge
    /// pattern over the message body) only messages that match.
    Delivered {
        queue: String,
        #[serde(default)]
        count: Option<u64>,
        #[serde(default)]
        matching: Option<Value>,
    },
    /// The queue never held more than `at_most` messages.
    MaxDepth { queue: String, at_most: u64 },
    /// Nothing was dropped and no step was refused.
    NoLoss,
    /// `count` messages moved from the queue to its dead-letter queue.
    MovedToDlq { queue: String, count: u64 },
    /// Within each message group, consumers received messages in the order sent.
    FifoOrder { queue: String },
    /// The queue's message number `index` (from 0) has exactly this JSON body.
    BodyEquals {
        queue: String,
        index: usize,
        json: Value,
    },
    /// Archives kept `count` events.
    Archived { count: u64 },
    /// An MQTT client was delivered `count` messages, all on topics starting with
    /// `topic_prefix` when given.
    MqttDelivered {
        client: String,
        count: u64,
        #[serde(default)]
        topic_prefix: Option<String>,
    },
    /// The design has at most this many of each.
    AtMost {
        #[serde(default)]
        topics: Option<usize>,
        #[serde(default)]
        rules: Option<usize>,
        #[serde(default)]
        queues: Option<usize>,
        #[serde(default)]
        subscriptions: Option<usize>,
    },
    /// No message waited in the queue longer than this before it could be received.
    MaxWaitMs { queue: String, at_most_ms: u64 },
    /// (System) At most this many callbacks reached Customer Management.
    Callbacks { at_most: u64 },
    /// (System) Replica updates waited at most this long.
    Staleness { at_most_ms: u64 },
    /// (System) At least this many commands were refused.
    Refused { at_least: u64 },
    /// (System) The history has at least `at_least` events of this type (in one
    /// stream, when given).
    Events {
        event_type: String,
        #[serde(default)]
        stream: Option<String>,
        at_least: u64,
    },
    /// (System) A read model's figure: `dashboard` with a quote status, `customers`
    /// with `count`, `outbox` with `sent_email`.
    ReadModel {
        model: String,
        field: String,
        equals: u64,
    },
    /// (System) Replaying the history from zero gives the same read models.
    ReplayMatches,
    /// (System) In the sync-vs-async experiment, the queue path failed at most this
    /// many requests, and its depth peaked at most this high (when given).
    Decoupling {
        queue_failed_at_most: u32,
        #[serde(default)]
        queue_peak_at_most: Option<usize>,
    },
    /// (Schema) The new version keeps the exercise's compatibility mode against the
    /// current one: no upcaster needed.
    Compatible,
    /// (Schema) The registry accepts the new version: it keeps the mode, or an upcaster
    /// carries every stored event across.
    Registers,
    /// (Schema) The new version has the field (dotted path), of this JSON type and
    /// required or not when given; with `absent`, it has no such field.
    Field {
        path: String,
        #[serde(default)]
        of: Option<String>,
        #[serde(default)]
        required: Option<bool>,
        #[serde(default)]
        absent: bool,
    },
    /// (Schema) Every stored event of the type reads as the new version, as it is or
    /// through the upcaster: no history is lost.
    HistoryReadable,
}

/// One goal's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalResult {
    /// What the goal checks, in words.
    pub goal: String,
    pub passed: bool,
    /// What happened: why it passed, or what to change.
    pub detail: String,
}

/// A check of a design against an exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Report {
    /// Set when the design could not run at all; then every goal fails.
    pub error: Option<String>,
    pub results: Vec<GoalResult>,
    pub solved: bool,
    pub golf: u32,
    /// The trace entry kinds the run produced (beats can wait for one).
    pub trace_kinds: BTreeSet<String>,
    /// The run's figures: each channel's metrics (channels), or the style's costs
    /// (system).
    pub metrics: Value,
    /// What happened, oldest first (at most [`LOG_LINES`], the newest kept): trace
    /// entries (channels), or recorded events and refused commands (system).
    pub log: Vec<LogLine>,
}

/// Lines of the run's log a report keeps.
pub const LOG_LINES: usize = 300;

/// One thing that happened in a checked run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub at_ms: u64,
    /// A channel (`queue:work`) or a stream (`customer-c1`).
    pub place: String,
    /// What happened, in a few words.
    pub what: String,
}

/// A trace entry in a few words: its kind and its fields, long values shortened.
fn trace_line(e: &TraceEntry) -> LogLine {
    let v = serde_json::to_value(&e.kind).unwrap_or_default();
    let kind = v["kind"].as_str().unwrap_or("").replace('_', " ");
    let fields: Vec<String> = v
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.as_str() != "kind")
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    format!("{k}: {}", short(&text))
                })
                .collect()
        })
        .unwrap_or_default();
    LogLine {
        at_ms: e.at_ms,
        place: e.channel.clone(),
        what: if fields.is_empty() {
            kind
        } else {
            format!("{kind} ({})", fields.join("; "))
        },
    }
}

const STATUSES: [&str; 4] = ["requested", "issued", "accepted", "expired"];

impl Goal {
    pub fn kind(&self) -> Kind {
        match self {
            Goal::Callbacks { .. }
            | Goal::Staleness { .. }
            | Goal::Refused { .. }
            | Goal::Events { .. }
            | Goal::ReadModel { .. }
            | Goal::ReplayMatches
            | Goal::Decoupling { .. } => Kind::System,
            Goal::Compatible | Goal::Registers | Goal::Field { .. } | Goal::HistoryReadable => {
                Kind::Schema
            }
            _ => Kind::Channels,
        }
    }

    /// Whether the goal is about the design's own shape, and so holds whatever traffic
    /// runs through it (see [`crate::exercise::prove`]).
    pub fn about_shape(&self) -> bool {
        matches!(
            self,
            Goal::AtMost { .. } | Goal::Compatible | Goal::Field { .. }
        )
    }

    /// Checks the goal's own fields (a pattern must be valid, a model must exist).
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Goal::Delivered {
                matching: Some(p), ..
            } => EventPattern::parse(&p.to_string(), Dialect::EventBridge)
                .map(|_| ())
                .map_err(|e| format!("matching: {e}")),
            Goal::Delivered {
                count: None,
                matching: None,
                ..
            } => Err("give a count, a matching pattern, or both".into()),
            Goal::ReadModel { model, field, .. } => match (model.as_str(), field.as_str()) {
                ("dashboard", f) if STATUSES.contains(&f) => Ok(()),
                ("customers", "count") | ("outbox", "sent_email") | ("outbox", "pending") => {
                    Ok(())
                }
                _ => Err(format!(
                    "no read model figure {model}.{field}: use dashboard.{}, customers.count, outbox.sent_email or outbox.pending",
                    STATUSES.join("|")
                )),
            },
            Goal::Field { of: Some(t), .. } if crate::schemas::JsonType::parse(t).is_none() => {
                Err(format!(
                    "of: {t:?} is not a JSON type (array, boolean, integer, number, null, object, string)"
                ))
            }
            _ => Ok(()),
        }
    }

    /// What the goal checks, in words.
    pub fn describe(&self) -> String {
        match self {
            Goal::Delivered {
                queue,
                count,
                matching,
            } => match (count, matching) {
                (Some(n), Some(p)) => format!("{queue} receives exactly {n} messages, each matching {p}"),
                (Some(n), None) => format!("{queue} receives exactly {n} messages"),
                (None, Some(p)) => format!("every message {queue} receives matches {p}"),
                (None, None) => format!("{queue} receives messages"),
            },
            Goal::MaxDepth { queue, at_most } => {
                format!("{queue} never holds more than {at_most} messages")
            }
            Goal::NoLoss => "nothing is dropped and no step is refused".into(),
            Goal::MovedToDlq { queue, count } => {
                format!("{count} message(s) move from {queue} to its dead-letter queue")
            }
            Goal::FifoOrder { queue } => {
                format!("consumers of {queue} receive each group's messages in the order sent")
            }
            Goal::BodyEquals { queue, index, json } => {
                format!("message {} in {queue} is exactly {json}", index + 1)
            }
            Goal::Archived { count } => format!("archives keep {count} events"),
            Goal::MqttDelivered {
                client,
                count,
                topic_prefix,
            } => match topic_prefix {
                Some(p) => format!("{client} gets exactly {count} messages, all on topics under {p}"),
                None => format!("{client} gets exactly {count} messages"),
            },
            Goal::AtMost {
                topics,
                rules,
                queues,
                subscriptions,
            } => {
                let parts: Vec<String> = limits(topics, rules, queues, subscriptions)
                    .into_iter()
                    .filter_map(|(n, v)| v.map(|v| format!("{v} {n}")))
                    .collect();
                format!("the design uses at most {}", parts.join(", "))
            }
            Goal::MaxWaitMs { queue, at_most_ms } => format!(
                "every message in {queue} can be received within {} s",
                *at_most_ms as f64 / 1000.0
            ),
            Goal::Callbacks { at_most: 0 } => "no callback reaches Customer Management".into(),
            Goal::Callbacks { at_most } => {
                format!("at most {at_most} callbacks reach Customer Management")
            }
            Goal::Staleness { at_most_ms } => {
                format!("replicas are never more than {at_most_ms} ms stale")
            }
            Goal::Refused { at_least } => format!("at least {at_least} command(s) are refused"),
            Goal::Events {
                event_type,
                stream,
                at_least,
            } => match stream {
                Some(s) => format!("the history has at least {at_least} {event_type} in {s}"),
                None => format!("the history has at least {at_least} {event_type}"),
            },
            Goal::ReadModel {
                model,
                field,
                equals,
            } => format!("read model {model} shows {field} = {equals}"),
            Goal::ReplayMatches => {
                "replaying the history from zero gives the same read models".into()
            }
            Goal::Decoupling {
                queue_failed_at_most,
                queue_peak_at_most,
            } => match queue_peak_at_most {
                Some(p) => format!("through the queue, at most {queue_failed_at_most} requests fail and the depth peaks at most {p}"),
                None => format!("through the queue, at most {queue_failed_at_most} requests fail"),
            },
            Goal::Compatible => {
                "the new version keeps the registry's compatibility mode, with no upcaster needed".into()
            }
            Goal::Registers => "the registry accepts the new version".into(),
            Goal::Field {
                path,
                absent: true,
                ..
            } => format!("the new version has no field `{path}`"),
            Goal::Field {
                path, of, required, ..
            } => {
                let what = match required {
                    Some(true) => "a required field",
                    Some(false) => "an optional field",
                    None => "a field",
                };
                match of {
                    Some(t) => format!("the new version has {what} `{path}` of type {t}"),
                    None => format!("the new version has {what} `{path}`"),
                }
            }
            Goal::HistoryReadable => {
                "every stored event of the type reads as the new version: no history is lost".into()
            }
        }
    }
}

/// The channels run: the trace, the receives, and refused steps.
struct ChannelRun {
    trace: Vec<TraceEntry>,
    receives: Vec<crate::sim::ReceiveResult>,
    errors: Vec<String>,
    metrics: Value,
}

/// The simulation script a channels design runs as: the exercise's workload and the
/// design's steps in time order, on the design's topology (`dojo export script`).
pub fn script(ex: &Exercise, design: &Design) -> Result<Script, String> {
    let mut topology = design
        .topology
        .clone()
        .ok_or("the design needs a topology")?;
    // An exercise about a broker's behaviour fixes the broker: the design cannot swap it.
    if let Some(profile) = ex.mqtt_profile {
        topology.mqtt.profile = profile;
    }
    let mut steps = ex.workload.clone();
    steps.extend(design.steps.iter().cloned());
    steps.sort_by_key(|s| s.at_ms);
    let end = steps.last().map_or(0, |s| s.at_ms) + ex.run_for_ms;
    Ok(Script {
        seed: ex.seed,
        topology,
        steps,
        run_until_ms: Some(end),
    })
}

fn run_channels(ex: &Exercise, design: &Design) -> Result<ChannelRun, String> {
    let records = script::run(&script(ex, design)?).map_err(|e| format!("topology.{e}"))?;
    let mut run = ChannelRun {
        trace: Vec::new(),
        receives: Vec::new(),
        errors: Vec::new(),
        metrics: Value::Null,
    };
    for r in records {
        match r {
            Record::Trace(e) => run.trace.push(e),
            Record::Receive(r) => run.receives.push(r),
            Record::Error {
                step, at_ms, error, ..
            } => run
                .errors
                .push(format!("step {step} at {at_ms} ms was refused: {error}")),
            Record::Metrics { channels, .. } => run.metrics = channels,
            _ => {}
        }
    }
    Ok(run)
}

/// Checks a design against an exercise's goals.
pub fn check(ex: &Exercise, design: &Design) -> Report {
    let mut report = Report {
        golf: design.golf(),
        ..Report::default()
    };
    let verdicts: Result<Vec<(bool, String)>, String> = match ex.kind {
        Kind::Channels => run_channels(ex, design).map(|run| {
            report.trace_kinds = run
                .trace
                .iter()
                .filter_map(|e| serde_json::to_value(&e.kind).ok())
                .filter_map(|v| v["kind"].as_str().map(str::to_owned))
                .collect();
            report.metrics = run.metrics.clone();
            report.log = run.trace[run.trace.len().saturating_sub(LOG_LINES)..]
                .iter()
                .map(trace_line)
                .collect();
            ex.goals
                .iter()
                .map(|g| channel_goal(g, &run, design))
                .collect()
        }),
        Kind::Schema => super::evolve::run(ex, design).map(|run| {
            report.metrics = run.metrics();
            report.log = run
                .log()
                .into_iter()
                .map(|(place, what)| LogLine {
                    at_ms: 0,
                    place,
                    what,
                })
                .collect();
            ex.goals.iter().map(|g| schema_goal(g, &run)).collect()
        }),
        Kind::System => match &design.scenario {
            None => Err("the design needs a scenario".into()),
            Some(s) => {
                let outcome = services::run(s, false);
                report.metrics = serde_json::to_value(&outcome.metrics).unwrap_or_default();
                let mut log: Vec<LogLine> = outcome
                    .timeline
                    .entries()
                    .iter()
                    .map(|e| LogLine {
                        at_ms: e.at_ms,
                        place: e.event.stream_id(),
                        what: format!("{} recorded", e.event.type_name()),
                    })
                    .chain(outcome.refusals.iter().map(|r| LogLine {
                        at_ms: r.at_ms,
                        place: r.by.to_owned(),
                        what: format!("refused {}: {}", r.command, r.reason),
                    }))
                    .collect();
                log.sort_by_key(|l| l.at_ms);
                report.log = log.split_off(log.len().saturating_sub(LOG_LINES));
                Ok(ex
                    .goals
                    .iter()
                    .map(|g| system_goal(g, &outcome, s))
                    .collect())
            }
        },
    };
    match verdicts {
        Err(e) => {
            report.results = ex
                .goals
                .iter()
                .map(|g| GoalResult {
                    goal: g.describe(),
                    passed: false,
                    detail: format!("The design does not run: {e}"),
                })
                .collect();
            report.error = Some(e);
        }
        Ok(v) => {
            report.results = ex
                .goals
                .iter()
                .zip(v)
                .map(|(g, (passed, detail))| GoalResult {
                    goal: g.describe(),
                    passed,
                    detail,
                })
                .collect();
            report.solved = report.results.iter().all(|r| r.passed);
        }
    }
    report
}

fn channel_goal(goal: &Goal, run: &ChannelRun, design: &Design) -> (bool, String) {
    let in_queue = |q: &str| {
        let ch = format!("queue:{q}");
        run.trace
            .iter()
            .filter(move |e| e.channel == ch)
            .collect::<Vec<_>>()
    };
    let bodies = |q: &str| -> Vec<String> {
        in_queue(q)
            .into_iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Enqueued { body, .. } => Some(body.clone()),
                _ => None,
            })
            .collect()
    };
    match goal {
        Goal::Delivered {
            queue,
            count,
            matching,
        } => {
            let got = bodies(queue);
            if let Some(p) = matching {
                let pattern = match EventPattern::parse(&p.to_string(), Dialect::EventBridge) {
                    Ok(p) => p,
                    Err(e) => return (false, format!("The goal's pattern is invalid: {e}")),
                };
                if let Some((i, b)) = got
                    .iter()
                    .enumerate()
                    .find(|(_, b)| !crate::json::parse(b).is_ok_and(|j| pattern.matches(&j.value)))
                {
                    return (
                        false,
                        format!(
                            "Message {} in {queue} should not be there: {}",
                            i + 1,
                            short(b)
                        ),
                    );
                }
            }
            match count {
                Some(n) if got.len() as u64 != *n => (
                    false,
                    format!(
                        "{queue} received {} message(s), not {n}. {}",
                        got.len(),
                        match run.errors.first() {
                            Some(e) if (got.len() as u64) < *n =>
                                format!("A step was refused: {e}"),
                            None if (got.len() as u64) < *n => {
                                "Some that should arrive do not: check what routes to it."
                                    .to_owned()
                            }
                            _ =>
                                "Some arrive that should not: narrow what routes to it.".to_owned(),
                        }
                    ),
                ),
                _ => (true, format!("{queue} received {} message(s).", got.len())),
            }
        }
        Goal::MaxDepth { queue, .. } | Goal::MaxWaitMs { queue, .. }
            if !in_queue(queue)
                .iter()
                .any(|e| matches!(e.kind, TraceKind::Enqueued { .. })) =>
        {
            (
                false,
                format!("No message reached {queue}, so there is nothing to measure yet: route the traffic to it."),
            )
        }
        Goal::MaxDepth { queue, at_most } => {
            let peak = in_queue(queue)
                .iter()
                .filter_map(|e| match e.kind {
                    TraceKind::Enqueued { depth, .. } => Some(depth as u64),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            (
                peak <= *at_most,
                format!("{queue} peaked at {peak} message(s) (the limit is {at_most})."),
            )
        }
        Goal::NoLoss
            if !run
                .trace
                .iter()
                .any(|e| matches!(e.kind, TraceKind::Enqueued { .. } | TraceKind::Published { .. })) =>
        {
            (
                false,
                "Nothing was sent, so nothing could be lost: a quiet run proves nothing.".into(),
            )
        }
        Goal::NoLoss => {
            let dropped: Vec<String> = run
                .trace
                .iter()
                .filter_map(|e| match &e.kind {
                    TraceKind::Dropped { reason } => Some(format!("{}: {reason}", e.channel)),
                    _ => None,
                })
                .collect();
            match (dropped.first(), run.errors.first()) {
                (Some(d), _) => (
                    false,
                    format!(
                        "{} message(s) were dropped; the first on {d}",
                        dropped.len()
                    ),
                ),
                (None, Some(e)) => (false, format!("A step failed: {e}")),
                (None, None) => (true, "Nothing was dropped or refused.".into()),
            }
        }
        Goal::MovedToDlq { queue, count } => {
            let moved = in_queue(queue)
                .iter()
                .filter(|e| matches!(e.kind, TraceKind::MovedToDlq { .. }))
                .count() as u64;
            let dlq = design
                .topology
                .as_ref()
                .and_then(|t| t.queues.iter().find(|q| &q.name == queue))
                .and_then(|q| q.redrive.as_ref());
            match (moved == *count, dlq) {
                (true, _) => (true, format!("{moved} message(s) moved to the DLQ.")),
                (false, None) => (
                    false,
                    format!("{queue} has no dead-letter queue, so a message that keeps failing is received again and again."),
                ),
                (false, Some(r)) => (
                    false,
                    format!(
                        "{moved} message(s) moved to {} (expected {count}); maxReceiveCount is {}.",
                        r.dlq, r.max_receive_count
                    ),
                ),
            }
        }
        Goal::FifoOrder { queue } => {
            let sent: Vec<String> = in_queue(queue)
                .iter()
                .filter(|e| matches!(e.kind, TraceKind::Enqueued { .. }))
                .map(|e| e.message_id.clone())
                .collect();
            let mut seen = BTreeSet::new();
            let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for r in run.receives.iter().filter(|r| &r.queue == queue) {
                for m in &r.messages {
                    if seen.insert(m.message_id.clone()) {
                        by_group
                            .entry(m.group_id.clone().unwrap_or_default())
                            .or_default()
                            .push(m.message_id.clone());
                    }
                }
            }
            if by_group.is_empty() {
                return (false, format!("Nothing was received from {queue}."));
            }
            for (group, got) in &by_group {
                let mut expected: Vec<&String> =
                    sent.iter().filter(|id| got.contains(id)).collect();
                expected.dedup();
                if got.iter().collect::<Vec<_>>() != expected {
                    return (
                        false,
                        format!(
                            "Group {} was received as {} but sent as {}.",
                            if group.is_empty() { "(none)" } else { group },
                            got.join(", "),
                            expected
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
            if by_group.is_empty() {
                return (
                    false,
                    format!("No consumer received anything from {queue}, so there is no order to check yet."),
                );
            }
            (
                true,
                format!("{} group(s) were received in order.", by_group.len()),
            )
        }
        Goal::BodyEquals { queue, index, json } => match bodies(queue).get(*index) {
            None => (false, format!("{queue} has no message {} yet.", index + 1)),
            Some(b) => match serde_json::from_str::<Value>(b) {
                Ok(v) if &v == json => (true, format!("Message {} is {b}.", index + 1)),
                _ => (
                    false,
                    format!("Message {} is {} instead.", index + 1, short(b)),
                ),
            },
        },
        Goal::Archived { count } => {
            let n = run
                .trace
                .iter()
                .filter(|e| matches!(e.kind, TraceKind::Archived { .. }))
                .count() as u64;
            (
                n == *count,
                format!("Archives kept {n} event(s) (expected {count})."),
            )
        }
        Goal::MqttDelivered {
            client,
            count,
            topic_prefix,
        } => {
            let got: Vec<String> = run
                .trace
                .iter()
                .filter(|e| e.channel == "mqtt:broker")
                .filter_map(|e| match &e.kind {
                    TraceKind::Delivered {
                        consumer,
                        receipt_handle,
                        ..
                    } if consumer == client => {
                        Some(topic_of(receipt_handle.as_deref().unwrap_or("")).to_owned())
                    }
                    _ => None,
                })
                .collect();
            if let Some(p) = topic_prefix {
                if let Some(t) = got.iter().find(|t| !t.starts_with(p.as_str())) {
                    return (false, format!("{client} got a message on {t} too."));
                }
            }
            (
                got.len() as u64 == *count,
                format!("{client} got {} message(s) (expected {count}).", got.len()),
            )
        }
        Goal::AtMost {
            topics,
            rules,
            queues,
            subscriptions,
        } => {
            let t = design.topology.clone().unwrap_or_default();
            let have = [
                t.topics.len(),
                t.rules.len(),
                t.queues.len(),
                t.subscriptions.len(),
            ];
            for ((name, limit), have) in limits(topics, rules, queues, subscriptions)
                .into_iter()
                .zip(have)
            {
                if let Some(l) = limit {
                    if have > l {
                        return (
                            false,
                            format!("The design has {have} {name}; use at most {l}."),
                        );
                    }
                }
            }
            (true, "The design is small enough.".into())
        }
        Goal::MaxWaitMs { queue, at_most_ms } => {
            let worst = in_queue(queue)
                .iter()
                .filter_map(|e| match &e.kind {
                    TraceKind::Delayed { until_ms, .. } => Some(until_ms.saturating_sub(e.at_ms)),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            (
                worst <= *at_most_ms,
                format!(
                    "The longest wait in {queue} was {} s.",
                    worst as f64 / 1000.0
                ),
            )
        }
        other => (
            false,
            format!(
                "\"{}\" checks the services, not channels.",
                other.describe()
            ),
        ),
    }
}

/// An `at_most` goal's limits by name, in one order for describing and for checking.
fn limits(
    topics: &Option<usize>,
    rules: &Option<usize>,
    queues: &Option<usize>,
    subscriptions: &Option<usize>,
) -> [(&'static str, Option<usize>); 4] {
    [
        ("topics", *topics),
        ("rules", *rules),
        ("queues", *queues),
        ("subscriptions", *subscriptions),
    ]
}

/// An MQTT delivery's topic, from its handle: `packet 3 on quotes/north` or `on quotes/north`.
fn topic_of(handle: &str) -> &str {
    handle
        .rfind(" on ")
        .map(|i| &handle[i + 4..])
        .or_else(|| handle.strip_prefix("on "))
        .unwrap_or(handle)
}

fn short(text: &str) -> String {
    let s: String = text.chars().take(120).collect();
    if s.len() < text.len() {
        format!("{s}…")
    } else {
        s
    }
}

fn schema_goal(goal: &Goal, run: &super::evolve::EvolveRun) -> (bool, String) {
    match goal {
        Goal::Compatible => run.compatible(),
        Goal::Registers => run.registers(),
        Goal::Field {
            path,
            of,
            required,
            absent,
        } => run.field(path, of.as_deref(), *required, *absent),
        Goal::HistoryReadable => run.history_readable(),
        other => (false, format!("{} is not a schema goal", other.describe())),
    }
}

fn system_goal(goal: &Goal, o: &Outcome, s: &crate::services::Scenario) -> (bool, String) {
    let m = &o.metrics;
    match goal {
        // Limits and comparisons mean something only once something has happened.
        Goal::Callbacks { .. } | Goal::ReplayMatches | Goal::ReadModel { .. }
            if o.timeline.is_empty() =>
        {
            (
                false,
                "The history is empty: no command was sent, so there is nothing to measure yet."
                    .into(),
            )
        }
        Goal::Callbacks { at_most } => (
            m.callbacks <= *at_most,
            format!(
                "{} callbacks reached Customer Management, {} in the busiest second.",
                m.callbacks, m.peak_callbacks_per_s
            ),
        ),
        Goal::Staleness { at_most_ms } => (
            m.max_staleness_ms <= *at_most_ms && m.replica_updates > 0,
            if m.replica_updates == 0 {
                "No replica was updated: in this style the services keep no replicas.".into()
            } else {
                format!(
                    "Replica updates waited up to {} ms (mean {} ms).",
                    m.max_staleness_ms, m.mean_staleness_ms
                )
            },
        ),
        Goal::Refused { at_least } => {
            let n = o.refusals.len() as u64;
            (
                n >= *at_least,
                match o.refusals.first() {
                    Some(r) => format!(
                        "{n} command(s) refused; the first: {} by {}: {}",
                        r.command, r.by, r.reason
                    ),
                    None => "Every command was carried out; none was refused.".into(),
                },
            )
        }
        Goal::Events {
            event_type,
            stream,
            at_least,
        } => {
            let n = o
                .timeline
                .entries()
                .iter()
                .filter(|e| e.event.type_name() == event_type)
                .filter(|e| stream.as_ref().is_none_or(|s| &e.event.stream_id() == s))
                .count() as u64;
            (
                n >= *at_least,
                format!("The history has {n} {event_type} (needs {at_least})."),
            )
        }
        Goal::ReadModel {
            model,
            field,
            equals,
        } => {
            let rm = o.read_models();
            let got = match (model.as_str(), field.as_str()) {
                ("dashboard", f) => STATUSES.iter().position(|x| *x == f).map(|i| {
                    use crate::domain::QuoteStatus::*;
                    rm.dashboard
                        .count([Requested, Issued, Accepted, Expired][i])
                }),
                ("customers", "count") => Some(rm.customers.customers.len() as u64),
                ("outbox", "sent_email") => Some(rm.outbox.sent_email),
                ("outbox", "pending") => Some(rm.outbox.pending.len() as u64),
                _ => None,
            };
            match got {
                None => (false, format!("There is no figure {model}.{field}.")),
                Some(v) => (
                    v == *equals,
                    format!("{model}.{field} is {v} (needs {equals})."),
                ),
            }
        }
        Goal::ReplayMatches => {
            let mut rebuilt = crate::projection::ReadModels::default();
            for e in o.timeline.entries() {
                rebuilt.apply(e);
            }
            let diff = rebuilt.diff(o.read_models());
            match diff.first() {
                None => (
                    true,
                    format!(
                        "Replaying {} events from zero gave the same read models.",
                        o.timeline.len()
                    ),
                ),
                Some(d) => (
                    false,
                    format!("Replaying differs in {} {}.", d.model, d.key),
                ),
            }
        }
        Goal::Decoupling {
            queue_failed_at_most,
            queue_peak_at_most,
        } => match &s.decoupling {
            None => (
                false,
                "The scenario has no sync-vs-async experiment (\"decoupling\").".into(),
            ),
            Some(d) => {
                let r = services::decoupling::simulate(d, s.seed);
                let ok = r.queue_failed <= *queue_failed_at_most
                    && queue_peak_at_most.is_none_or(|p| r.queue_peak_depth <= p);
                (
                    ok,
                    format!(
                        "Through the queue {} requests failed and the depth peaked at {}; pushed through the load balancer {} failed.",
                        r.queue_failed, r.queue_peak_depth, r.load_balancer_failed
                    ),
                )
            }
        },
        other => (
            false,
            format!(
                "\"{}\" checks channels, not the services.",
                other.describe()
            ),
        ),
    }
}

/// Used by tests and the CLI: a goal in words with its verdict, one line.
pub fn line(r: &GoalResult) -> String {
    format!(
        "{} {}: {}",
        if r.passed { "pass" } else { "FAIL" },
        r.goal,
        r.detail
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_model_goals_name_the_figures_that_exist() {
        let g = Goal::ReadModel {
            model: "dashboard".into(),
            field: "bound".into(),
            equals: 1,
        };
        let e = g.validate().expect_err("no such figure");
        assert!(
            e.contains("dashboard.requested|issued|accepted|expired"),
            "{e}"
        );
    }

    #[test]
    fn a_delivered_goal_needs_a_count_or_a_pattern() {
        let g: Goal =
            serde_json::from_value(serde_json::json!({"goal": "delivered", "queue": "q"}))
                .expect("parses");
        assert!(g.validate().is_err());
        let bad: Result<Goal, _> = serde_json::from_value(
            serde_json::json!({"goal": "delivered", "queue": "q", "cuont": 1}),
        );
        assert!(bad.is_err(), "unknown fields are refused");
    }
}
