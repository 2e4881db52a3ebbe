//! The mock panel's experiments: each question's "what happens when…?" run on the
//! learner's own design, beside the same design run as it is.
//!
//! A run drives the simulation as its consumers would: every queue that is not a
//! dead-letter queue has [`WORKERS`] workers, each of which receives one message, works
//! on it for [`WORK_MS`] and deletes it. The experiment changes one thing (a consumer
//! down, a poison message, a duplicate send, a spike, a replay, a renamed field) and the
//! two runs' [`Figures`] are compared into what happened. Every step a run takes is kept
//! as a [`Script`], so the lab can replay the experiment exactly as it ran.

use super::Experiment;
use crate::sim::script::{self, HandleAction, PutEvents, Script, Step};
use crate::sim::{ReceiveRequest, ReplayRequest, SendRequest, TraceKind, World};
use crate::topology::{Endpoint, HandlerConfig, QueueConfig, RuleConfig, TargetConfig, Topology};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Workers that consume each queue.
pub const WORKERS: usize = 2;
/// How long a worker takes over one message before it deletes it.
pub const WORK_MS: u64 = 1_000;
/// How long a run goes on after the last thing done to it: long enough for visibility
/// timeouts, redrives and retries to play out.
pub const SETTLE_MS: u64 = 10 * 60_000;
/// Waits longer than this much beyond the design's own count as late.
pub const LATE_MS: u64 = 10_000;
/// The consumer every worker receives as: the lab's, so the lab replays the run as it was.
pub const CONSUMER: &str = "you";
/// The queue and rule an archive replay feeds: a read model made after the events.
pub const NEW_READ_MODEL: &str = "panel-new-read-model";
/// The poison message's body.
pub const POISON: &str = r#"{"poison":"a message its consumer can never process"}"#;

/// What a learner predicts, and what the experiment shows happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Unaffected,
    Late,
    Duplicated,
    DeadLettered,
    Stuck,
    Lost,
}

impl Choice {
    pub const ALL: [Choice; 6] = [
        Choice::Unaffected,
        Choice::Late,
        Choice::Duplicated,
        Choice::DeadLettered,
        Choice::Stuck,
        Choice::Lost,
    ];

    /// The choice as a learner reads it.
    pub fn label(self) -> &'static str {
        match self {
            Choice::Unaffected => "Nothing changes: every message is handled as before",
            Choice::Late => "Nothing is lost, but messages are handled late",
            Choice::Duplicated => "A message is handled twice",
            Choice::DeadLettered => "Messages end up in a dead-letter queue",
            Choice::Stuck => "Messages stay in a queue, retried again and again",
            Choice::Lost => "Messages are lost, or reach no one",
        }
    }

    /// The choice's name in files and test ids: `dead_lettered`.
    pub fn key(self) -> &'static str {
        match self {
            Choice::Unaffected => "unaffected",
            Choice::Late => "late",
            Choice::Duplicated => "duplicated",
            Choice::DeadLettered => "dead_lettered",
            Choice::Stuck => "stuck",
            Choice::Lost => "lost",
        }
    }
}

/// One run's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Messages and events the producers sent: the workload's and the experiment's own.
    pub sent: u64,
    /// Messages consumers finished: deleted from a queue, or accepted by a handler.
    pub handled: u64,
    /// Handlings of a body its queue's consumer had already handled.
    pub handled_twice: u64,
    /// Messages that reached a dead-letter queue.
    pub dead_lettered: u64,
    /// Messages the channels dropped (retries given up with no dead-letter queue,
    /// retention ended), and the first reason.
    pub dropped: u64,
    pub first_drop: Option<String>,
    /// Messages still in a consumed queue when the run ended.
    pub left_in_queues: u64,
    /// The most times one message was received.
    pub most_receives: u32,
    /// The longest a message waited between arriving and a consumer taking it (a
    /// message never taken waits until the end).
    pub longest_wait_ms: u64,
    /// Events each rule matched, by `bus/rule`.
    pub matched: BTreeMap<String, u64>,
    /// Events put on each bus by producers (not replays).
    pub put_on_bus: BTreeMap<String, u64>,
    /// Messages each queue received.
    pub arrived: BTreeMap<String, u64>,
    /// When the run ended (simulated ms).
    pub ended_ms: u64,
}

/// What an experiment showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub happened: Choice,
    /// What happened, in sentences with the measured figures.
    pub facts: Vec<String>,
    /// The design with its workload, as it is.
    pub before: Figures,
    /// The same with the experiment.
    pub after: Figures,
    /// The experiment as it ran: the design as the experiment changed it, and every step
    /// taken (the workload, the experiment's own, and the workers' receives and deletes).
    pub script: Script,
    /// The experiment's trace hash, which replaying `script` gives again.
    pub trace_hash: String,
}

/// One run to drive: a topology, its timed actions, and what the experiment does to
/// the consumers.
struct Trial {
    topology: Topology,
    actions: Vec<Step>,
    /// A queue whose workers stop until this time.
    paused: Option<(String, u64)>,
    /// The action (by index) that sends the poison message.
    poison_at: Option<usize>,
}

/// A finished run: its figures, its script, and each queue's first message handled
/// (body, group, deduplication id, when it arrived).
struct Driven {
    figures: Figures,
    trace_hash: String,
    script: Script,
    first: BTreeMap<String, (String, Option<String>, Option<String>, u64)>,
}

struct Worker {
    queue: String,
    /// When the work ends, and the receipt handle, message id and body held.
    busy: Option<(u64, String, String, String)>,
}

/// Runs the experiment on `topology` with its `workload`, and the design as it is, and
/// says what changed.
pub fn run(
    topology: &Topology,
    workload: &[Step],
    seed: u64,
    experiment: &Experiment,
) -> Result<Outcome, String> {
    let mut actions = workload.to_vec();
    actions.sort_by_key(|s| s.at_ms);
    let plain = Trial {
        topology: topology.clone(),
        actions: actions.clone(),
        paused: None,
        poison_at: None,
    };
    let before = drive(&plain, seed)?;
    let trial = prepare(plain, &before, experiment);
    let after = drive(&trial, seed)?;
    let (happened, facts) = judge(experiment, &before.figures, &after.figures);
    Ok(Outcome {
        happened,
        facts,
        before: before.figures,
        after: after.figures,
        script: after.script,
        trace_hash: after.trace_hash,
    })
}

/// The trial an experiment makes of the plain run.
fn prepare(mut trial: Trial, before: &Driven, experiment: &Experiment) -> Trial {
    let first_at = trial.actions.first().map_or(0, |s| s.at_ms);
    let last_at = trial.actions.last().map_or(0, |s| s.at_ms);
    match experiment {
        Experiment::ConsumerDown { consumer, hours } => {
            let until = first_at + u64::from(*hours) * 3_600_000;
            match consumer {
                Endpoint::Handler(h) => {
                    match trial.topology.handlers.iter_mut().find(|x| &x.name == h) {
                        Some(x) => x.down_until_ms = Some(until),
                        None => trial.topology.handlers.push(HandlerConfig {
                            name: h.clone(),
                            fail_first: 0,
                            fail_always: false,
                            down_until_ms: Some(until),
                            error_code: "THROTTLING".into(),
                        }),
                    }
                }
                Endpoint::Queue(q) => trial.paused = Some((q.clone(), until)),
                Endpoint::Topic(_) | Endpoint::Bus(_) => {}
            }
        }
        Experiment::PoisonMessage { queue } => {
            let fifo = is_fifo(&trial.topology, queue);
            // In a FIFO queue the poison joins the group of the first message handled
            // there, so what follows it in that group waits behind it.
            let group = fifo.then(|| {
                before
                    .first
                    .get(queue)
                    .and_then(|(_, g, _, _)| g.clone())
                    .unwrap_or_else(|| "poison".into())
            });
            trial.actions.insert(
                0,
                Step {
                    at_ms: first_at,
                    send: Some(SendRequest {
                        queue: queue.clone(),
                        body: POISON.into(),
                        attributes: Default::default(),
                        delay_s: None,
                        group_id: group,
                        dedup_id: fifo.then(|| "poison".into()),
                    }),
                    ..Step::default()
                },
            );
            trial.poison_at = Some(0);
        }
        Experiment::DuplicateDelivery { queue } => {
            // The producer's send timed out, so it sent the first message again a second
            // after the first copy arrived: the same body, group and deduplication id.
            if let Some((body, group, dedup, arrived)) = before.first.get(queue) {
                let again = Step {
                    at_ms: arrived + 1_000,
                    send: Some(SendRequest {
                        queue: queue.clone(),
                        body: body.clone(),
                        attributes: Default::default(),
                        delay_s: None,
                        group_id: group.clone(),
                        dedup_id: dedup.clone(),
                    }),
                    ..Step::default()
                };
                let at = trial.actions.partition_point(|s| s.at_ms <= again.at_ms);
                trial.actions.insert(at, again);
            }
        }
        Experiment::Spike { times, .. } => {
            trial.actions = trial
                .actions
                .iter()
                .flat_map(|s| std::iter::repeat_n(s.clone(), *times as usize))
                .collect();
        }
        Experiment::ArchiveReplay { bus } => {
            trial
                .topology
                .queues
                .push(QueueConfig::named(NEW_READ_MODEL));
            trial.topology.rules.push(RuleConfig {
                name: NEW_READ_MODEL.into(),
                bus: bus.clone(),
                pattern: serde_json::json!({ "replay-name": [{ "exists": true }] }),
                enabled: true,
                targets: vec![TargetConfig {
                    id: "new".into(),
                    endpoint: Endpoint::Queue(NEW_READ_MODEL.into()),
                    input: None,
                    input_path: None,
                    input_transformer: None,
                    retry_policy: Default::default(),
                    dlq: None,
                    sqs_parameters: None,
                }],
            });
            let archives: Vec<String> = trial
                .topology
                .archives
                .iter()
                .filter(|a| &a.bus == bus)
                .map(|a| a.name.clone())
                .collect();
            for (i, archive) in archives.into_iter().enumerate() {
                trial.actions.push(Step {
                    at_ms: last_at + 60_000,
                    start_replay: Some(ReplayRequest {
                        name: format!("panel-replay-{}", i + 1),
                        archive,
                        event_start_time: "1970-01-01T00:00:00Z".into(),
                        event_end_time: "2999-01-01T00:00:00Z".into(),
                        rules: Some(vec![NEW_READ_MODEL.into()]),
                    }),
                    ..Step::default()
                });
            }
        }
        Experiment::ChangedShape { bus, field, .. } => rename_field(&mut trial, Some(bus), field),
        Experiment::FilterChangedShape { field, .. } => rename_field(&mut trial, None, field),
    }
    trial
}

/// Renames `field` (`detail.premium`) in every event put on `bus` (on any bus without
/// one).
fn rename_field(trial: &mut Trial, bus: Option<&String>, field: &str) {
    let path: Vec<&str> = field.split('.').skip(1).collect();
    for step in &mut trial.actions {
        if let Some(PutEvents { bus: b, entries }) = &mut step.put_events {
            if bus.is_none_or(|bus| bus == b) {
                for e in entries.iter_mut() {
                    rename_in(&mut e.detail, &path);
                }
            }
        }
    }
}

/// Renames the field at `path` (inside `detail`) to `<name>_v2`, where it exists.
fn rename_in(detail: &mut serde_json::Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = detail;
    for p in parents {
        match at.get_mut(*p) {
            Some(inner) => at = inner,
            None => return,
        }
    }
    if let Some(m) = at.as_object_mut() {
        if let Some(v) = m.remove(*last) {
            m.insert(format!("{last}_v2"), v);
        }
    }
}

fn is_fifo(t: &Topology, queue: &str) -> bool {
    t.queues.iter().any(|q| q.name == queue && q.fifo)
}

/// Whether a worker could take a message from the queue now: a visible message, in a
/// FIFO queue one whose group no message in flight locks.
fn takeable(world: &World, queue: &str) -> bool {
    world.peek(queue).is_some_and(|p| {
        p.messages.iter().any(|m| {
            m.state == "visible"
                && m.group_id
                    .as_ref()
                    .is_none_or(|g| !p.locked_groups.iter().any(|(l, _)| l == g))
        })
    })
}

/// Runs a trial with its workers to the end.
fn drive(trial: &Trial, seed: u64) -> Result<Driven, String> {
    let mut world = World::new(&trial.topology, seed).map_err(|e| e.to_string())?;
    let dlqs: BTreeSet<String> = super::dead_letter_queues(&trial.topology)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let consumed: Vec<String> = trial
        .topology
        .queues
        .iter()
        .map(|q| q.name.clone())
        .filter(|q| !dlqs.contains(q))
        .collect();
    let mut workers: Vec<Worker> = consumed
        .iter()
        .flat_map(|q| {
            (0..WORKERS).map(|_| Worker {
                queue: q.clone(),
                busy: None,
            })
        })
        .collect();
    let last_at = trial.actions.last().map_or(0, |s| s.at_ms);
    let resume = trial.paused.as_ref().map_or(0, |(_, t)| *t);
    let down = trial
        .topology
        .handlers
        .iter()
        .filter_map(|h| h.down_until_ms)
        .max()
        .unwrap_or(0);
    let horizon = last_at.max(resume).max(down) + SETTLE_MS;
    let mut steps: Vec<Step> = Vec::new();
    let mut figures = Figures::default();
    let mut poison_id: Option<String> = None;
    let mut handled_bodies: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut first = BTreeMap::new();
    let mut next_action = 0;
    let mut t = 0u64;
    loop {
        world.run_until(t);
        while let Some(step) = trial.actions.get(next_action).filter(|s| s.at_ms <= t) {
            let result = script::apply(&mut world, steps.len(), step)
                .map_err(|e| format!("the experiment's step at {} ms failed: {}", t, e.message))?;
            if trial.poison_at == Some(next_action) {
                poison_id = result["message_id"].as_str().map(str::to_owned);
            }
            figures.sent += step
                .put_events
                .as_ref()
                .map_or(0, |p| p.entries.len() as u64)
                + u64::from(step.send.is_some() || step.publish.is_some());
            steps.push(Step {
                at_ms: t,
                ..step.clone()
            });
            next_action += 1;
        }
        for w in &mut workers {
            let Some((done, handle, id, body)) = w.busy.take_if(|(done, ..)| *done <= t) else {
                continue;
            };
            debug_assert!(done <= t);
            if poison_id.as_deref() == Some(id.as_str()) {
                // The consumer fails on it: no delete, so it comes back.
                continue;
            }
            if world.delete(&w.queue, &handle).is_ok() {
                steps.push(Step {
                    at_ms: t,
                    delete: Some(HandleAction {
                        queue: w.queue.clone(),
                        receipt_handle: Some(handle),
                        consumer: None,
                        timeout_s: None,
                    }),
                    ..Step::default()
                });
                figures.handled += 1;
                let n = handled_bodies.entry((w.queue.clone(), body)).or_default();
                if *n > 0 {
                    figures.handled_twice += 1;
                }
                *n += 1;
            }
        }
        for w in &mut workers {
            let paused = trial
                .paused
                .as_ref()
                .is_some_and(|(q, until)| q == &w.queue && t < *until);
            if w.busy.is_some() || paused || !takeable(&world, &w.queue) {
                continue;
            }
            let request = ReceiveRequest {
                queue: w.queue.clone(),
                consumer: CONSUMER.into(),
                max: 1,
                wait_s: Some(0),
                visibility_timeout_s: None,
                step: None,
            };
            world
                .receive(&request)
                .map_err(|e| format!("a worker's receive failed: {}", e.message))?;
            steps.push(Step {
                at_ms: t,
                receive: Some(request),
                ..Step::default()
            });
            for m in world
                .take_completed_receives()
                .into_iter()
                .flat_map(|r| r.messages)
            {
                first
                    .entry(w.queue.clone())
                    .or_insert_with(|| (m.body.clone(), m.group_id.clone(), m.dedup_id.clone(), t));
                w.busy = Some((t + WORK_MS, m.receipt_handle, m.message_id, m.body));
            }
        }
        let next = [
            trial.actions.get(next_action).map(|s| s.at_ms),
            workers
                .iter()
                .filter_map(|w| w.busy.as_ref().map(|b| b.0))
                .min(),
            world.next_timer_at(),
            trial
                .paused
                .as_ref()
                .map(|(_, until)| *until)
                .filter(|u| *u > t),
        ]
        .into_iter()
        .flatten()
        .min();
        match next {
            Some(n) if n <= horizon => t = n.max(t + u64::from(n <= t)),
            _ => break,
        }
    }
    world.run_until(horizon);
    figures.ended_ms = horizon;
    measure(&world, &consumed, &dlqs, &mut figures);
    // The arrival time `first` keeps is the receive; use the enqueue instead.
    let arrivals = arrivals(&world);
    for (queue, entry) in first.iter_mut() {
        if let Some(at) = arrivals.get(queue) {
            entry.3 = *at;
        }
    }
    Ok(Driven {
        figures,
        trace_hash: world.trace_hash(),
        script: Script {
            seed,
            topology: trial.topology.clone(),
            steps,
            run_until_ms: Some(horizon),
        },
        first,
    })
}

/// Each queue's first enqueue time.
fn arrivals(world: &World) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for e in world.trace() {
        if let (Some(q), TraceKind::Enqueued { .. }) = (e.channel.strip_prefix("queue:"), &e.kind) {
            out.entry(q.to_owned()).or_insert(e.at_ms);
        }
    }
    out
}

/// Reads the figures the trace and the queues give.
fn measure(world: &World, consumed: &[String], dlqs: &BTreeSet<String>, f: &mut Figures) {
    let mut enqueued: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut published: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut taken: BTreeSet<(String, String)> = BTreeSet::new();
    for e in world.trace() {
        let key = (e.channel.clone(), e.message_id.clone());
        match &e.kind {
            TraceKind::Published { replay_name, .. } => {
                published.entry(key).or_insert(e.at_ms);
                if let (Some(bus), None) = (e.channel.strip_prefix("bus:"), replay_name) {
                    *f.put_on_bus.entry(bus.to_owned()).or_default() += 1;
                }
            }
            TraceKind::Enqueued { .. } => {
                let queue = e.channel.trim_start_matches("queue:").to_owned();
                if enqueued.insert(key, e.at_ms).is_none() {
                    *f.arrived.entry(queue.clone()).or_default() += 1;
                    if dlqs.contains(&queue) {
                        f.dead_lettered += 1;
                    }
                }
            }
            TraceKind::Routed {
                via, matched: true, ..
            } => {
                if let Some(rule) = via.strip_prefix("rule:") {
                    let bus = e.channel.trim_start_matches("bus:");
                    *f.matched.entry(format!("{bus}/{rule}")).or_default() += 1;
                } else if via.starts_with("subscription[") {
                    *f.matched.entry(format!("{}/{via}", e.channel)).or_default() += 1;
                }
            }
            TraceKind::Dropped { reason } => {
                f.dropped += 1;
                f.first_drop.get_or_insert_with(|| reason.clone());
            }
            TraceKind::Delivered {
                consumer,
                receive_count,
                ..
            } => {
                if consumer == CONSUMER {
                    f.most_receives = f.most_receives.max(*receive_count);
                    if taken.insert(key.clone()) {
                        if let Some(at) = enqueued.get(&key) {
                            f.longest_wait_ms = f.longest_wait_ms.max(e.at_ms - at);
                        }
                    }
                } else if !e.channel.starts_with("queue:") && !e.channel.starts_with("mqtt:") {
                    // A push to a handler (a rule's or a subscription's).
                    if consumer.starts_with("handler:") || !consumer.contains(':') {
                        f.handled += 1;
                        if let Some(at) = published.get(&key) {
                            f.longest_wait_ms = f.longest_wait_ms.max(e.at_ms - at);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for q in consumed {
        let Some(p) = world.peek(q) else { continue };
        f.left_in_queues += p.messages.len() as u64;
        for m in &p.messages {
            let key = (format!("queue:{q}"), m.message_id.clone());
            if !taken.contains(&key) {
                if let Some(at) = enqueued.get(&key) {
                    f.longest_wait_ms = f.longest_wait_ms.max(f.ended_ms - at);
                }
            }
        }
    }
}

fn seconds(ms: u64) -> String {
    if ms >= 120_000 {
        format!("{:.0} min", ms as f64 / 60_000.0)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// How many events a rule (`bus/rule`) or subscription (`topic:t/subscription[i]`)
/// matched as designed and with the experiment.
fn matched(before: &Figures, after: &Figures, key: &str) -> (u64, u64) {
    let of = |f: &Figures| f.matched.get(key).copied().unwrap_or(0);
    (of(before), of(after))
}

/// What happened, the headline and the measured sentences.
fn judge(experiment: &Experiment, before: &Figures, after: &Figures) -> (Choice, Vec<String>) {
    let mut facts = vec![format!(
        "As designed: {} message(s) handled, the longest wait {}. With the experiment: {} handled, the longest wait {}.",
        before.handled,
        seconds(before.longest_wait_ms),
        after.handled,
        seconds(after.longest_wait_ms)
    )];
    let mut missing = 0;
    match experiment {
        Experiment::ChangedShape { rule, bus, field } => {
            let (b, a) = matched(before, after, &format!("{bus}/{rule}"));
            missing = b.saturating_sub(a);
            facts.push(format!(
                "With {field} renamed, rule {rule} matched {a} event(s) where it matched {b}. {}",
                if missing > 0 {
                    format!("The other {missing} reached none of its targets, and nothing reported an error: the events were put on the bus successfully.")
                } else {
                    "It does not depend on the field's name for these events.".into()
                }
            ));
        }
        Experiment::FilterChangedShape {
            topic,
            index,
            endpoint,
            field,
        } => {
            let (b, a) = matched(before, after, &format!("topic:{topic}/subscription[{index}]"));
            missing = b.saturating_sub(a);
            facts.push(format!(
                "With {field} renamed, the subscription of {endpoint} to topic {topic} delivered {a} message(s) where it delivered {b}. {}",
                if missing > 0 {
                    format!("The other {missing} reached no one, and nothing reported an error: the filter policy simply did not match.")
                } else {
                    "It does not depend on the field's name for these events.".into()
                }
            ));
        }
        Experiment::ArchiveReplay { bus } => {
            let put = after.put_on_bus.get(bus).copied().unwrap_or(0);
            let got = after.arrived.get(NEW_READ_MODEL).copied().unwrap_or(0);
            missing = put.saturating_sub(got);
            facts.push(if got == 0 {
                format!("{put} event(s) were put on bus {bus}. A read model created after them got none: nothing kept them to replay.")
            } else {
                format!("{put} event(s) were put on bus {bus}. Replayed from the archive, a read model created after them got {got}.")
            });
        }
        Experiment::Spike { queue, times } => facts.push(format!(
            "{} times the workload: {} sent instead of {}; {queue} received {} message(s) instead of {}.",
            times,
            after.sent,
            before.sent,
            after.arrived.get(queue).copied().unwrap_or(0),
            before.arrived.get(queue).copied().unwrap_or(0),
        )),
        Experiment::PoisonMessage { queue } => facts.push(format!(
            "The poison message was received {} time(s) from {queue} and never deleted by its consumer.",
            after.most_receives
        )),
        Experiment::DuplicateDelivery { queue } => facts.push(format!(
            "The producer sent {queue}'s first message again a second after the first copy arrived."
        )),
        Experiment::ConsumerDown { consumer, hours } => facts.push(format!(
            "{} was down for {hours} hour(s) from the first event.",
            consumer.describe()
        )),
    }
    let dropped = after.dropped.saturating_sub(before.dropped);
    if dropped > 0 {
        facts.push(format!(
            "{dropped} message(s) were dropped: {}.",
            after.first_drop.as_deref().unwrap_or("no reason given")
        ));
    }
    let dead = after.dead_lettered.saturating_sub(before.dead_lettered);
    if dead > 0 {
        facts.push(format!(
            "{dead} message(s) reached a dead-letter queue, where they wait to be looked at and redriven."
        ));
    }
    let left = after.left_in_queues.saturating_sub(before.left_in_queues);
    if left > 0 {
        facts.push(format!(
            "{left} message(s) were still in a queue {} after the last thing sent, never handled.",
            seconds(SETTLE_MS)
        ));
    }
    let twice = after.handled_twice.saturating_sub(before.handled_twice);
    if twice > 0 {
        facts.push(format!(
            "{twice} message(s) were handled twice: the consumer did the same work again."
        ));
    }
    let late = after.longest_wait_ms > before.longest_wait_ms + LATE_MS;
    let happened = if dropped + missing > 0 {
        Choice::Lost
    } else if dead > 0 {
        Choice::DeadLettered
    } else if left > 0 {
        Choice::Stuck
    } else if twice > 0 {
        Choice::Duplicated
    } else if late {
        Choice::Late
    } else {
        Choice::Unaffected
    };
    (happened, facts)
}

#[cfg(test)]
mod tests;
