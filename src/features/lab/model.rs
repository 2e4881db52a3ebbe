//! The lab's saved state (a topology and what was sent through it, on a virtual clock)
//! and one run of it on a fresh simulated world: the trace, each queue as a peek shows
//! it, message counts per canvas edge, and the last message's journey in words.

use dojo_engine::sim::contents::ChannelTimeline;
use dojo_engine::sim::{
    narrate_publish, PublishRequest, PutEventsEntry, QueuePeek, ReceiveRequest, ReplayRequest,
    SendRequest, SetQueueAttributes, TraceEntry, TraceKind, World,
};
use dojo_engine::topology::Topology;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The consumer name the lab receives as.
pub const CONSUMER: &str = "you";

/// Something done to the topology, replayed on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Sent {
    Queue(SendRequest),
    Topic(PublishRequest),
    /// An event on the default bus (older saved labs have only these).
    Bus(PutEventsEntry),
    /// An event on a named bus.
    PutOn {
        bus: String,
        entry: PutEventsEntry,
    },
    /// ReceiveMessage as the lab's consumer; what it gets stays in flight.
    Receive {
        queue: String,
        max: u32,
        visibility_timeout_s: Option<u32>,
    },
    /// DeleteMessage for everything the lab's consumer holds in the queue.
    DeleteHeld {
        queue: String,
    },
    /// DeleteMessage with one receipt handle (from an exercise's workload).
    DeleteHandle {
        queue: String,
        receipt_handle: String,
    },
    /// SetQueueAttributes on a running queue.
    SetAttributes(SetQueueAttributes),
    /// StartReplay of an archive (from an exercise's workload or a panel's experiment).
    Replay(ReplayRequest),
}

impl Sent {
    /// The canvas edge from you, for what you send.
    fn edge_from_you(&self) -> Option<(String, String)> {
        let to = match self {
            Sent::Queue(r) => format!("queue:{}", r.queue),
            Sent::Topic(r) => format!("topic:{}", r.topic),
            Sent::Bus(_) => "bus:default".to_owned(),
            Sent::PutOn { bus, .. } => format!("bus:{bus}"),
            Sent::Receive { .. }
            | Sent::DeleteHeld { .. }
            | Sent::DeleteHandle { .. }
            | Sent::SetAttributes(_)
            | Sent::Replay(_) => return None,
        };
        Some(("you".to_owned(), to))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lab {
    pub topology: Topology,
    /// What was sent, and when (simulated ms); later ones wait for the clock.
    pub sent: Vec<(u64, Sent)>,
    /// The lab's virtual clock.
    pub now_ms: u64,
    /// A `dojo aws compare` report imported to set beside the canvas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<super::aws_report::Comparison>,
}

impl Lab {
    /// The lab as a simulation script (`dojo sim run`, `dojo aws run`): its topology and
    /// everything sent, in time order, as the lab's consumer, on the lab's seed.
    pub fn script(&self) -> dojo_engine::sim::script::Script {
        use dojo_engine::sim::script::{HandleAction, PutEvents, Script, Step};
        let mut sent: Vec<&(u64, Sent)> = self.sent.iter().collect();
        sent.sort_by_key(|(at, _)| *at);
        let steps = sent
            .into_iter()
            .map(|(at_ms, s)| {
                let mut step = Step {
                    at_ms: *at_ms,
                    ..Default::default()
                };
                let put = |bus: &str, entry: &PutEventsEntry| PutEvents {
                    bus: bus.to_owned(),
                    entries: vec![entry.clone()],
                };
                let by_consumer = |queue: &str| HandleAction {
                    queue: queue.to_owned(),
                    receipt_handle: None,
                    consumer: Some(CONSUMER.into()),
                    timeout_s: None,
                };
                match s {
                    Sent::Queue(r) => step.send = Some(r.clone()),
                    Sent::Topic(r) => step.publish = Some(r.clone()),
                    Sent::Bus(e) => step.put_events = Some(put("default", e)),
                    Sent::PutOn { bus, entry } => step.put_events = Some(put(bus, entry)),
                    Sent::Receive {
                        queue,
                        max,
                        visibility_timeout_s,
                    } => step.receive = Some(receive_as_you(queue, *max, *visibility_timeout_s)),
                    Sent::DeleteHeld { queue } => step.delete = Some(by_consumer(queue)),
                    Sent::DeleteHandle {
                        queue,
                        receipt_handle,
                    } => {
                        step.delete = Some(HandleAction {
                            receipt_handle: Some(receipt_handle.clone()),
                            consumer: None,
                            ..by_consumer(queue)
                        })
                    }
                    Sent::SetAttributes(r) => step.set_queue_attributes = Some(r.clone()),
                    Sent::Replay(r) => step.start_replay = Some(r.clone()),
                }
                step
            })
            .collect();
        Script {
            seed: 1,
            topology: self.topology.clone(),
            steps,
            run_until_ms: Some(self.now_ms),
        }
    }

    /// Every event put on a bus, in the order sent; a detail given as text holding JSON
    /// (as the API takes it) is read as that JSON.
    pub fn bus_entries(&self) -> impl Iterator<Item = PutEventsEntry> + '_ {
        self.sent.iter().filter_map(|(_, sent)| {
            let mut entry = match sent {
                Sent::Bus(entry) | Sent::PutOn { entry, .. } => entry.clone(),
                _ => return None,
            };
            if let Some(parsed) = entry
                .detail
                .as_str()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            {
                entry.detail = parsed;
            }
            Some(entry)
        })
    }
}

/// Publishes in the last simulated second above which the canvas shows counters only.
pub const BUSY: usize = 20;
/// Trace rows the table shows (the newest).
pub const ROWS: usize = 150;

/// One run of the lab up to its clock.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabRun {
    /// The newest trace entries, as JSON objects.
    pub rows: Vec<serde_json::Value>,
    pub trace_len: usize,
    /// Sends the channels refused, with the reason.
    pub refused: Vec<String>,
    /// Messages whose time has not come.
    pub waiting: usize,
    pub narration: String,
    pub queues: BTreeMap<String, QueuePeek>,
    /// Each queue's depth at 41 moments from 0 to the clock.
    pub depths: BTreeMap<String, Vec<usize>>,
    /// Each queue's SetQueueAttributes changes: when, and what changed.
    pub changes: BTreeMap<String, Vec<(u64, String)>>,
    /// Messages per canvas edge (node id → node id).
    pub counts: BTreeMap<(String, String), u64>,
    /// The edges used at the latest moment anything happened.
    pub recent: Vec<(String, String)>,
    /// Too many messages in the last second to animate.
    pub busy: bool,
    pub receives: bool,
}

/// The canvas edges a trace entry stands for.
fn edges_of(e: &TraceEntry) -> Vec<(String, String)> {
    match &e.kind {
        TraceKind::Routed {
            via, to, matched, ..
        } => {
            let node = if let Some(rule) = via.strip_prefix("rule:") {
                format!("rule:{}/{rule}", e.channel.trim_start_matches("bus:"))
            } else if let Some(i) = via
                .strip_prefix("subscription[")
                .and_then(|x| x.strip_suffix(']'))
            {
                format!("sub:{}/{i}", e.channel.trim_start_matches("topic:"))
            } else {
                return Vec::new();
            };
            let mut out = vec![(e.channel.clone(), node.clone())];
            if *matched {
                out.extend(to.split(", ").map(|t| (node.clone(), t.to_owned())));
            }
            out
        }
        TraceKind::MovedToDlq { dlq, .. } => vec![(e.channel.clone(), format!("queue:{dlq}"))],
        TraceKind::Delivered { consumer, .. }
            if consumer == CONSUMER && e.channel.starts_with("queue:") =>
        {
            vec![(e.channel.clone(), "consumer".to_owned())]
        }
        _ => Vec::new(),
    }
}

/// A receive by the lab's consumer, returning at once.
fn receive_as_you(queue: &str, max: u32, visibility_timeout_s: Option<u32>) -> ReceiveRequest {
    ReceiveRequest {
        queue: queue.to_owned(),
        consumer: CONSUMER.into(),
        max,
        wait_s: Some(0),
        visibility_timeout_s,
        step: None,
    }
}

/// Runs everything sent up to the clock on a fresh world.
pub fn run(lab: &Lab) -> Result<LabRun, String> {
    let mut world = World::new(&lab.topology, 1).map_err(|e| e.to_string())?;
    let mut out = LabRun::default();
    let mut order: Vec<&(u64, Sent)> = lab.sent.iter().collect();
    order.sort_by_key(|(at, _)| *at);
    // The trace index where the newest message sent began, and its number.
    let mut last: Option<(usize, usize)> = None;
    let mut you: Vec<(u64, (String, String))> = Vec::new();
    for (i, (at, s)) in order.into_iter().enumerate() {
        if *at > lab.now_ms {
            out.waiting += 1;
            continue;
        }
        world.run_until(*at);
        let before = world.trace().len();
        let outcome = match s {
            Sent::Queue(r) => world.send(r).map(|_| ()),
            Sent::Topic(r) => world.publish(r).map(|_| ()),
            Sent::Bus(e) => world
                .put_events("default", std::slice::from_ref(e))
                .map(|_| ()),
            Sent::PutOn { bus, entry } => world
                .put_events(bus, std::slice::from_ref(entry))
                .map(|_| ()),
            Sent::Receive {
                queue,
                max,
                visibility_timeout_s,
            } => {
                out.receives = true;
                let r = world.receive(&receive_as_you(queue, *max, *visibility_timeout_s));
                world.take_completed_receives();
                r
            }
            Sent::DeleteHeld { queue } => world.delete_held_by(queue, CONSUMER).map(|_| ()),
            Sent::DeleteHandle {
                queue,
                receipt_handle,
            } => world.delete(queue, receipt_handle).map(|_| ()),
            Sent::SetAttributes(r) => world.set_queue_attributes(r).map(|_| ()),
            Sent::Replay(r) => world.start_replay(r).map(|_| ()),
        };
        match outcome {
            Err(e) => out.refused.push(format!("Message {}: {e}", i + 1)),
            Ok(()) => {
                if let Some(edge) = s.edge_from_you() {
                    you.push((*at, edge));
                    last = Some((before, i + 1));
                }
            }
        }
    }
    world.run_until(lab.now_ms);
    let trace = world.trace();
    out.trace_len = trace.len();
    out.narration = last
        .and_then(|(at, n)| narrate_publish(trace, at, &format!("Message {n}")))
        .unwrap_or_default();
    for (_, edge) in &you {
        *out.counts.entry(edge.clone()).or_default() += 1;
    }
    for e in trace {
        if let (TraceKind::Configured { change }, Some(q)) =
            (&e.kind, e.channel.strip_prefix("queue:"))
        {
            out.changes
                .entry(q.to_owned())
                .or_default()
                .push((e.at_ms, change.clone()));
        }
        for edge in edges_of(e) {
            *out.counts.entry(edge).or_default() += 1;
        }
    }
    let latest = trace.last().map(|e| e.at_ms);
    if let Some(t) = latest {
        out.recent = you
            .iter()
            .filter(|(at, _)| *at == t)
            .map(|(_, e)| e.clone())
            .chain(
                trace
                    .iter()
                    .rev()
                    .take_while(|e| e.at_ms == t)
                    .flat_map(edges_of),
            )
            .collect();
    }
    let recent_publishes = you.iter().filter(|(at, _)| at + 1000 > lab.now_ms).count();
    out.busy = recent_publishes > BUSY;
    out.rows = trace[trace.len().saturating_sub(ROWS)..]
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_default())
        .collect();
    let history = ChannelTimeline::new(trace, 256);
    for q in &lab.topology.queues {
        if let Some(peek) = world.peek(&q.name) {
            out.queues.insert(q.name.clone(), peek);
        }
        let samples = (0..=40)
            .map(|k| {
                history
                    .at_time(lab.now_ms * k / 40)
                    .queues
                    .get(&q.name)
                    .map_or(0, |m| m.len())
            })
            .collect();
        out.depths.insert(q.name.clone(), samples);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lab(topology: serde_json::Value, sent: Vec<(u64, Sent)>, now_ms: u64) -> Lab {
        Lab {
            topology: Topology::from_json(&topology.to_string()).expect("topology"),
            sent,
            now_ms,
            aws: None,
        }
    }

    fn put(detail: serde_json::Value) -> Sent {
        Sent::Bus(PutEventsEntry {
            source: "dojo.lab".into(),
            detail_type: "QuoteIssued".into(),
            detail,
            resources: vec![],
            time: None,
        })
    }

    #[test]
    fn the_lab_as_a_script_plays_what_was_sent_in_time_order() {
        let l = lab(
            json!({"queues": [{"name": "work"}]}),
            vec![
                (
                    2000,
                    Sent::Receive {
                        queue: "work".into(),
                        max: 10,
                        visibility_timeout_s: None,
                    },
                ),
                (
                    0,
                    Sent::Queue(SendRequest {
                        queue: "work".into(),
                        body: "hello".into(),
                        ..Default::default()
                    }),
                ),
                (
                    3000,
                    Sent::DeleteHeld {
                        queue: "work".into(),
                    },
                ),
            ],
            4000,
        );
        let script = l.script();
        assert_eq!(
            script.steps.iter().map(|s| s.at_ms).collect::<Vec<_>>(),
            [0, 2000, 3000]
        );
        assert_eq!(
            script.steps[2]
                .delete
                .as_ref()
                .and_then(|d| d.consumer.as_deref()),
            Some(CONSUMER)
        );
        let records = dojo_engine::sim::script::run(&script).expect("the script runs");
        let got: Vec<String> = records
            .into_iter()
            .filter_map(|r| match r {
                dojo_engine::sim::script::Record::Receive(r) => Some(r.messages),
                _ => None,
            })
            .flatten()
            .map(|m| m.body)
            .collect();
        assert_eq!(got, ["hello"]);
        // What the lab shows ran the same world: one receive by the lab's consumer.
        assert!(run(&l).expect("the lab runs").receives);
    }

    #[test]
    fn a_run_counts_messages_on_each_edge_and_narrates_the_newest() {
        let l = lab(
            json!({"queues": [{"name": "quotes"}], "rules": [{"name": "big", "pattern": {"detail": {"premium": [{"numeric": [">", 500]}]}},
                "targets": [{"id": "t", "endpoint": {"queue": "quotes"}}]}]}),
            vec![
                (0, put(json!({"premium": 650}))),
                (1000, put(json!({"premium": 450}))),
                (5000, put(json!({"premium": 900}))),
            ],
            2000,
        );
        let r = run(&l).expect("runs");
        assert_eq!(r.waiting, 1, "the third waits for the clock");
        let count = |a: &str, b: &str| r.counts.get(&(a.into(), b.into())).copied();
        assert_eq!(count("you", "bus:default"), Some(2));
        assert_eq!(count("bus:default", "rule:default/big"), Some(2));
        assert_eq!(count("rule:default/big", "queue:quotes"), Some(1));
        assert_eq!(
            r.narration,
            "Message 2 published on bus:default; matched 0 of 1 rule."
        );
        assert_eq!(r.queues["quotes"].messages.len(), 1);
        assert_eq!(r.depths["quotes"].last(), Some(&1));
        assert!(!r.busy);
    }

    #[test]
    fn receiving_in_the_lab_locks_a_fifo_group_until_the_delete() {
        let send = |body: &str, group: &str, dedup: &str| {
            Sent::Queue(SendRequest {
                queue: "o.fifo".into(),
                body: body.into(),
                group_id: Some(group.into()),
                dedup_id: Some(dedup.into()),
                ..Default::default()
            })
        };
        let receive = Sent::Receive {
            queue: "o.fifo".into(),
            max: 1,
            visibility_timeout_s: Some(20),
        };
        let mut l = lab(
            json!({"queues": [{"name": "o.fifo", "fifo": true}]}),
            vec![
                (0, send("a1", "A", "1")),
                (0, send("a2", "A", "2")),
                (1000, receive.clone()),
            ],
            5000,
        );
        let r = run(&l).expect("runs");
        let peek = &r.queues["o.fifo"];
        assert_eq!(peek.locked_groups.len(), 1);
        assert_eq!(peek.locked_groups[0].0, "A");
        assert_eq!(peek.messages[0].state, "in_flight");
        assert_eq!(peek.messages[0].visible_at_ms, 21_000);
        assert!(r.receives);
        assert_eq!(
            r.counts.get(&("queue:o.fifo".into(), "consumer".into())),
            Some(&1)
        );
        l.sent.push((
            5000,
            Sent::DeleteHeld {
                queue: "o.fifo".into(),
            },
        ));
        let r = run(&l).expect("runs");
        assert!(r.queues["o.fifo"].locked_groups.is_empty());
        assert_eq!(r.queues["o.fifo"].messages.len(), 1);
    }

    #[test]
    fn a_refused_send_is_reported_and_changes_nothing() {
        let l = lab(
            json!({"queues": [{"name": "o.fifo", "fifo": true}]}),
            vec![(
                0,
                Sent::Queue(SendRequest {
                    queue: "o.fifo".into(),
                    body: "x".into(),
                    ..Default::default()
                }),
            )],
            0,
        );
        let r = run(&l).expect("runs");
        assert_eq!(r.refused.len(), 1);
        assert!(r.refused[0].starts_with("Message 1: "), "{}", r.refused[0]);
        assert!(r.queues["o.fifo"].messages.is_empty());
    }

    #[test]
    fn many_messages_in_a_second_switch_the_canvas_to_counters() {
        let sent = (0..30).map(|k| (k * 10, put(json!({})))).collect();
        let l = lab(json!({}), sent, 500);
        assert!(run(&l).expect("runs").busy);
    }
}
