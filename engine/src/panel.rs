//! The capstone's mock panel, first part: what a panel would probe in a learner's own
//! design, each weakness paired with the experiment that tests it. The finder reads the
//! topology only; a seed picks a repeatable panel from what it finds, one question per
//! kind of weakness first, so two designs with different weaknesses get different
//! questions.

pub mod experiment;

use crate::rng::SeededRng;
use crate::topology::{Endpoint, Topology};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A kind of weakness a panel probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Probe {
    /// A consumed queue with no dead-letter queue: a poison message is retried forever.
    NoDeadLetterQueue,
    /// A rule or subscription that pushes to a handler with no dead-letter queue: what
    /// fails for good while the handler is down is lost.
    PushWithoutDeadLetter,
    /// One endpoint that every delivery path leads to.
    EveryPathDependsOn,
    /// A FIFO queue fed by a rule target, whose message group is one fixed id: every
    /// event waits behind every other.
    HotFifoGroup,
    /// A bus with rules and no archive: its history cannot be replayed.
    NoReplay,
    /// A rule whose pattern reads a field of the event's detail: it depends on the
    /// event's shape.
    DependsOnShape,
    /// A standard queue: at-least-once delivery, so a consumer sees duplicates.
    DuplicatesPossible,
    /// A push that passes through a topic or another bus to a handler, with no queue on
    /// the way: nothing holds a message while the end of the chain is down.
    SynchronousChain,
}

impl Probe {
    /// The weakness, as a panel's heading names it.
    pub fn title(self) -> &'static str {
        match self {
            Probe::NoDeadLetterQueue => "A queue without a dead-letter queue",
            Probe::PushWithoutDeadLetter => "A push with nowhere to put what fails",
            Probe::EveryPathDependsOn => "One consumer every path depends on",
            Probe::HotFifoGroup => "One FIFO message group for everything",
            Probe::NoReplay => "History that cannot be replayed",
            Probe::DependsOnShape => "A rule that depends on the event's shape",
            Probe::DuplicatesPossible => "At-least-once delivery",
            Probe::SynchronousChain => "A synchronous chain",
        }
    }
}

impl Experiment {
    /// What the experiment does to the design, in a sentence.
    pub fn describe(&self) -> String {
        match self {
            Experiment::ConsumerDown {
                consumer: Endpoint::Queue(q),
                hours,
            } => format!("The workers of queue {q} stop for {hours} hour(s) from the first event, then come back."),
            Experiment::ConsumerDown { consumer, hours } => format!(
                "{} fails every call for {hours} hour(s) from the first event, then comes back.",
                consumer.describe()
            ),
            Experiment::PoisonMessage { queue } => format!("A message its workers can never process is sent to {queue} first, ahead of the workload."),
            Experiment::DuplicateDelivery { queue } => format!("The producer's send to {queue} times out, so it sends the same message again a second later."),
            Experiment::Spike { times, .. } => format!("The whole workload arrives {times} times over, each burst at once."),
            Experiment::ArchiveReplay { bus } => format!("A minute after the workload, a new read model is created on bus {bus} and fed by replaying its archives."),
            Experiment::ChangedShape { field, .. } => format!("The producer renames {field} to {field}_v2 in every event it puts on the bus."),
            Experiment::FilterChangedShape { field, .. } => format!("The producer renames {field} to {field}_v2 in every event it puts on a bus."),
        }
    }
}

/// The experiment a question runs on the learner's design ([`experiment::run`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Experiment {
    /// The consumer (a queue's workers, or a handler) is down for this many hours from
    /// the first event.
    ConsumerDown { consumer: Endpoint, hours: u32 },
    /// A message the queue's consumer can never process.
    PoisonMessage { queue: String },
    /// The queue's first message sent again by its producer.
    DuplicateDelivery { queue: String },
    /// The workload, this many times over; `queue` is the one asked about.
    Spike { queue: String, times: u32 },
    /// A read model created after the events, fed by replaying the bus's archives.
    ArchiveReplay { bus: String },
    /// The field (`detail.premium`) renamed by its producer, for the rule that reads it.
    ChangedShape {
        rule: String,
        bus: String,
        field: String,
    },
    /// The field renamed by its producer, for the subscription whose body filter reads
    /// it: the topic's subscription number `index` (as the trace numbers them), to
    /// `endpoint`.
    FilterChangedShape {
        topic: String,
        index: usize,
        endpoint: String,
        field: String,
    },
}

/// One question of the panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub probe: Probe,
    /// The resource asked about.
    pub subject: String,
    /// The question, as the panel asks it.
    pub asks: String,
    pub experiment: Experiment,
}

impl Question {
    /// The question's key, the same for the same weakness of the same resource whatever
    /// the seed: what a learner's answers are kept under.
    pub fn key(&self) -> String {
        format!("{:?} {}", self.probe, self.subject)
    }
}

/// Every delivery path's endpoint: rule targets and subscriptions.
fn endpoints(t: &Topology) -> Vec<&Endpoint> {
    t.rules
        .iter()
        .flat_map(|r| r.targets.iter().map(|x| &x.endpoint))
        .chain(t.subscriptions.iter().map(|s| &s.endpoint))
        .collect()
}

/// Where a delivery to `e` ends: the queues and handlers it reaches through topics and
/// buses (each topic or bus followed once).
fn terminals<'a>(
    t: &'a Topology,
    e: &'a Endpoint,
    seen: &mut BTreeSet<String>,
) -> Vec<&'a Endpoint> {
    match e {
        Endpoint::Queue(_) | Endpoint::Handler(_) => vec![e],
        Endpoint::Topic(topic) if seen.insert(e.describe()) => t
            .subscriptions
            .iter()
            .filter(|s| &s.topic == topic)
            .flat_map(|s| terminals(t, &s.endpoint, seen))
            .collect(),
        Endpoint::Bus(bus) if seen.insert(e.describe()) => t
            .rules
            .iter()
            .filter(|r| &r.bus == bus)
            .flat_map(|r| r.targets.iter())
            .flat_map(|x| terminals(t, &x.endpoint, seen))
            .collect(),
        _ => Vec::new(),
    }
}

/// Queues that are some queue's, target's or subscription's dead-letter queue.
fn dead_letter_queues(t: &Topology) -> BTreeSet<&str> {
    let mut dlqs = t.dead_letter_queues();
    dlqs.extend(
        t.subscriptions
            .iter()
            .filter_map(|s| s.redrive_policy.as_ref().map(|r| r.dlq.as_str())),
    );
    dlqs
}

/// The detail fields a pattern reads (`detail.premium`), in its first branch's order.
fn detail_fields(pattern: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        if let Some(m) = v.as_object() {
            for (k, inner) in m {
                if k.starts_with('$') {
                    // `$or`: each alternative reads its own fields.
                    for alt in inner.as_array().into_iter().flatten() {
                        walk(alt, path, out);
                    }
                    continue;
                }
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if inner.is_object() {
                    walk(inner, &here, out);
                } else if here.starts_with("detail.") && !out.contains(&here) {
                    out.push(here);
                }
            }
        }
    }
    walk(pattern, "", &mut out);
    out
}

/// Every question the design raises, in a fixed order (by kind, then by resource).
pub fn find(t: &Topology) -> Vec<Question> {
    let mut out = Vec::new();
    let dlqs = dead_letter_queues(t);
    let consumed: BTreeSet<&str> = endpoints(t)
        .into_iter()
        .filter_map(|e| match e {
            Endpoint::Queue(q) => Some(q.as_str()),
            _ => None,
        })
        .collect();
    for q in &t.queues {
        if consumed.contains(q.name.as_str()) && !dlqs.contains(q.name.as_str()) {
            if q.redrive.is_none() {
                out.push(Question {
                    probe: Probe::NoDeadLetterQueue,
                    subject: q.name.clone(),
                    asks: format!("A message reaches {} that its consumer can never process. What happens to it, and to the messages behind it?", q.name),
                    experiment: Experiment::PoisonMessage {
                        queue: q.name.clone(),
                    },
                });
            }
            if !q.fifo {
                out.push(Question {
                    probe: Probe::DuplicatesPossible,
                    subject: q.name.clone(),
                    asks: format!("{} is a standard queue, so a message can arrive twice. What does its consumer do with the second copy?", q.name),
                    experiment: Experiment::DuplicateDelivery {
                        queue: q.name.clone(),
                    },
                });
            }
        }
    }
    for r in &t.rules {
        for target in &r.targets {
            match &target.endpoint {
                Endpoint::Handler(h) if target.dlq.is_none() => out.push(Question {
                    probe: Probe::PushWithoutDeadLetter,
                    subject: format!("{} → {h}", r.name),
                    asks: format!("{h} is down for an hour. Rule {} keeps retrying it: what happens to the events it still cannot deliver when it gives up?", r.name),
                    experiment: Experiment::ConsumerDown {
                        consumer: Endpoint::Handler(h.clone()),
                        hours: 1,
                    },
                }),
                Endpoint::Queue(q) if target.sqs_parameters.is_some() => {
                    let group = target
                        .sqs_parameters
                        .as_ref()
                        .map_or("", |p| p.message_group_id.as_str());
                    out.push(Question {
                        probe: Probe::HotFifoGroup,
                        subject: q.clone(),
                        asks: format!("Every event rule {} sends to {q} goes into one message group, \"{group}\". With ten times the workload, how long does the last one wait?", r.name),
                        experiment: Experiment::Spike {
                            queue: q.clone(),
                            times: 10,
                        },
                    });
                }
                _ => {}
            }
        }
        if let Some(field) = detail_fields(&r.pattern).into_iter().next() {
            out.push(Question {
                probe: Probe::DependsOnShape,
                subject: r.name.clone(),
                asks: format!("Rule {} reads {field}. Its producer renames that field in the next version of the event: what does the rule match then, and who notices?", r.name),
                experiment: Experiment::ChangedShape {
                    rule: r.name.clone(),
                    bus: r.bus.clone(),
                    field,
                },
            });
        }
    }
    for s in &t.subscriptions {
        if let (Endpoint::Handler(h), None) = (&s.endpoint, &s.redrive_policy) {
            out.push(Question {
                probe: Probe::PushWithoutDeadLetter,
                subject: format!("{} → {h}", s.topic),
                asks: format!("{h} is down for an hour. Topic {} stops retrying it after its delivery policy: where are those messages then?", s.topic),
                experiment: Experiment::ConsumerDown {
                    consumer: Endpoint::Handler(h.clone()),
                    hours: 1,
                },
            });
        }
    }
    for r in &t.rules {
        for target in &r.targets {
            // What the hop after this target pushes to a handler, with no queue between.
            let onward: Vec<(String, &str)> = match &target.endpoint {
                Endpoint::Topic(topic) => t
                    .subscriptions
                    .iter()
                    .filter(|s| &s.topic == topic)
                    .filter_map(|s| match &s.endpoint {
                        Endpoint::Handler(h) => Some((format!("topic {topic}"), h.as_str())),
                        _ => None,
                    })
                    .collect(),
                Endpoint::Bus(bus) => t
                    .rules
                    .iter()
                    .filter(|r2| &r2.bus == bus)
                    .flat_map(|r2| {
                        r2.targets.iter().filter_map(move |x| match &x.endpoint {
                            Endpoint::Handler(h) => {
                                Some((format!("bus {bus} and rule {}", r2.name), h.as_str()))
                            }
                            _ => None,
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (via, h) in onward {
                out.push(Question {
                    probe: Probe::SynchronousChain,
                    subject: format!("{} → {h}", r.name),
                    asks: format!("Rule {} pushes through {via} straight to {h}, with no queue on the way. {h} is down for an hour: which link holds the events meanwhile?", r.name),
                    experiment: Experiment::ConsumerDown {
                        consumer: Endpoint::Handler(h.to_owned()),
                        hours: 1,
                    },
                });
            }
        }
    }
    // Every path's end, through topics and buses: one queue or handler at the end of them
    // all is what every path depends on.
    let all: Vec<&Endpoint> = endpoints(t)
        .into_iter()
        .flat_map(|e| terminals(t, e, &mut BTreeSet::new()))
        .collect();
    if all.len() >= 2 {
        if let Some(first) = all
            .first()
            .filter(|e| matches!(e, Endpoint::Queue(_) | Endpoint::Handler(_)))
        {
            if all.iter().all(|e| e == first) {
                let name = first.describe();
                out.push(Question {
                    probe: Probe::EveryPathDependsOn,
                    subject: name.clone(),
                    asks: format!("Every path in your design ends at {name}. It is down for an hour: what still works, and what do users see?"),
                    experiment: Experiment::ConsumerDown {
                        consumer: (*first).clone(),
                        hours: 1,
                    },
                });
            }
        }
    }
    for topic in &t.topics {
        let subs = t.subscriptions.iter().filter(|s| s.topic == topic.name);
        for (index, s) in subs.enumerate() {
            let reads_body =
                s.filter_policy_scope == crate::topology::FilterPolicyScope::MessageBody;
            let field = s
                .policy()
                .filter(|_| reads_body)
                .and_then(|p| detail_fields(p).into_iter().next());
            if let Some(field) = field {
                let endpoint = s.endpoint.describe();
                out.push(Question {
                    probe: Probe::DependsOnShape,
                    subject: format!("{} → {endpoint}", topic.name),
                    asks: format!("The subscription of {endpoint} to topic {} filters on {field}. Its producer renames that field in the next version of the event: what does it deliver then, and who notices?", topic.name),
                    experiment: Experiment::FilterChangedShape {
                        topic: topic.name.clone(),
                        index,
                        endpoint,
                        field,
                    },
                });
            }
        }
    }
    let archived: BTreeSet<&str> = t.archives.iter().map(|a| a.bus.as_str()).collect();
    let buses: BTreeSet<&str> = t.rules.iter().map(|r| r.bus.as_str()).collect();
    for bus in buses {
        if !archived.contains(bus) {
            out.push(Question {
                probe: Probe::NoReplay,
                subject: bus.to_owned(),
                asks: format!("A new read model needs last month's events from bus {bus}. Where do they come from?"),
                experiment: Experiment::ArchiveReplay {
                    bus: bus.to_owned(),
                },
            });
        }
    }
    out.sort_by(|a, b| (a.probe, &a.subject).cmp(&(b.probe, &b.subject)));
    out
}

/// A panel of at most `size` questions, repeatable for a seed: one of each kind of
/// weakness found first (kinds in a seeded order, a seeded question within each), then
/// the rest in a seeded order.
pub fn panel(t: &Topology, seed: u64, size: usize) -> Vec<Question> {
    let mut rng = SeededRng::new(seed);
    let mut pool = find(t);
    // A seeded shuffle (Fisher–Yates).
    for i in (1..pool.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        pool.swap(i, j);
    }
    let mut first = Vec::new();
    let mut rest = Vec::new();
    let mut seen = BTreeSet::new();
    for q in pool {
        if seen.insert(q.probe) {
            first.push(q);
        } else {
            rest.push(q);
        }
    }
    first.extend(rest);
    first.truncate(size);
    first
}

#[cfg(test)]
mod tests;
