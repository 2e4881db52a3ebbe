//! SQS-like queues, standard and FIFO (spec §3).
//!
//! - Standard: at-least-once. This simulation hands messages out in send order and never
//!   invents duplicates; duplicates come from visibility timeouts, as learners should see.
//! - FIFO: order within each message group; a group is locked while any of its messages
//!   is in flight; a batch is filled from one group first; duplicates within 5 minutes
//!   (by deduplication id, or SHA-256 of the body) are accepted but not enqueued.
//! - Visibility timeout, receive counts, redrive to a DLQ when a receive would exceed
//!   `maxReceiveCount` (the move happens at that receive, as AWS reports), queue and
//!   per-message delay, retention from the original enqueue time, the message size limit,
//!   and long polling (a receive that waits until a message arrives or its wait ends).
//!
//! Bounds: a queue holds at most `capacity` messages (a simulation limit; SQS has none);
//! a send beyond it is refused with `QueueFull` and traced as dropped. In flight: at most
//! 120,000 (standard; a receive then fails with `OverLimit`) or 20,000 (FIFO; a receive
//! then returns nothing), as in SQS.
//!
//! The rules and the pages they follow: `docs/semantics.md` §4.

use super::{
    err, sha256_hex, Attributes, ChannelMetrics, SimError, SimErrorKind, SimTime, Timer, TraceKind,
    World,
};
use crate::topology::QueueConfig;
use std::collections::{BTreeMap, BTreeSet};

/// The FIFO deduplication window.
pub const DEDUP_WINDOW_MS: SimTime = 5 * 60 * 1000;
/// Longest total visibility from the first receive (12 hours).
pub const MAX_VISIBILITY_MS: SimTime = 12 * 3600 * 1000;
pub const STANDARD_IN_FLIGHT_LIMIT: usize = 120_000;
pub const FIFO_IN_FLIGHT_LIMIT: usize = 20_000;

#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub id: String,
    pub body: String,
    pub attributes: Attributes,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    /// When it first entered any queue (retention counts from here, even in a DLQ).
    pub first_enqueued_at: SimTime,
    /// When it entered this queue (a FIFO queue's new delay counts from here).
    pub enqueued_at: SimTime,
    pub visible_at: SimTime,
    pub in_flight: Option<InFlight>,
    pub receive_count: u32,
    pub first_received_at: Option<SimTime>,
    /// Bumped whenever visibility changes, so stale timers are ignored.
    pub epoch: u32,
    /// The receipt handle of the latest receive from this queue: it deletes the message,
    /// even once the visibility timeout has passed, until someone receives it again.
    /// And who received it.
    pub latest_handle: Option<(String, String)>,
}

/// A message moved from another queue (to its dead-letter queue): it keeps its id and
/// its receive count, and (standard queues) the time it was first enqueued.
pub(crate) struct Moved {
    pub id: String,
    pub first_enqueued_at: Option<SimTime>,
    pub receive_count: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct InFlight {
    pub handle: String,
    pub consumer: String,
}

#[derive(Debug, Clone)]
struct Poll {
    id: u64,
    request: ReceiveRequest,
    requested_at: SimTime,
}

/// One queue's state.
#[derive(Debug)]
pub(crate) struct Queue {
    pub config: QueueConfig,
    messages: BTreeMap<u64, Message>,
    next_seq: u64,
    dedup: BTreeMap<String, (SimTime, String)>,
    polls: Vec<Poll>,
    next_poll: u64,
    sent: u64,
    delivered: u64,
    deleted: u64,
    dropped: u64,
}

/// What a producer sends.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub queue: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    /// Per-message delay in seconds (standard queues only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_id: Option<String>,
}

/// SetQueueAttributes: the settings a running queue can change. AWS's attribute names,
/// the older ones read too.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetQueueAttributes {
    pub queue: String,
    #[serde(
        default,
        rename = "VisibilityTimeout",
        alias = "visibility_timeout_s",
        skip_serializing_if = "Option::is_none"
    )]
    pub visibility_timeout_s: Option<u32>,
    #[serde(
        default,
        rename = "DelaySeconds",
        alias = "delay_s",
        skip_serializing_if = "Option::is_none"
    )]
    pub delay_s: Option<u32>,
    #[serde(
        default,
        rename = "RedrivePolicy",
        alias = "redrive",
        skip_serializing_if = "Option::is_none"
    )]
    pub redrive_policy: Option<crate::topology::Redrive>,
}

/// What a consumer asks for.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiveRequest {
    pub queue: String,
    pub consumer: String,
    /// 1 to 10.
    #[serde(default = "one")]
    pub max: u32,
    /// Long polling: 0 to 20 seconds. Defaults to the queue's `receive_wait_s`.
    #[serde(default)]
    pub wait_s: Option<u32>,
    /// Overrides the queue's visibility timeout for these messages.
    #[serde(default)]
    pub visibility_timeout_s: Option<u32>,
    /// Which script step asked (filled in by the runner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
}

fn one() -> u32 {
    1
}

/// A received message.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    pub receive_count: u32,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedup_id: Option<String>,
}

/// What a receive returned, when it returned.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReceiveResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    pub queue: String,
    pub consumer: String,
    pub requested_at_ms: SimTime,
    pub returned_at_ms: SimTime,
    pub messages: Vec<ReceivedMessage>,
}

/// A queue as a peek shows it at one moment (see [`World::peek`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueuePeek {
    pub config: QueueConfig,
    /// In queue order.
    pub messages: Vec<PeekedMessage>,
    /// FIFO only: each locked message group and the in-flight message that locks it.
    pub locked_groups: Vec<(String, String)>,
    pub metrics: ChannelMetrics,
}

/// One message held by a queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PeekedMessage {
    pub message_id: String,
    pub body: String,
    /// `visible`, `delayed` or `in_flight`.
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub receive_count: u32,
    /// When a delayed message is first visible, or an in-flight one visible again.
    pub visible_at_ms: SimTime,
    /// Who holds it, while in flight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
}

impl Queue {
    pub fn new(config: QueueConfig) -> Queue {
        Queue {
            config,
            messages: BTreeMap::new(),
            next_seq: 0,
            dedup: BTreeMap::new(),
            polls: Vec::new(),
            next_poll: 0,
            sent: 0,
            delivered: 0,
            deleted: 0,
            dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    fn in_flight(&self) -> usize {
        self.messages
            .values()
            .filter(|m| m.in_flight.is_some())
            .count()
    }

    pub fn metrics(&self, now: SimTime) -> ChannelMetrics {
        let mut m = ChannelMetrics {
            kind: if self.config.fifo {
                "fifo_queue"
            } else {
                "queue"
            },
            ..Default::default()
        };
        for msg in self.messages.values() {
            if msg.in_flight.is_some() {
                m.in_flight += 1;
            } else if msg.visible_at > now {
                m.delayed += 1;
            } else {
                m.depth += 1;
            }
            m.oldest_age_ms = m
                .oldest_age_ms
                .max(now.saturating_sub(msg.first_enqueued_at));
        }
        m.sent = self.sent;
        m.delivered = self.delivered;
        m.deleted = self.deleted;
        m.dropped = self.dropped;
        m
    }

    fn channel(&self) -> String {
        format!("queue:{}", self.config.name)
    }
}

fn attributes_size(attrs: &Attributes) -> usize {
    attrs
        .iter()
        .map(|(k, v)| k.len() + v.data_type.len() + v.value.len())
        .sum()
}

impl World {
    fn queue_mut(&mut self, name: &str) -> Result<&mut Queue, SimError> {
        match self.queues.get_mut(name) {
            Some(q) => Ok(q),
            None => err(
                SimErrorKind::NotFound,
                format!(
                    "AWS.SimpleQueueService.NonExistentQueue: there is no queue named \"{name}\""
                ),
            ),
        }
    }

    /// SendMessage. Returns the message id (the original one for a FIFO duplicate).
    pub fn send(&mut self, request: &SendRequest) -> Result<String, SimError> {
        self.send_with(request, None)
    }

    /// Sends. A DLQ move passes the message's id and first enqueue time, which SQS keeps.
    pub(crate) fn send_with(
        &mut self,
        request: &SendRequest,
        moved: Option<Moved>,
    ) -> Result<String, SimError> {
        let now = self.now;
        let q = self.queue_mut(&request.queue)?;
        let config = q.config.clone();
        let size = request.body.len() + attributes_size(&request.attributes);
        if size > config.max_message_bytes {
            return err(SimErrorKind::InvalidParameter, format!(
                "InvalidParameterValue: One or more parameters are invalid. Reason: Message must be shorter than {} bytes.",
                config.max_message_bytes
            ));
        }
        if request.attributes.len() > 10 {
            return err(
                SimErrorKind::InvalidParameter,
                "InvalidParameterValue: a message can have at most 10 message attributes",
            );
        }
        if config.fifo {
            if let Some(delay) = request.delay_s {
                return err(SimErrorKind::InvalidParameter, format!(
                    "InvalidParameterValue: Value {delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
                ));
            }
        } else if request.dedup_id.is_some() {
            return err(SimErrorKind::InvalidParameter, "InvalidParameterValue: The request include parameter MessageDeduplicationId that is not valid for this queue type.");
        }
        if let Some(delay) = request.delay_s {
            if delay > 900 {
                return err(SimErrorKind::InvalidParameter, format!("InvalidParameterValue: Value {delay} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900 seconds."));
            }
        }
        let mut dedup_key = None;
        if config.fifo {
            let Some(group) = request.group_id.clone() else {
                return err(
                    SimErrorKind::MissingParameter,
                    "MissingParameter: The request must contain the parameter MessageGroupId.",
                );
            };
            let dedup_id = match (&request.dedup_id, config.content_based_dedup) {
                (Some(id), _) => id.clone(),
                (None, true) => sha256_hex(&request.body),
                (None, false) => {
                    return err(SimErrorKind::InvalidParameter, "InvalidParameterValue: The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
                }
            };
            let key = if config.dedup_scope_group {
                format!("{group}\u{0}{dedup_id}")
            } else {
                dedup_id.clone()
            };
            q.dedup.retain(|_, (at, _)| now < *at + DEDUP_WINDOW_MS);
            if let Some((_, original)) = q.dedup.get(&key).cloned() {
                let channel = q.channel();
                self.record(
                    &channel,
                    &original,
                    TraceKind::Deduplicated {
                        deduplication_id: dedup_id,
                        original_message_id: original.clone(),
                    },
                );
                return Ok(original);
            }
            dedup_key = Some((key, dedup_id));
        }
        let channel = q.channel();
        if q.messages.len() >= config.capacity {
            q.dropped += 1;
            let id = format!("{}-refused", config.name);
            self.record(
                &channel,
                &id,
                TraceKind::Dropped {
                    reason: format!(
                        "the queue holds its capacity of {} messages",
                        config.capacity
                    ),
                },
            );
            return err(
                SimErrorKind::QueueFull,
                format!(
                    "QueueFull: queue \"{}\" already holds {} messages (the simulation's bound)",
                    config.name, config.capacity
                ),
            );
        }
        let (first_enqueued_at, id, receive_count) = match moved {
            Some(m) => (m.first_enqueued_at, m.id, m.receive_count),
            None => (None, self.fresh_id(&config.name), 0),
        };
        let q = self.queue_mut(&request.queue)?;
        let seq = q.next_seq;
        q.next_seq += 1;
        let delay_ms = u64::from(request.delay_s.unwrap_or(config.delay_s)) * 1000;
        let dedup_id = dedup_key.as_ref().map(|(_, d)| d.clone());
        if let Some((key, _)) = dedup_key {
            q.dedup.insert(key, (now, id.clone()));
        }
        let first = first_enqueued_at.unwrap_or(now);
        q.messages.insert(
            seq,
            Message {
                id: id.clone(),
                body: request.body.clone(),
                attributes: request.attributes.clone(),
                group_id: request.group_id.clone(),
                dedup_id,
                first_enqueued_at: first,
                enqueued_at: now,
                visible_at: now + delay_ms,
                in_flight: None,
                receive_count,
                first_received_at: None,
                epoch: 0,
                latest_handle: None,
            },
        );
        q.sent += 1;
        let depth = q.messages.len();
        let retention_at = first + u64::from(config.retention_s) * 1000;
        self.record(
            &channel,
            &id,
            TraceKind::Enqueued {
                depth,
                body: request.body.clone(),
            },
        );
        if delay_ms > 0 {
            let reason = if request.delay_s.is_some() {
                "per-message DelaySeconds"
            } else {
                "the queue's DelaySeconds"
            };
            self.record(
                &channel,
                &id,
                TraceKind::Delayed {
                    until_ms: now + delay_ms,
                    reason: reason.into(),
                },
            );
            self.schedule(
                now + delay_ms,
                Timer::DelayEnd {
                    queue: config.name.clone(),
                },
            );
        }
        self.schedule(
            retention_at,
            Timer::Retention {
                queue: config.name.clone(),
                seq,
            },
        );
        self.wake_polls(&config.name);
        Ok(id)
    }

    /// ReceiveMessage. With a wait, an empty answer is postponed until a message arrives
    /// or the wait ends; the answer then appears in [`World::take_completed_receives`].
    pub fn receive(&mut self, request: &ReceiveRequest) -> Result<(), SimError> {
        let now = self.now;
        let q = self.queue_mut(&request.queue)?;
        if !(1..=10).contains(&request.max) {
            return err(SimErrorKind::InvalidParameter, format!("InvalidParameterValue: Value {} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.", request.max));
        }
        let wait = request.wait_s.unwrap_or(q.config.receive_wait_s);
        if wait > 20 {
            return err(SimErrorKind::InvalidParameter, format!("InvalidParameterValue: Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20."));
        }
        if let Some(vt) = request.visibility_timeout_s {
            if vt > 43_200 {
                return err(SimErrorKind::InvalidParameter, format!("InvalidParameterValue: Value {vt} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."));
            }
        }
        if !q.config.fifo && q.in_flight() >= STANDARD_IN_FLIGHT_LIMIT {
            return err(SimErrorKind::OverLimit, "OverLimit: too many messages in flight (120,000); delete or let some become visible first");
        }
        let messages = self.take_messages(request)?;
        if messages.is_empty() && wait > 0 {
            let q = self.queue_mut(&request.queue)?;
            let id = q.next_poll;
            q.next_poll += 1;
            q.polls.push(Poll {
                id,
                request: request.clone(),
                requested_at: now,
            });
            self.schedule(
                now + u64::from(wait) * 1000,
                Timer::PollDeadline {
                    queue: request.queue.clone(),
                    poll: id,
                },
            );
            return Ok(());
        }
        self.complete_receive(ReceiveResult {
            step: request.step,
            queue: request.queue.clone(),
            consumer: request.consumer.clone(),
            requested_at_ms: now,
            returned_at_ms: now,
            messages,
        });
        Ok(())
    }

    /// Picks, redrives and delivers up to `max` messages.
    fn take_messages(
        &mut self,
        request: &ReceiveRequest,
    ) -> Result<Vec<ReceivedMessage>, SimError> {
        let now = self.now;
        let q = self.queue_mut(&request.queue)?;
        let fifo = q.config.fifo;
        if fifo && q.in_flight() >= FIFO_IN_FLIGHT_LIMIT {
            return Ok(Vec::new());
        }
        let max = request.max as usize;
        let redrive = q.config.redrive.clone();
        let visibility_ms = u64::from(
            request
                .visibility_timeout_s
                .unwrap_or(q.config.visibility_timeout_s),
        ) * 1000;
        // Choose candidates in queue order.
        let mut chosen: Vec<u64> = Vec::new();
        if fifo {
            let locked: BTreeSet<String> = q
                .messages
                .values()
                .filter(|m| m.in_flight.is_some())
                .filter_map(|m| m.group_id.clone())
                .collect();
            let mut finished_groups: BTreeSet<String> = BTreeSet::new();
            // Fill from the first available group, then the next, keeping order within each.
            let mut order: Vec<String> = Vec::new();
            for m in q.messages.values() {
                let g = m.group_id.clone().unwrap_or_default();
                if !order.contains(&g) {
                    order.push(g);
                }
            }
            for group in order {
                if chosen.len() >= max
                    || locked.contains(&group)
                    || finished_groups.contains(&group)
                {
                    continue;
                }
                for (&seq, m) in q
                    .messages
                    .iter()
                    .filter(|(_, m)| m.group_id.as_deref().unwrap_or("") == group)
                {
                    if chosen.len() >= max || m.visible_at > now {
                        break;
                    }
                    chosen.push(seq);
                }
                finished_groups.insert(group);
            }
        } else {
            chosen = q
                .messages
                .iter()
                .filter(|(_, m)| m.in_flight.is_none() && m.visible_at <= now)
                .map(|(&s, _)| s)
                .collect();
        }
        let mut out = Vec::new();
        for seq in chosen {
            if out.len() >= max {
                break;
            }
            let q = self.queue_mut(&request.queue)?;
            let Some(m) = q.messages.get(&seq) else {
                continue;
            };
            if let Some(r) = &redrive {
                if m.receive_count >= r.max_receive_count {
                    self.move_to_dlq(&request.queue, seq, &r.dlq, r.max_receive_count);
                    continue;
                }
            }
            let q = self.queue_mut(&request.queue)?;
            let channel = q.channel();
            let Some(m) = q.messages.get_mut(&seq) else {
                continue;
            };
            m.receive_count += 1;
            m.first_received_at.get_or_insert(now);
            m.epoch += 1;
            let handle = format!("{}/r{}", m.id, m.receive_count);
            m.latest_handle = Some((handle.clone(), request.consumer.clone()));
            m.in_flight = Some(InFlight {
                handle: handle.clone(),
                consumer: request.consumer.clone(),
            });
            m.visible_at = now + visibility_ms;
            let (id, count, epoch) = (m.id.clone(), m.receive_count, m.epoch);
            let received = ReceivedMessage {
                message_id: m.id.clone(),
                receipt_handle: handle.clone(),
                body: m.body.clone(),
                receive_count: m.receive_count,
                attributes: m.attributes.clone(),
                group_id: m.group_id.clone(),
                dedup_id: m.dedup_id.clone(),
            };
            q.delivered += 1;
            self.record(
                &channel,
                &id,
                TraceKind::Delivered {
                    consumer: request.consumer.clone(),
                    receive_count: count,
                    receipt_handle: Some(handle),
                    qos: None,
                    dup: false,
                    retain: false,
                },
            );
            self.schedule(
                now + visibility_ms,
                Timer::Visibility {
                    queue: request.queue.clone(),
                    seq,
                    epoch,
                },
            );
            out.push(received);
        }
        Ok(out)
    }

    fn move_to_dlq(&mut self, queue: &str, seq: u64, dlq: &str, max: u32) {
        let Some(q) = self.queues.get_mut(queue) else {
            return;
        };
        let Some(m) = q.messages.remove(&seq) else {
            return;
        };
        let channel = q.channel();
        self.record(
            &channel,
            &m.id,
            TraceKind::MovedToDlq {
                dlq: dlq.to_owned(),
                reason: format!(
                    "received {} times without being deleted (maxReceiveCount {max})",
                    m.receive_count
                ),
            },
        );
        // FIFO to FIFO: the deduplication id becomes the message id.
        let fifo = self.queues.get(dlq).is_some_and(|d| d.config.fifo);
        let request = SendRequest {
            queue: dlq.to_owned(),
            body: m.body.clone(),
            attributes: m.attributes.clone(),
            delay_s: None,
            group_id: m.group_id.clone(),
            dedup_id: fifo.then(|| m.id.clone()),
        };
        // ApproximateReceiveCount counts receives across queues, so the count goes with
        // the message. Retention: a standard DLQ keeps the original enqueue time, a FIFO
        // DLQ starts it again (docs/semantics.md §4).
        let moved = Moved {
            id: m.id.clone(),
            first_enqueued_at: (!fifo).then_some(m.first_enqueued_at),
            receive_count: m.receive_count,
        };
        if let Err(e) = self.send_with(&request, Some(moved)) {
            self.record(
                &channel,
                &m.id,
                TraceKind::Dropped {
                    reason: format!("could not move to the DLQ: {e}"),
                },
            );
        }
    }

    /// What a console peek shows of a queue, without receiving anything: its settings,
    /// every message held and its state, and (FIFO) which groups are locked, by which
    /// message. `None` if there is no such queue.
    pub fn peek(&self, queue: &str) -> Option<QueuePeek> {
        let q = self.queues.get(queue)?;
        let now = self.now;
        let messages: Vec<PeekedMessage> = q
            .messages
            .values()
            .map(|m| PeekedMessage {
                message_id: m.id.clone(),
                body: m.body.clone(),
                state: if m.in_flight.is_some() {
                    "in_flight"
                } else if m.visible_at > now {
                    "delayed"
                } else {
                    "visible"
                },
                group_id: m.group_id.clone(),
                receive_count: m.receive_count,
                visible_at_ms: m.visible_at,
                consumer: m.in_flight.as_ref().map(|f| f.consumer.clone()),
            })
            .collect();
        let mut locked_groups: Vec<(String, String)> = Vec::new();
        if q.config.fifo {
            for m in &messages {
                if let (Some(g), "in_flight") = (&m.group_id, m.state) {
                    if !locked_groups.iter().any(|(x, _)| x == g) {
                        locked_groups.push((g.clone(), m.message_id.clone()));
                    }
                }
            }
        }
        Some(QueuePeek {
            config: q.config.clone(),
            messages,
            locked_groups,
            metrics: q.metrics(now),
        })
    }

    /// DeleteMessage. The latest receipt handle deletes the message, in flight or not
    /// (its visibility timeout may have passed), as long as nobody has received it since;
    /// an older handle succeeds without deleting, as SQS does, and the answer says so.
    pub fn delete(&mut self, queue: &str, handle: &str) -> Result<&'static str, SimError> {
        let q = self.queue_mut(queue)?;
        let channel = q.channel();
        let found = q
            .messages
            .iter()
            .find(|(_, m)| handle.starts_with(&format!("{}/r", m.id)))
            .map(|(&s, m)| (s, m.clone()));
        let Some((seq, m)) = found else {
            return err(SimErrorKind::ReceiptHandleIsInvalid, format!("ReceiptHandleIsInvalid: no message in \"{queue}\" has the receipt handle \"{handle}\" (already deleted, moved or expired)"));
        };
        let Some((_, consumer)) = m.latest_handle.as_ref().filter(|(h, _)| h == handle) else {
            return Ok("not deleted: the receipt handle is stale (the message was received again since); use the latest one");
        };
        q.messages.remove(&seq);
        q.deleted += 1;
        let how = if m.in_flight.is_some() {
            "deleted"
        } else {
            "deleted after its visibility timeout, with the latest receipt handle"
        };
        let by = consumer.clone();
        self.record(
            &channel,
            &m.id,
            TraceKind::Acknowledged {
                by,
                how: how.into(),
            },
        );
        self.wake_polls(queue);
        Ok("deleted")
    }

    /// Deletes every message a consumer holds in flight in this queue.
    pub fn delete_held_by(&mut self, queue: &str, consumer: &str) -> Result<usize, SimError> {
        let handles = self.handles_held_by(queue, consumer)?;
        for h in &handles {
            self.delete(queue, h)?;
        }
        Ok(handles.len())
    }

    /// The receipt handles a consumer holds in flight in this queue.
    pub fn handles_held_by(&self, queue: &str, consumer: &str) -> Result<Vec<String>, SimError> {
        let Some(q) = self.queues.get(queue) else {
            return err(
                SimErrorKind::NotFound,
                format!(
                    "AWS.SimpleQueueService.NonExistentQueue: there is no queue named \"{queue}\""
                ),
            );
        };
        Ok(q.messages
            .values()
            .filter_map(|m| {
                m.in_flight
                    .as_ref()
                    .filter(|f| f.consumer == consumer)
                    .map(|f| f.handle.clone())
            })
            .collect())
    }

    /// SetQueueAttributes while the simulation runs (`docs/semantics.md` §4): a new
    /// visibility timeout applies to later receives; a new delay applies to later sends
    /// on a standard queue, and also to the messages still delayed on a FIFO queue
    /// (counted from when each entered the queue); a new redrive policy applies at the
    /// next receive. The change is checked as the queue's settings are when a topology is
    /// read, and refused whole if any part is invalid. Returns what changed, in words.
    pub fn set_queue_attributes(
        &mut self,
        request: &SetQueueAttributes,
    ) -> Result<String, SimError> {
        let now = self.now;
        let dlq_fifo = match &request.redrive_policy {
            Some(r) => match self.queues.get(&r.dlq) {
                None => {
                    return err(
                        SimErrorKind::InvalidParameter,
                        format!(
                        "InvalidParameterValue: RedrivePolicy names \"{}\", which is not a queue",
                        r.dlq
                    ),
                    )
                }
                Some(d) => Some(d.config.fifo),
            },
            None => None,
        };
        let q = self.queue_mut(&request.queue)?;
        let mut said = Vec::new();
        if let Some(v) = request.visibility_timeout_s {
            if v > 43_200 {
                return err(
                    SimErrorKind::InvalidParameter,
                    "InvalidParameterValue: VisibilityTimeout is 0 to 43,200 seconds",
                );
            }
            said.push(format!("VisibilityTimeout {v} s (for later receives)"));
        }
        if let Some(d) = request.delay_s {
            if d > 900 {
                return err(
                    SimErrorKind::InvalidParameter,
                    "InvalidParameterValue: DelaySeconds is 0 to 900 seconds",
                );
            }
            said.push(format!(
                "DelaySeconds {d} s ({})",
                if q.config.fifo {
                    "also for the messages still delayed: FIFO queues apply it retroactively"
                } else {
                    "for later sends: not retroactive on a standard queue"
                }
            ));
        }
        if let (Some(r), Some(fifo)) = (&request.redrive_policy, dlq_fifo) {
            if fifo != q.config.fifo {
                return err(SimErrorKind::InvalidParameter, "InvalidParameterValue: a dead-letter queue must be the same type as its source (FIFO with FIFO, standard with standard)");
            }
            if !(1..=1000).contains(&r.max_receive_count) {
                return err(
                    SimErrorKind::InvalidParameter,
                    "InvalidParameterValue: maxReceiveCount is 1 to 1,000",
                );
            }
            said.push(format!(
                "RedrivePolicy to {} after {} receives",
                r.dlq, r.max_receive_count
            ));
        }
        if said.is_empty() {
            return err(
                SimErrorKind::MissingParameter,
                "SetQueueAttributes needs VisibilityTimeout, DelaySeconds or RedrivePolicy",
            );
        }
        if let Some(v) = request.visibility_timeout_s {
            q.config.visibility_timeout_s = v;
        }
        if let Some(r) = &request.redrive_policy {
            q.config.redrive = Some(r.clone());
        }
        let mut wake_at = Vec::new();
        if let Some(d) = request.delay_s {
            q.config.delay_s = d;
            if q.config.fifo {
                for m in q.messages.values_mut() {
                    let waiting =
                        m.in_flight.is_none() && m.receive_count == 0 && m.visible_at > now;
                    if waiting {
                        m.visible_at = (m.enqueued_at + u64::from(d) * 1000).max(now);
                        wake_at.push(m.visible_at);
                    }
                }
            }
        }
        let channel = q.channel();
        let name = q.config.name.clone();
        let text = said.join("; ");
        self.record(
            &channel,
            "",
            TraceKind::Configured {
                change: format!("SetQueueAttributes: {text}"),
            },
        );
        for at in wake_at {
            self.schedule(
                at,
                Timer::DelayEnd {
                    queue: name.clone(),
                },
            );
        }
        self.wake_polls(&name);
        Ok(text)
    }

    /// ChangeMessageVisibility: visible again `timeout_s` from now (0 = at once).
    pub fn change_visibility(
        &mut self,
        queue: &str,
        handle: &str,
        timeout_s: u32,
    ) -> Result<(), SimError> {
        let now = self.now;
        let q = self.queue_mut(queue)?;
        let Some((&seq, m)) = q
            .messages
            .iter_mut()
            .find(|(_, m)| m.in_flight.as_ref().is_some_and(|f| f.handle == handle))
        else {
            return err(SimErrorKind::ReceiptHandleIsInvalid, format!("ReceiptHandleIsInvalid: \"{handle}\" is not the receipt handle of a message in flight in \"{queue}\""));
        };
        let until = now + u64::from(timeout_s) * 1000;
        if until > m.first_received_at.unwrap_or(now) + MAX_VISIBILITY_MS {
            return err(SimErrorKind::InvalidParameter, "InvalidParameterValue: the total visibility timeout cannot exceed 12 hours from the first receive");
        }
        m.epoch += 1;
        m.visible_at = until;
        let epoch = m.epoch;
        self.schedule(
            until,
            Timer::Visibility {
                queue: queue.to_owned(),
                seq,
                epoch,
            },
        );
        Ok(())
    }

    pub(crate) fn visibility_expired(&mut self, queue: &str, seq: u64, epoch: u32) {
        let Some(q) = self.queues.get_mut(queue) else {
            return;
        };
        let channel = q.channel();
        let Some(m) = q.messages.get_mut(&seq) else {
            return;
        };
        if m.epoch != epoch || m.in_flight.is_none() {
            return;
        }
        m.in_flight = None;
        let (id, count) = (m.id.clone(), m.receive_count);
        self.record(
            &channel,
            &id,
            TraceKind::VisibilityExpired {
                receive_count: count,
            },
        );
        self.wake_polls(queue);
    }

    pub(crate) fn retention_expired(&mut self, queue: &str, seq: u64) {
        let Some(q) = self.queues.get_mut(queue) else {
            return;
        };
        let Some(m) = q.messages.remove(&seq) else {
            return;
        };
        q.dropped += 1;
        let channel = q.channel();
        let days = q.config.retention_s as f64 / 86_400.0;
        self.record(
            &channel,
            &m.id,
            TraceKind::Dropped {
                reason: format!("the retention period ({days} days from the first enqueue) ended"),
            },
        );
    }

    /// Answers waiting long polls in the order they arrived.
    pub(crate) fn wake_polls(&mut self, queue: &str) {
        loop {
            let Some(q) = self.queues.get_mut(queue) else {
                return;
            };
            let Some(poll) = q.polls.first().cloned() else {
                return;
            };
            let Ok(messages) = self.take_messages(&poll.request) else {
                return;
            };
            if messages.is_empty() {
                return;
            }
            if let Some(q) = self.queues.get_mut(queue) {
                q.polls.retain(|p| p.id != poll.id);
            }
            self.complete_receive(ReceiveResult {
                step: poll.request.step,
                queue: queue.to_owned(),
                consumer: poll.request.consumer.clone(),
                requested_at_ms: poll.requested_at,
                returned_at_ms: self.now,
                messages,
            });
        }
    }

    pub(crate) fn poll_deadline(&mut self, queue: &str, poll: u64) {
        let Some(q) = self.queues.get_mut(queue) else {
            return;
        };
        let Some(index) = q.polls.iter().position(|p| p.id == poll) else {
            return;
        };
        let p = q.polls.remove(index);
        self.complete_receive(ReceiveResult {
            step: p.request.step,
            queue: queue.to_owned(),
            consumer: p.request.consumer.clone(),
            requested_at_ms: p.requested_at,
            returned_at_ms: self.now,
            messages: Vec::new(),
        });
    }
}
